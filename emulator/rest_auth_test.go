package emulator_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/internal/auth"
)

// noneToken builds an unsigned token with "alg":"none".
func noneToken(aud string) string {
	enc := base64.RawURLEncoding.EncodeToString
	h := enc([]byte(`{"alg":"none","typ":"JWT"}`))
	c, _ := json.Marshal(map[string]any{"aud": aud, "exp": time.Now().Add(time.Hour).Unix()})
	return h + "." + enc(c) + "."
}

// hs512Token signs aud and exp with key using HS512 instead of HS256.
func hs512Token(t testing.TB, key, aud string, exp time.Time) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims{"aud": aud, "exp": exp.Unix()}).SignedString([]byte(key))
	require.NoError(t, err)
	return tok
}

func TestRESTAuthAttacks(t *testing.T) {
	e := start(t, emulator.Options{})
	u := e.URL() + withAPIVersion("/api/hubs/hub1/:send")
	pathOnly := e.URL() + "/api/hubs/hub1/:send"
	hour := time.Now().Add(time.Hour)
	cases := []struct {
		name string
		auth string
		want int
	}{
		{"valid full URL", "Bearer " + restToken(t, e.AccessKey(), u, hour), http.StatusAccepted},
		{"valid URL without query", "Bearer " + restToken(t, e.AccessKey(), pathOnly, hour), http.StatusAccepted},
		{"no token", "", http.StatusUnauthorized},
		{"not bearer", "Basic " + restToken(t, e.AccessKey(), u, hour), http.StatusUnauthorized},
		{"expired", "Bearer " + restToken(t, e.AccessKey(), u, time.Now().Add(-10*time.Minute)), http.StatusUnauthorized},
		{"exp within the clock skew", "Bearer " + restToken(t, e.AccessKey(), u, time.Now().Add(-time.Minute)), http.StatusAccepted},
		{"wrong key", "Bearer " + restToken(t, "another-key", u, hour), http.StatusUnauthorized},
		{"wrong aud", "Bearer " + restToken(t, e.AccessKey(), e.URL()+"/api/hubs/other/:send", hour), http.StatusUnauthorized},
		{"alg none", "Bearer " + noneToken(u), http.StatusUnauthorized},
		{"HS512 with the right key", "Bearer " + hs512Token(t, e.AccessKey(), u, hour), http.StatusUnauthorized},
		{"no exp", "Bearer " + restToken(t, e.AccessKey(), u, time.Unix(0, 0)), http.StatusUnauthorized},
		{"not valid for an hour (nbf)", "Bearer " + restTokenNotBefore(t, e.AccessKey(), u, time.Now().Add(time.Hour)), http.StatusUnauthorized},
		{"nbf within the clock skew", "Bearer " + restTokenNotBefore(t, e.AccessKey(), u, time.Now().Add(time.Minute)), http.StatusAccepted},
		{"client token", "Bearer " + clientToken(t, e, "hub1", auth.Claims{}), http.StatusUnauthorized},
		{"garbage", "Bearer abc.def", http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := callRaw(t, http.MethodPost, u, "text/plain", []byte("hi"), tc.auth)
			require.Equal(t, tc.want, r.status, r.body)
			if tc.want == http.StatusUnauthorized {
				assert.Equal(t, "Error.Unauthorized", r.header.Get("x-ms-error-code"))
				var body struct{ Code, Message string }
				require.NoError(t, json.Unmarshal([]byte(r.body), &body))
				assert.Equal(t, "Error.Unauthorized", body.Code)
				assert.NotEmpty(t, body.Message)
				assert.NotContains(t, r.body, e.AccessKey())
				if strings.HasPrefix(tc.auth, "Bearer ") {
					assert.NotContains(t, r.body, strings.TrimPrefix(tc.auth, "Bearer "))
				}
			}
		})
	}
}

// restTokenNotBefore signs a REST token for aud valid from nbf for two hours.
func restTokenNotBefore(t testing.TB, key, aud string, nbf time.Time) string {
	t.Helper()
	tok, err := auth.Sign(key, &auth.Claims{Audience: aud, NotBefore: nbf.Unix(), ExpiresAt: nbf.Add(2 * time.Hour).Unix()})
	require.NoError(t, err)
	return tok
}

