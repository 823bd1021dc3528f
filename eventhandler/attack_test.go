package eventhandler

import (
	"bytes"
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// TestAttacksAreRejected sends requests an attacker or a misconfigured
// service could send and checks each is refused before any callback runs.
func TestAttacksAreRejected(t *testing.T) {
	var called atomic.Int32
	h, err := New(testHub, &Options{
		AccessKeys:       []string{testKey, testKey2},
		AllowedEndpoints: []string{testOrigin},
		MaxBodyBytes:     1024,
		OnConnect: func(context.Context, *ConnectRequest, *ConnectResponse) error {
			called.Add(1)
			return nil
		},
		OnUserEvent: func(context.Context, *UserEventRequest, *UserEventResponse) error {
			called.Add(1)
			return nil
		},
	})
	require.NoError(t, err)
	srv := newServer(t, h)
	user := protocol.EventTypeUserPrefix + "message"
	cases := []struct {
		name       string
		e          event
		wantStatus int
		wantReason string
	}{
		{"forged signature", event{ceType: user, signature: protocol.Signature(testConnID, "guessed-key")}, 401, "ce-signature does not match any access key"},
		{"signature of another connection", event{ceType: user, signature: protocol.Signature("conn-2", testKey)}, 401, "ce-signature does not match"},
		{"garbage signature", event{ceType: user, signature: "sha256=zz,md5=1,,"}, 401, "ce-signature does not match"},
		{"missing signature", event{ceType: user, signature: "-"}, 401, "missing ce-signature header"},
		{"disallowed origin", event{ceType: user, origin: "evil.example"}, 403, "origin is not allowed"},
		{"wrong hub", event{ceType: user, hub: "other"}, 400, "this handler serves hub chat"},
		{"unknown event type", event{ceType: "azure.webpubsub.sys.explode"}, 400, `unsupported event type "azure.webpubsub.sys.explode"`},
		{"user event without a name", event{ceType: protocol.EventTypeUserPrefix}, 400, "unsupported event type"},
		{"oversized body", event{ceType: user, contentType: "text/plain", body: bytes.Repeat([]byte("x"), 1025)}, 413, "too large"},
		{"connect body not JSON", event{ceType: protocol.EventTypeConnect, body: []byte("{")}, 400, "not a JSON object"},
		{"disconnected body not JSON", event{ceType: protocol.EventTypeDisconnected, body: []byte("[")}, 400, "not a JSON object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := send(t, srv, testPath, tc.e)
			assert.Contains(t, readBody(t, resp), tc.wantReason)
			assert.Equal(t, tc.wantStatus, resp.StatusCode)
		})
	}
	assert.Zero(t, called.Load(), "no callback may run for a rejected request")

	t.Run("missing ce-type, ce-connectionId or ce-hub", func(t *testing.T) {
		for _, drop := range []string{protocol.HeaderType, protocol.HeaderConnectionID, protocol.HeaderHub} {
			req, err := http.NewRequest(http.MethodPost, srv.URL+testPath, nil)
			require.NoError(t, err)
			req.Header.Set(protocol.HeaderType, user)
			req.Header.Set(protocol.HeaderConnectionID, testConnID)
			req.Header.Set(protocol.HeaderHub, testHub)
			req.Header.Set(protocol.HeaderRequestOrigin, testOrigin)
			req.Header.Set(protocol.HeaderSignature, protocol.Signature(testConnID, testKey))
			req.Header.Del(drop)
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			assert.Contains(t, readBody(t, resp), "missing "+drop)
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		}
	})

	t.Run("oversized body without Content-Length", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+testPath, struct{ *bytes.Reader }{bytes.NewReader(bytes.Repeat([]byte("x"), 4096))})
		require.NoError(t, err)
		req.ContentLength = -1 // chunked: the limit must hold while reading
		req.Header.Set(protocol.HeaderType, user)
		req.Header.Set(protocol.HeaderConnectionID, testConnID)
		req.Header.Set(protocol.HeaderHub, testHub)
		req.Header.Set(protocol.HeaderRequestOrigin, testOrigin)
		req.Header.Set(protocol.HeaderSignature, protocol.Signature(testConnID, testKey2))
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		readBody(t, resp)
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	})

	t.Run("secondary key and multi-value signature are accepted", func(t *testing.T) {
		sig := "sha256=00," + protocol.Signature(testConnID, testKey2)
		resp := send(t, srv, testPath, event{ceType: protocol.EventTypeConnect, signature: sig})
		readBody(t, resp)
		assert.Equal(t, http.StatusNoContent, resp.StatusCode)
		assert.Equal(t, int32(1), called.Load())
	})
}
