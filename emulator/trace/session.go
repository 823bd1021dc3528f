package trace

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxTokenBytes bounds the sign-in request body.
const maxTokenBytes = 16 << 10

// cookieName is per host and port: browsers share cookies between the
// ports of a host, and two emulators must not overwrite each other's.
func cookieName(req *http.Request) string {
	var b strings.Builder
	b.WriteString("webpubsub_trace_")
	for _, c := range req.Host {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// signIn exchanges a token that opts.Verify accepts for a session cookie.
func (h *pageHandler) signIn(w http.ResponseWriter, req *http.Request) {
	if req.Header.Get("Origin") != "" && !sameOrigin(req) {
		http.Error(w, "sign in from the page itself", http.StatusForbidden)
		return
	}
	tok := bearer(req)
	if tok == "" {
		b, err := io.ReadAll(io.LimitReader(req.Body, maxTokenBytes+1))
		if err != nil {
			http.Error(w, "reading the token: "+err.Error(), http.StatusBadRequest)
			return
		}
		if len(b) > maxTokenBytes {
			http.Error(w, "the token is too large", http.StatusRequestEntityTooLarge)
			return
		}
		tok = strings.TrimSpace(string(b))
	}
	if err := h.verify(req, tok); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	h.startSession(w, req)
}

// redeem exchanges a one-time sign-in code (from SignInURL) for a session
// cookie. The code is spent whether or not the rest succeeds.
func (h *pageHandler) redeem(w http.ResponseWriter, req *http.Request) {
	if !sameOrigin(req) {
		http.Error(w, "sign in from the page itself", http.StatusForbidden)
		return
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, maxCodeBytes+1))
	if err != nil || len(b) > maxCodeBytes {
		http.Error(w, "that is not a sign-in code", http.StatusBadRequest)
		return
	}
	if !h.r.codes.redeem(strings.TrimSpace(string(b))) {
		http.Error(w, "this sign-in link was already used or has expired (links work once, for "+
			SignInCodeTTL.String()+"): get a new one from the emulator, or sign in with the connection string", http.StatusUnauthorized)
		return
	}
	h.startSession(w, req)
}

// startSession sets the session cookie and answers 204.
func (h *pageHandler) startSession(w http.ResponseWriter, req *http.Request) {
	id, exp := h.newSession()
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(req), Value: id, Path: "/trace/", Expires: exp,
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
	w.WriteHeader(http.StatusNoContent)
}

// features are what a signed-in page may offer, from GET /trace/session.
type features struct {
	TestClient bool `json:"testClient"`
	Send       bool `json:"send"`
}

func (h *pageHandler) check(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if !h.authorized(req) {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(features{TestClient: h.opts.ClientURL != nil, Send: h.opts.Send != nil})
}

func (h *pageHandler) signOut(w http.ResponseWriter, req *http.Request) {
	if c, err := req.Cookie(cookieName(req)); err == nil {
		h.mu.Lock()
		delete(h.sessions, c.Value)
		h.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName(req), Value: "", Path: "/trace/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}

func (h *pageHandler) verify(req *http.Request, tok string) error {
	if tok == "" {
		return errors.New("missing token: sign in with the emulator's connection string or a token signed with its access key")
	}
	if h.opts.Verify == nil {
		return errors.New("sign-in with a token is not configured: use the emulator's sign-in link")
	}
	if err := h.opts.Verify(req, tok); err != nil {
		return fmt.Errorf("the token was refused: %w", err)
	}
	return nil
}

// newSession creates a session, forgetting expired ones and, past
// maxSessions, the one that expires first.
func (h *pageHandler) newSession() (string, time.Time) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	now := time.Now()
	exp := now.Add(h.opts.SessionTTL)
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, e := range h.sessions {
		if now.After(e) {
			delete(h.sessions, k)
		}
	}
	for len(h.sessions) >= maxSessions {
		oldest := ""
		for k, e := range h.sessions {
			if oldest == "" || e.Before(h.sessions[oldest]) {
				oldest = k
			}
		}
		delete(h.sessions, oldest)
	}
	h.sessions[id] = exp
	return id, exp
}

// hasSession reports whether req carries a live session cookie.
func (h *pageHandler) hasSession(req *http.Request) bool {
	c, err := req.Cookie(cookieName(req))
	if err != nil || c.Value == "" {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, exp := range h.sessions {
		if subtle.ConstantTimeCompare([]byte(id), []byte(c.Value)) == 1 && time.Now().Before(exp) {
			return true
		}
	}
	return false
}

// authorized reports whether req carries a live session cookie or a token
// that Verify accepts.
func (h *pageHandler) authorized(req *http.Request) bool {
	if _, err := req.Cookie(cookieName(req)); err == nil {
		return h.hasSession(req)
	}
	if tok := bearer(req); tok != "" {
		return h.verify(req, tok) == nil
	}
	return false
}

func bearer(req *http.Request) string {
	v := req.Header.Get("Authorization")
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

// sameOrigin reports whether req comes from a page of the origin it is sent
// to: its Origin header names the request's own host (browsers send Origin
// with every POST), and Sec-Fetch-Site, when sent, says "same-origin".
func sameOrigin(req *http.Request) bool {
	if s := req.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" {
		return false
	}
	u, err := url.Parse(req.Header.Get("Origin"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" {
		return false
	}
	return u.Host != "" && strings.EqualFold(u.Host, req.Host)
}