// sendWithAudienceHost sends a REST call to e with Host set to host and a
// token whose audience names host, and returns the status.
func sendWithAudienceHost(t *testing.T, e *emulator.Emulator, host string) int {
	t.Helper()
	pathQuery := withAPIVersion("/api/hubs/hub1/:send")
	tok := restToken(t, e.AccessKey(), "http://"+host+pathQuery, time.Now().Add(time.Hour))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.URL()+pathQuery, strings.NewReader("hi"))
	require.NoError(t, err)
	req.Host = host
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestRESTAudienceIgnoresHostHeader: a token signed for another host is
// refused even when the request carries that Host header; the emulator's
// own names are accepted.
func TestRESTAudienceIgnoresHostHeader(t *testing.T) {
	e := start(t, emulator.Options{})
	port := e.URL()[strings.LastIndexByte(e.URL(), ':')+1:]
	for _, tc := range []struct {
		host string
		want int
	}{
		{"evil.example:" + port, http.StatusUnauthorized},
		{"evil.example", http.StatusUnauthorized},
		{"localhost:" + port, http.StatusAccepted},
		{strings.TrimPrefix(e.URL(), "http://"), http.StatusAccepted},
	} {
		t.Run(tc.host, func(t *testing.T) {
			assert.Equal(t, tc.want, sendWithAudienceHost(t, e, tc.host))
		})
	}
}

func TestRESTHealthNeedsNoAuth(t *testing.T) {
	srv := emulatortest.New(t, nil)
	r := callRaw(t, http.MethodHead, srv.URL()+"/api/health?"+apiVersion, "", nil, "")
	assert.Equal(t, http.StatusOK, r.status, "the service's HEAD health check")
	// The official emulator's readiness probe: GET without api-version.
	r = callRaw(t, http.MethodGet, srv.URL()+"/api/health", "", nil, "")
	assert.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `{"status":"healthy"}`, r.body)
	require.NoError(t, srv.Close())
	_, err := http.Get(srv.URL() + "/api/health")
	assert.Error(t, err, "a closed emulator does not answer")
}

func TestRESTUnknownOperation(t *testing.T) {
	e := start(t, emulator.Options{})
	r := call(t, e, http.MethodGet, "/api/hubs/hub1/nothing", "", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "Error.NotFound", r.header.Get("x-ms-error-code"))
}

// TestRESTAudienceAcceptsConfiguredHostNames: names listed in
// Options.HostNames (with the listen port, or their own) are accepted as
// audiences when the request is sent to them; other names still are not.
func TestRESTAudienceAcceptsConfiguredHostNames(t *testing.T) {
	e := start(t, emulator.Options{HostNames: []string{"Emulator", "gateway.internal:9000"}})
	port := e.URL()[strings.LastIndexByte(e.URL(), ':')+1:]
	for _, tc := range []struct {
		host string
		want int
	}{
		{"emulator:" + port, http.StatusAccepted},
		{"gateway.internal:9000", http.StatusAccepted},
		{"gateway.internal:" + port, http.StatusUnauthorized},
		{"evil.example:" + port, http.StatusUnauthorized},
	} {
		t.Run(tc.host, func(t *testing.T) {
			assert.Equal(t, tc.want, sendWithAudienceHost(t, e, tc.host))
		})
	}
}

func TestInvalidHostNamesFailNew(t *testing.T) {
	for _, name := range []string{"", "http://emulator", "emulator:", "a b"} {
		_, err := emulator.New(&emulator.Options{HostNames: []string{name}})
		assert.ErrorContains(t, err, "Options.HostNames", "%q", name)
	}
}

// Without a key of its own the emulator signs with the well-known
// development key, so connection strings survive restarts; it refuses to
// serve that key beyond loopback.
func TestDevAccessKeyIsStableAndLoopbackOnly(t *testing.T) {
	a, err := emulator.New(nil)
	require.NoError(t, err)
	defer a.Close()
	b, err := emulator.New(&emulator.Options{})
	require.NoError(t, err)
	defer b.Close()
	assert.Equal(t, emulator.DevAccessKey, a.AccessKey())
	assert.Equal(t, a.AccessKey(), b.AccessKey())
	assert.Contains(t, a.ConnectionString(), ";AccessKey="+emulator.DevAccessKey+";")

	_, err = emulator.New(&emulator.Options{Addr: "0.0.0.0:0"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "well-known development key")
	assert.Contains(t, err.Error(), "Options.AccessKey")

	c, err := emulator.New(&emulator.Options{Addr: "0.0.0.0:0", AccessKey: "a-key-of-my-own-that-is-long-enough"})
	require.NoError(t, err)
	c.Close()
}
