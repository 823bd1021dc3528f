package eventhandler

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

func TestAllowList(t *testing.T) {
	l, err := newAllowList([]string{"https://Demo.WebPubSub.Azure.com", "127.0.0.1:8080", " other.example ", "https://ported.example:443", "http://[::1]:80", "http://local.example:8081"})
	require.NoError(t, err)
	cases := map[string]bool{
		"demo.webpubsub.azure.com":      true,
		"DEMO.webpubsub.azure.com:443":  true, // entry without port matches any port
		"127.0.0.1:8080":                true,
		"127.0.0.1:9090":                false, // entry with port matches only that port
		"127.0.0.1":                     false,
		"other.example":                 true,
		"evil.example":                  false,
		"demo.webpubsub.azure.com.evil": false,
		"":                              false,
		"ported.example":                true, // a URL's default port is dropped
		"ported.example:8443":           true,
		"[::1]":                         true,
		"local.example:8081":            true, // a URL's other port is kept
		"local.example":                 false,
	}
	for origin, want := range cases {
		assert.Equal(t, want, l.allows(origin), origin)
	}

	all, err := newAllowList(nil)
	require.NoError(t, err)
	assert.True(t, all.allows("anything"))
	star, err := newAllowList([]string{"*"})
	require.NoError(t, err)
	assert.True(t, star.allows("anything"))

	for _, bad := range []string{"", "https://", "host/path", "a b"} {
		_, err := newAllowList([]string{bad})
		assert.Error(t, err, bad)
	}
}

func TestAbuseProtectionHandshake(t *testing.T) {
	restricted, err := New(testHub, &Options{AccessKeys: []string{testKey}, AllowedEndpoints: []string{"https://" + testOrigin}})
	require.NoError(t, err)
	open, err := New(testHub, &Options{AccessKeys: []string{testKey}})
	require.NoError(t, err)
	cases := []struct {
		name        string
		h           *Handler
		origin      string
		wantStatus  int
		wantAllowed string
	}{
		{"allowed origin is echoed", restricted, testOrigin, 200, testOrigin},
		{"disallowed origin", restricted, "evil.example", 400, ""},
		{"missing origin", restricted, "", 400, ""},
		{"open handler allows any", open, "anything.example", 200, "*"},
		{"open handler still needs the header", open, "", 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, tc.h)
			req, err := http.NewRequest(http.MethodOptions, srv.URL+testPath, nil)
			require.NoError(t, err)
			if tc.origin != "" {
				req.Header.Set(protocol.HeaderRequestOrigin, tc.origin)
			}
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			readBody(t, resp)
			assert.Equal(t, tc.wantStatus, resp.StatusCode)
			assert.Equal(t, tc.wantAllowed, resp.Header.Get(protocol.HeaderAllowedOrigin))
		})
	}
}
