package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	key1 = "primary-access-key-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ="
	key2 = "secondary-access-key-9876543210zyxwvutsrqponmlkjihgfedcba="
	aud  = "https://example.webpubsub.azure.com/client/hubs/chat"
)

func validClaims() *Claims {
	now := time.Now()
	return &Claims{
		Roles:     []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.g1"},
		Groups:    []string{"g1", "g2"},
		IssuedAt:  now.Unix(),
		ExpiresAt: now.Add(time.Hour).Unix(),
		Audience:  aud,
		Subject:   "user1",
	}
}

func mustSign(t *testing.T, key string, c *Claims) string {
	t.Helper()
	tok, err := Sign(key, c)
	require.NoError(t, err)
	return tok
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestSignVerifyRoundTrip(t *testing.T) {
	c := validClaims()
	tok := mustSign(t, key1, c)
	got, err := Verify(tok, []string{key1}, []string{aud}, 0)
	require.NoError(t, err)
	assert.Equal(t, decoded(c), got)
}

// decoded returns c as Verify returns it: with Audiences filled from
// Audience.
func decoded(c *Claims) *Claims {
	d := *c
	if d.Audience != "" {
		d.Audiences = []string{d.Audience}
	}
	return &d
}

func TestSignWireFormat(t *testing.T) {
	c := validClaims()
	tok := mustSign(t, key1, c)
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)

	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	assert.JSONEq(t, `{"alg":"HS256","typ":"JWT"}`, string(header))

	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(payload, &m))
	assert.Equal(t, map[string]any{
		"role":            []any{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.g1"},
		"webpubsub.group": []any{"g1", "g2"},
		"iat":             float64(c.IssuedAt),
		"exp":             float64(c.ExpiresAt),
		"aud":             aud, // a plain string, not an array
		"sub":             "user1",
	}, m)

	// The HMAC key is the access key string's own UTF-8 bytes.
	mac := hmac.New(sha256.New, []byte(key1))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), parts[2])
}

func TestSignOmitsEmptyClaims(t *testing.T) {
	tok := mustSign(t, key1, &Claims{ExpiresAt: 2000000000, Audience: aud})
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	require.NoError(t, err)
	assert.JSONEq(t, `{"exp":2000000000,"aud":"`+aud+`"}`, string(payload))
}

func TestSignEmptyKey(t *testing.T) {
	_, err := Sign("", validClaims())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "empty access key")
}

func TestVerifyAcceptsAnyOfTwoKeys(t *testing.T) {
	for _, signer := range []string{key1, key2} {
		tok := mustSign(t, signer, validClaims())
		got, err := Verify(tok, []string{key1, key2}, []string{aud}, 0)
		require.NoError(t, err)
		assert.Equal(t, "user1", got.Subject)
	}
	// A token expired but signed with the second key reports expiry, not a bad
	// signature.
	c := validClaims()
	c.ExpiresAt = time.Now().Add(-time.Hour).Unix()
	_, err := Verify(mustSign(t, key2, c), []string{key1, key2}, nil, 0)
	assert.ErrorIs(t, err, ErrExpired)
}

func TestVerifyAudience(t *testing.T) {
	tok := mustSign(t, key1, validClaims())
	_, err := Verify(tok, []string{key1}, []string{"https://other/client/hubs/chat", aud}, 0)
	assert.NoError(t, err, "any listed audience matches")
	_, err = Verify(tok, []string{key1}, nil, 0)
	assert.NoError(t, err, "no audiences: aud is not checked")
	_, err = Verify(tok, []string{key1}, []string{aud + "/"}, 0)
	assert.ErrorIs(t, err, ErrAudience)
}

func TestVerifyLeeway(t *testing.T) {
	c := validClaims()
	c.ExpiresAt = time.Now().Add(-5 * time.Second).Unix()
	tok := mustSign(t, key1, c)
	_, err := Verify(tok, []string{key1}, nil, 0)
	assert.ErrorIs(t, err, ErrExpired)
	_, err = Verify(tok, []string{key1}, nil, time.Minute)
	assert.NoError(t, err)
}

func TestVerifyNotBefore(t *testing.T) {
	c := validClaims()
	c.NotBefore = time.Now().Add(time.Hour).Unix()
	_, err := Verify(mustSign(t, key1, c), []string{key1}, nil, 0)
	assert.ErrorIs(t, err, ErrNotYetValid, "a token valid only in an hour")

	c.NotBefore = time.Now().Add(NotBeforeSkew - 30*time.Second).Unix()
	_, err = Verify(mustSign(t, key1, c), []string{key1}, nil, 0)
	assert.NoError(t, err, "an nbf within the clock skew")

	c.NotBefore = time.Now().Add(-time.Minute).Unix()
	got, err := Verify(mustSign(t, key1, c), []string{key1}, nil, 0)
	require.NoError(t, err)
	assert.Equal(t, c.NotBefore, got.NotBefore)
}

