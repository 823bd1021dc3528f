package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testToken = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl+/="

func TestNormalizeURL(t *testing.T) {
	for in, want := range map[string]string{
		"wss://h/client/hubs/a?access_token=x":   "wss://h/client/hubs/a?access_token=x",
		"https://h/client/hubs/a?access_token=x": "wss://h/client/hubs/a?access_token=x",
		"http://127.0.0.1:1/client/hubs/a":       "ws://127.0.0.1:1/client/hubs/a",
	} {
		got, err := normalizeURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"ftp://h/x?access_token=" + testToken, "wss:///path?access_token=" + testToken, "://x?access_token=" + testToken} {
		_, err := normalizeURL(bad)
		require.Error(t, err, bad)
		assert.NotContains(t, err.Error(), "c2lnbmF0dXJl", "the token must not leak into the error")
	}
}

func TestRecoveryURL(t *testing.T) {
	base := "wss://h/client/hubs/chat?access_token=" + url.QueryEscape(testToken)
	got, err := recoveryURL(base, "conn 1", "re/con+tok")
	require.NoError(t, err)
	u, err := url.Parse(got)
	require.NoError(t, err)
	q := u.Query()
	assert.Equal(t, "conn 1", q.Get("awps_connection_id"))
	assert.Equal(t, "re/con+tok", q.Get("awps_reconnection_token"))
	assert.Equal(t, testToken, q.Get("access_token"), "the access token is kept")
	assert.Equal(t, "/client/hubs/chat", u.Path)

	again, err := recoveryURL(got, "conn 2", "t2")
	require.NoError(t, err)
	u, _ = url.Parse(again)
	assert.Equal(t, []string{"conn 2"}, u.Query()["awps_connection_id"], "parameters are replaced, not repeated")
}

func TestRedactURL(t *testing.T) {
	raw := "wss://user:pw@h/client/hubs/chat?access_token=" + url.QueryEscape(testToken) + "&awps_connection_id=c1&awps_reconnection_token=secret-reconnect"
	got := RedactURL(raw)
	assert.NotContains(t, got, "c2lnbmF0dXJl")
	assert.NotContains(t, got, "secret-reconnect")
	assert.NotContains(t, got, "pw")
	assert.Contains(t, got, "awps_connection_id=c1")
	assert.Contains(t, got, "access_token=REDACTED")
	assert.Equal(t, "<invalid URL>", RedactURL("://bad"+testToken))
}

func TestRedactError(t *testing.T) {
	raw := "ws://127.0.0.1:1/client/hubs/chat?access_token=" + url.QueryEscape(testToken)
	inner := &url.Error{Op: "Get", URL: raw, Err: context.DeadlineExceeded}
	err := redactError(fmt.Errorf("failed to WebSocket dial: %w", inner), raw)
	assert.NotContains(t, err.Error(), url.QueryEscape(testToken))
	assert.NotContains(t, err.Error(), "c2lnbmF0dXJl")
	assert.Contains(t, err.Error(), "REDACTED")
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "context errors stay detectable")
	assert.False(t, errors.Is(err, context.Canceled))
	var ue *url.Error
	assert.False(t, errors.As(err, &ue), "the unredacted error is not reachable")
	assert.Nil(t, redactError(nil, raw))
}
