package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

func TestStaticFiles(t *testing.T) {
	base, _ := startChat(t)
	hc := httpClient(t)
	for _, tc := range []struct {
		path, contentType, contains string
	}{
		{"/", "text/html", `<script src="app.js"></script>`},
		{"/app.js", "javascript", `const SUBPROTOCOL = 'json.webpubsub.azure.v1';`},
		{"/style.css", "text/css", "#messages"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := hc.Get(base + tc.path)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, resp.Header.Get("Content-Type"), tc.contentType)
			assert.Contains(t, string(body), tc.contains)
		})
	}

	resp, err := hc.Get(base + "/missing.js")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestNegotiateRejectsBadRequests(t *testing.T) {
	base, _ := startChat(t)
	hc := httpClient(t)
	for _, tc := range []struct {
		name, query, reason string
	}{
		{"no user", "", "the user query parameter is required"},
		{"blank user", "user=%20%20", "the user query parameter is required"},
		{"too long", "user=" + strings.Repeat("x", maxUserNameLen+1), "longer than 32 characters"},
		{"control character", "user=a%0Ab", "control or unprintable character"},
		{"invalid UTF-8", "user=%FF", "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := hc.Get(base + "/negotiate?" + tc.query)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			assert.Contains(t, string(body), tc.reason)
		})
	}

	resp, err := hc.Post(base+"/negotiate?user=alice", "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestNegotiateAcceptsLongestName(t *testing.T) {
	base, _ := startChat(t)
	name := strings.Repeat("é", maxUserNameLen) // characters, not bytes, are counted
	u, err := url.Parse(negotiate(t, httpClient(t), base, "  "+name+" "))
	require.NoError(t, err)
	assert.Equal(t, name, tokenClaims(t, u.Query().Get(protocol.QueryAccessToken)).Subject, "surrounding spaces are trimmed")
}

// TestEventHandlerChecksSignatures shows the event handler is mounted with the
// resource's access key: only events signed with it are accepted.
func TestEventHandlerChecksSignatures(t *testing.T) {
	base, emu := startChat(t)
	hc := httpClient(t)
	origin := strings.TrimPrefix(emu.URL(), "http://")

	post := func(signature string) (int, string) {
		req, err := http.NewRequest(http.MethodPost, base+eventHandlerPath+"connected", nil)
		require.NoError(t, err)
		req.Header.Set(protocol.HeaderRequestOrigin, origin)
		req.Header.Set(protocol.HeaderSpecVersion, protocol.SpecVersion)
		req.Header.Set(protocol.HeaderType, protocol.EventTypeConnected)
		req.Header.Set(protocol.HeaderSource, protocol.EventSource(hubName, "conn1"))
		req.Header.Set(protocol.HeaderID, "1")
		req.Header.Set(protocol.HeaderAwpsVersion, protocol.AwpsVersion)
		req.Header.Set(protocol.HeaderHub, hubName)
		req.Header.Set(protocol.HeaderConnectionID, "conn1")
		req.Header.Set(protocol.HeaderUserID, "mallory")
		req.Header.Set(protocol.HeaderEventName, protocol.EventConnected)
		if signature != "" {
			req.Header.Set(protocol.HeaderSignature, signature)
		}
		resp, err := hc.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}

	status, body := post("")
	assert.Equal(t, http.StatusUnauthorized, status, body)
	status, body = post(protocol.Signature("conn1", "not-the-key"))
	assert.Equal(t, http.StatusUnauthorized, status, body)
	status, body = post(protocol.Signature("conn1", emu.AccessKey()))
	assert.Equal(t, http.StatusOK, status, body)

	// Abuse protection: the emulator's origin is allowed, others are not.
	for _, tc := range []struct {
		origin string
		status int
	}{{origin, http.StatusOK}, {"evil.example.com", http.StatusBadRequest}} {
		req, err := http.NewRequest(http.MethodOptions, base+eventHandlerPath+"connected", nil)
		require.NoError(t, err)
		req.Header.Set(protocol.HeaderRequestOrigin, tc.origin)
		resp, err := hc.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, tc.status, resp.StatusCode, tc.origin)
	}
}

func TestUserName(t *testing.T) {
	for raw, want := range map[string]string{
		"alice":          "alice",
		"  bob  ":        "bob",
		"Zoë Lin":        "Zoë Lin",
		"名前":             "名前",
		"a<b>&\"quote\"": "a<b>&\"quote\"", // the page shows names as text
	} {
		got, err := userName(raw)
		require.NoError(t, err, raw)
		assert.Equal(t, want, got)
	}
	for _, raw := range []string{"", " \t ", "a\x00b", "tab\there", "\u200bzero-width", strings.Repeat("n", 33), "\xff"} {
		_, err := userName(raw)
		assert.Error(t, err, "%q", raw)
	}
}
