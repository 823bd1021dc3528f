package webpubsub

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// Client access tokens are minted in one pass: the claims are typed and
// appended as JSON to a pooled buffer, encoded, signed by golang-jwt's HS256
// method, and the URL string is made once, the token being a substring of
// it. The
// result is byte for byte what golang-jwt's Token.SignedString makes of the
// same claims marshalled by encoding/json (see token_fixture_test.go and
// FuzzClientClaimsJSON); BENCHMARKS.md has the cost against a bare HMAC.

// clientClaims are the claims of a client access token, in the order the
// JS SDK writes them. An empty list, a zero time and an empty string are
// left out, as encoding/json's omitempty does for internal/auth.Claims.
type clientClaims struct {
	Roles     []string // "role"
	Groups    []string // "webpubsub.group"
	IssuedAt  int64    // "iat", Unix seconds
	ExpiresAt int64    // "exp", Unix seconds
	Audience  string   // "aud"
	Subject   string   // "sub"
}

// appendJSON appends the JSON object of c to b.
func (c *clientClaims) appendJSON(b []byte) []byte {
	b = append(b, '{')
	open := len(b) // no member written while len(b) == open
	if len(c.Roles) > 0 {
		b = append(b, `"role":`...)
		b = appendJSONStrings(b, c.Roles)
	}
	if len(c.Groups) > 0 {
		b = appendComma(b, open)
		b = append(b, `"webpubsub.group":`...)
		b = appendJSONStrings(b, c.Groups)
	}
	if c.IssuedAt != 0 {
		b = appendComma(b, open)
		b = append(b, `"iat":`...)
		b = strconv.AppendInt(b, c.IssuedAt, 10)
	}
	if c.ExpiresAt != 0 {
		b = appendComma(b, open)
		b = append(b, `"exp":`...)
		b = strconv.AppendInt(b, c.ExpiresAt, 10)
	}
	if c.Audience != "" {
		b = appendComma(b, open)
		b = append(b, `"aud":`...)
		b = appendJSONString(b, c.Audience)
	}
	if c.Subject != "" {
		b = appendComma(b, open)
		b = append(b, `"sub":`...)
		b = appendJSONString(b, c.Subject)
	}
	return append(b, '}')
}

// appendComma separates a member from the one before it, if any.
func appendComma(b []byte, open int) []byte {
	if len(b) > open {
		return append(b, ',')
	}
	return b
}

func appendJSONStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes it with HTML escaping on (its default): <, > and & as \u003c,
// \u003e, \u0026; \b \f \n \r \t short; other control bytes as \u00XX;
// invalid UTF-8 as \ufffd; U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// hs256Header is the encoded JOSE header of every client access token
// ({"alg":"HS256","typ":"JWT"}), produced once by golang-jwt itself.
var hs256Header = func() string {
	s, err := jwt.New(jwt.SigningMethodHS256).SigningString()
	if err != nil {
		panic("webpubsub: encoding the HS256 header: " + err.Error())
	}
	head, _, _ := strings.Cut(s, ".")
	return head
}()

// maxPooledTokenBuffer bounds the buffers kept for reuse; a token for a
// huge list of roles or groups uses a buffer of its own.
const maxPooledTokenBuffer = 16 << 10

var tokenBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getTokenBuffer() *[]byte { return tokenBuffers.Get().(*[]byte) }

func putTokenBuffer(b *[]byte) {
	if cap(*b) <= maxPooledTokenBuffer {
		*b = (*b)[:0]
		tokenBuffers.Put(b)
	}
}

// signingKey is an access key as golang-jwt's HMAC methods take it: []byte
// in an interface. It is kept for the key it was made from, so that minting
// converts and boxes the key only when the credential's key changes.
type signingKey struct {
	key   string
	boxed any // []byte(key)
}

// signingKeyCache holds the last signingKey of a ServiceClient.
type signingKeyCache struct{ p atomic.Pointer[signingKey] }

func (c *signingKeyCache) get(key string) any {
	if k := c.p.Load(); k != nil && k.key == key {
		return k.boxed
	}
	k := &signingKey{key: key, boxed: []byte(key)}
	c.p.Store(k)
	return k.boxed
}

// mintClientURL returns prefix followed by the HS256 token of claims signed
// with key (a []byte in an interface, see signingKey); the token is
// url[len(prefix):]. The token needs no escaping in a query: it holds only
// base64url characters and dots.
//
// The URL is written once, into a strings.Builder grown to its final size:
// the signing input golang-jwt needs as a string is the Builder's content
// so far (String does not copy), and the later writes fit without moving
// it. The claims and their encodings go through pooled buffers.
func mintClientURL(prefix string, key any, claims *clientClaims) (string, error) {
	b64 := base64.RawURLEncoding
	buf := getTokenBuffer()
	defer putTokenBuffer(buf)
	// The claims, then their encoding, in one buffer.
	*buf = claims.appendJSON(*buf)
	n := len(*buf)
	*buf = b64.AppendEncode(*buf, (*buf)[:n])
	enc := (*buf)[n:]

	var sb strings.Builder
	sb.Grow(len(prefix) + len(hs256Header) + 1 + len(enc) + 1 + b64.EncodedLen(sha256.Size))
	sb.WriteString(prefix)
	sb.WriteString(hs256Header)
	sb.WriteByte('.')
	sb.Write(enc)
	signed := sb.String()[len(prefix):]
	sig, err := jwt.SigningMethodHS256.Sign(signed, key)
	if err != nil {
		return "", fmt.Errorf("webpubsub: signing the client access token: %w", err)
	}
	if len(sig) != sha256.Size {
		return "", fmt.Errorf("webpubsub: signing the client access token: unexpected MAC of %d bytes", len(sig))
	}
	*buf = b64.AppendEncode((*buf)[:0], sig)
	sb.WriteByte('.')
	sb.Write(*buf)
	return sb.String(), nil
}