func TestVerifyNoKeys(t *testing.T) {
	_, err := Verify(mustSign(t, key1, validClaims()), nil, nil, 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no verification key")
}

// craft builds a token from a header and payload JSON and a signature made
// with key (no signature when key is empty).
func craft(header, payload, key string) string {
	signing := b64(header) + "." + b64(payload)
	if key == "" {
		return signing + "."
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func TestVerifyRejections(t *testing.T) {
	future := time.Now().Add(time.Hour).Unix()
	payload := func(extra string) string {
		return `{"exp":` + jsonInt(future) + `,"aud":"` + aud + `","sub":"user1"` + extra + `}`
	}
	expired := validClaims()
	expired.ExpiresAt = time.Now().Add(-time.Hour).Unix()
	noExp := validClaims()
	noExp.ExpiresAt = 0
	hs512, err := jwt.NewWithClaims(jwt.SigningMethodHS512, validClaims()).SignedString([]byte(key1))
	require.NoError(t, err)

	good := mustSign(t, key1, validClaims())
	parts := strings.Split(good, ".")
	tamperedPayload := parts[0] + "." + b64(payload(`,"role":["webpubsub.sendToGroup"]`)) + "." + parts[2]
	tamperedSig := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"expired", mustSign(t, key1, expired), ErrExpired},
		{"no exp", mustSign(t, key1, noExp), ErrExpired},
		{"wrong key", mustSign(t, "not-the-key", validClaims()), ErrSignature},
		{"wrong audience", mustSign(t, key1, &Claims{ExpiresAt: future, Audience: "https://evil/client/hubs/chat"}), ErrAudience},
		{"no audience", mustSign(t, key1, &Claims{ExpiresAt: future}), ErrAudience},
		{"alg none", craft(`{"alg":"none","typ":"JWT"}`, payload(""), ""), ErrUnsupported},
		{"alg none with signature", craft(`{"alg":"none","typ":"JWT"}`, payload(""), key1), ErrUnsupported},
		{"HS512", hs512, ErrUnsupported},
		{"RS256", craft(`{"alg":"RS256","typ":"JWT"}`, payload(""), key1), ErrUnsupported},
		{"lower-case hs256", craft(`{"alg":"hs256","typ":"JWT"}`, payload(""), key1), ErrUnsupported},
		{"tampered payload", tamperedPayload, ErrSignature},
		{"tampered signature", tamperedSig, ErrSignature},
		{"empty", "", ErrMalformed},
		{"one segment", "abc", ErrMalformed},
		{"two segments", parts[0] + "." + parts[1], ErrMalformed},
		{"four segments", good + ".x", ErrMalformed},
		{"header not base64", "!!!." + parts[1] + "." + parts[2], ErrMalformed},
		{"header not JSON", b64("nope") + "." + parts[1] + "." + parts[2], ErrMalformed},
		{"payload not JSON", craft(`{"alg":"HS256","typ":"JWT"}`, `[1,2`, key1), ErrMalformed},
		{"aud as number", craft(`{"alg":"HS256","typ":"JWT"}`, `{"exp":`+jsonInt(future)+`,"aud":1}`, key1), ErrMalformed},
		{"exp as string", craft(`{"alg":"HS256","typ":"JWT"}`, `{"exp":"`+jsonInt(future)+`","aud":"`+aud+`"}`, key1), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Verify(tt.token, []string{key1, key2}, []string{aud}, 0)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, tt.want)
			for _, other := range []error{ErrMalformed, ErrSignature, ErrExpired, ErrAudience, ErrUnsupported} {
				if other != tt.want {
					assert.False(t, errors.Is(err, other), "error %q also matches %q", err, other)
				}
			}
			msg := err.Error()
			assert.NotContains(t, msg, key1)
			assert.NotContains(t, msg, key2)
			if len(tt.token) > 8 {
				assert.NotContains(t, msg, tt.token)
				for _, seg := range strings.Split(tt.token, ".") {
					if len(seg) > 8 {
						assert.NotContains(t, msg, seg, "error echoes a token segment")
					}
				}
			}
		})
	}
}

func TestVerifyAcceptsCraftedHS256(t *testing.T) {
	// A token built by hand (as another SDK would) with the key's UTF-8 bytes
	// verifies: the claims parse and the signature matches.
	future := time.Now().Add(time.Hour).Unix()
	tok := craft(`{"alg":"HS256","typ":"JWT"}`,
		`{"role":["webpubsub.joinLeaveGroup"],"webpubsub.group":["g"],"iat":1,"exp":`+jsonInt(future)+`,"aud":"`+aud+`","sub":"u"}`, key2)
	c, err := Verify(tok, []string{key1, key2}, []string{aud}, 0)
	require.NoError(t, err)
	assert.Equal(t, &Claims{Roles: []string{"webpubsub.joinLeaveGroup"}, Groups: []string{"g"}, IssuedAt: 1, ExpiresAt: future, Audience: aud, Audiences: []string{aud}, Subject: "u"}, c)
}

func TestHeaderAlg(t *testing.T) {
	alg, ok := headerAlg(b64(`{"alg":"HS256"}`) + ".x.y")
	assert.True(t, ok)
	assert.Equal(t, "HS256", alg)
	for _, tok := range []string{"", "abc", "!!!.x.y", b64(`{}`) + ".x.y", b64(`{"alg":1}`) + ".x.y", b64(`[`) + ".x"} {
		_, ok := headerAlg(tok)
		assert.False(t, ok, tok)
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
