package access_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/internal/access"
)

const (
	key  = "YWNjZXNzLXRlc3Qta2V5LW9mLTMyLWJ5dGVzLWxvbmc="
	base = "http://127.0.0.1:7071"
)

func newAccess() *access.Access {
	return access.New(key, base, map[string]bool{"127.0.0.1:7071": true, "localhost:7071": true})
}

// sign signs claims as any SDK may write them (aud and role as strings or
// arrays).
func sign(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	if _, ok := claims["exp"]; !ok {
		claims["exp"] = time.Now().Add(time.Hour).Unix()
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(key))
	require.NoError(t, err)
	return tok
}

// restRequest is a REST request to target sent to host, with the token.
func restRequest(host, target, token string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://"+host+target, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

func TestRESTAudiences(t *testing.T) {
	a := newAccess()
	const target = "/api/hubs/chat/:send?api-version=2024-12-01"
	for _, tc := range []struct {
		name string
		aud  any
		exp  time.Duration
		ok   bool
	}{
		{"the URL with its query", base + target, time.Hour, true},
		{"the URL without its query", base + "/api/hubs/chat/:send", time.Hour, true},
		{"https (TLS terminated in front)", "https://127.0.0.1:7071/api/hubs/chat/:send", time.Hour, true},
		{"ws", "ws://127.0.0.1:7071/api/hubs/chat/:send", time.Hour, true},
		{"wss with a trailing slash", "wss://127.0.0.1:7071/api/hubs/chat/:send/", time.Hour, true},
		{"another of the emulator's names", "http://localhost:7071/api/hubs/chat/:send", time.Hour, true},
		{"an array holding it", []string{"http://other.example/x", base + "/api/hubs/chat/:send"}, time.Hour, true},
		{"expired within the clock skew", base + target, -4 * time.Minute, true},
		{"expired beyond the clock skew", base + target, -10 * time.Minute, false},
		{"ftp", "ftp://127.0.0.1:7071/api/hubs/chat/:send", time.Hour, false},
		{"another path", base + "/api/hubs/other/:send", time.Hour, false},
		{"a foreign host", "http://evil.example:7071/api/hubs/chat/:send", time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := sign(t, jwt.MapClaims{"aud": tc.aud, "exp": time.Now().Add(tc.exp).Unix()})
			msg := a.AuthorizeREST(restRequest("127.0.0.1:7071", target, tok))
			if tc.ok {
				assert.Empty(t, msg)
			} else {
				assert.NotEmpty(t, msg)
				assert.NotContains(t, msg, tok, "the reason never carries the token")
			}
		})
	}
	// The Host header does not make a foreign host one of the emulator's.
	tok := sign(t, jwt.MapClaims{"aud": "http://evil.example:7071" + target})
	assert.NotEmpty(t, a.AuthorizeREST(restRequest("evil.example:7071", target, tok)))
	assert.Equal(t, "missing Authorization header with a Bearer token", a.AuthorizeREST(httptest.NewRequest(http.MethodGet, base+target, nil)))
}

func TestClientTokens(t *testing.T) {
	a := newAccess()
	r := httptest.NewRequest(http.MethodGet, base+"/client/hubs/chat", nil)
	// The .NET SDK writes a claim with one value as a string.
	tok := sign(t, jwt.MapClaims{"aud": base + "/client/hubs/Chat", "sub": "u", "role": "webpubsub.joinLeaveGroup", "webpubsub.group": "g1"})
	c, err := a.VerifyClient(r, "chat", tok)
	require.NoError(t, err, "hub names compare case-insensitively")
	assert.Equal(t, []string{"webpubsub.joinLeaveGroup"}, c.Roles)
	assert.Equal(t, []string{"g1"}, c.Groups)

	for aud, ok := range map[string]bool{
		"wss://127.0.0.1:7071/client/hubs/chat/":  true,
		"https://localhost:7071/client/hubs/chat": true,
		base + "/client/hubs/chat?x=1":            false, // a client token's aud has no query
		base + "/clients/mqtt/hubs/chat":          false,
		"wss://evil.example/client/hubs/chat":     false,
	} {
		_, err := a.VerifyClient(r, "chat", sign(t, jwt.MapClaims{"aud": aud}))
		assert.Equal(t, ok, err == nil, "%s: %v", aud, err)
	}
	_, err = a.VerifyMQTTClient(r, "chat", sign(t, jwt.MapClaims{"aud": base + "/clients/mqtt/hubs/chat"}))
	assert.NoError(t, err, "the MQTT endpoint's audience")
}

func TestTraceTokens(t *testing.T) {
	a := newAccess()
	r := httptest.NewRequest(http.MethodGet, base+"/trace/stream", nil)
	assert.NoError(t, a.VerifyTrace(r, sign(t, jwt.MapClaims{"aud": "https://localhost:7071/trace"})))
	assert.Error(t, a.VerifyTrace(r, sign(t, jwt.MapClaims{"aud": base + "/tracex"})))
	assert.Error(t, a.VerifyTrace(r, sign(t, jwt.MapClaims{"aud": base + "/trace", "exp": time.Now().Add(-10 * time.Minute).Unix()})))
}

// BenchmarkAuthorizeREST measures the token check of one REST request:
// HS256, the claims, and the audience built from the emulator's names and
// the request's path.
func BenchmarkAuthorizeREST(b *testing.B) {
	a := newAccess()
	const target = "/api/hubs/chat/:send?api-version=2024-12-01"
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"aud": base + target, "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(key))
	require.NoError(b, err)
	r := restRequest("127.0.0.1:7071", target, tok)
	b.ReportAllocs()
	for b.Loop() {
		if msg := a.AuthorizeREST(r); msg != "" {
			b.Fatal(msg)
		}
	}
}
