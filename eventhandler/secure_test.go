package eventhandler

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// TestNewRequiresAccessKeys checks that a handler checks signatures unless
// the caller opts out explicitly.
func TestNewRequiresAccessKeys(t *testing.T) {
	for name, opts := range map[string]*Options{"nil options": nil, "zero options": {}, "origins only": {AllowedEndpoints: []string{"x.webpubsub.azure.com"}}} {
		t.Run(name, func(t *testing.T) {
			_, err := New(testHub, opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Options.AccessKeys")
			assert.Contains(t, err.Error(), "Options.ConnectionString")
			assert.Contains(t, err.Error(), "InsecureSkipSignatureCheck")
		})
	}

	t.Run("keys or a connection string are enough", func(t *testing.T) {
		_, err := New(testHub, &Options{AccessKeys: []string{testKey}})
		require.NoError(t, err)
		_, err = New(testHub, &Options{ConnectionString: "Endpoint=https://x.example;AccessKey=k;Version=1.0;"})
		require.NoError(t, err)
	})

	t.Run("the opt-out accepts unsigned events and says so in the log", func(t *testing.T) {
		logger, logs := newTestLogger()
		var called bool
		h, err := New(testHub, &Options{InsecureSkipSignatureCheck: true, Logger: logger, OnConnect: func(context.Context, *ConnectRequest, *ConnectResponse) error {
			called = true
			return nil
		}})
		require.NoError(t, err)
		assert.Equal(t, 1, strings.Count(logs.String(), "level=WARN"))
		assert.Contains(t, logs.String(), "InsecureSkipSignatureCheck")
		resp := send(t, newServer(t, h), testPath, event{ceType: protocol.EventTypeConnect, signature: "-"})
		readBody(t, resp)
		assert.Equal(t, http.StatusNoContent, resp.StatusCode)
		assert.True(t, called)
	})

	t.Run("keys win over the opt-out", func(t *testing.T) {
		h, err := New(testHub, &Options{AccessKeys: []string{testKey}, InsecureSkipSignatureCheck: true})
		require.NoError(t, err)
		resp := send(t, newServer(t, h), testPath, event{ceType: protocol.EventTypeConnect, signature: "-"})
		readBody(t, resp)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	})
}
