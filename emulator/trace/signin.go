package trace

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"sync"
	"time"
)

// One-time sign-in codes: the emulator prints a link with a code (as
// notebook servers do) that opens the page signed in. A code is random, works
// once, expires after SignInCodeTTL, and is exchanged by the page for the
// session cookie; the page then removes it from the address bar. It rides in
// the URL's fragment ("#code="), which browsers never send in a request, so
// it appears in no request line, server log or Referer header.

const (
	// SignInCodeTTL is how long a sign-in link works (once).
	SignInCodeTTL = 10 * time.Minute
	// maxSignInCodes bounds the codes waiting to be used; past it the
	// oldest is forgotten.
	maxSignInCodes = 16
	// maxCodeBytes bounds a presented code.
	maxCodeBytes = 128
)

// signInCodes are the codes not yet used, by their SHA-256 (the codes
// themselves are not kept).
type signInCodes struct {
	mu    sync.Mutex
	codes map[[sha256.Size]byte]time.Time // -> expiry
}

func newSignInCodes() *signInCodes {
	return &signInCodes{codes: make(map[[sha256.Size]byte]time.Time)}
}

// issue returns a new code (32 random bytes, base64url).
func (s *signInCodes) issue() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	code := base64.RawURLEncoding.EncodeToString(b)
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, exp := range s.codes {
		if now.After(exp) {
			delete(s.codes, k)
		}
	}
	for len(s.codes) >= maxSignInCodes {
		var oldest [sha256.Size]byte
		first := true
		for k, exp := range s.codes {
			if first || exp.Before(s.codes[oldest]) {
				oldest, first = k, false
			}
		}
		delete(s.codes, oldest)
	}
	s.codes[sha256.Sum256([]byte(code))] = now.Add(SignInCodeTTL)
	return code
}

// redeem spends code and reports whether it was valid. Lookup is by hash,
// so no comparison leaks how much of a guess was right.
func (s *signInCodes) redeem(code string) bool {
	if code == "" || len(code) > maxCodeBytes {
		return false
	}
	k := sha256.Sum256([]byte(code))
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.codes[k]
	delete(s.codes, k)
	return ok && time.Now().Before(exp)
}

// SignInURL returns a link that opens the page at pageURL (the emulator's
// URL, "http://127.0.0.1:8080") signed in: pageURL + "/#code=" + a new
// one-time code. The code works once, within SignInCodeTTL; at most 16 codes
// wait at a time (older ones stop working). Anyone who has the link before it
// is used can sign in with it, like a connection string: print it only where
// the key may be seen.
func (r *Recorder) SignInURL(pageURL string) string {
	return strings.TrimSuffix(pageURL, "/") + "/#code=" + r.codes.issue()
}
