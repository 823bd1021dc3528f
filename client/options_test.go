package client

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The defaults are those of the JavaScript client (see
// shared/reference/client-protocol.md, "JS client defaults").
func TestDefaultsMatchTheJavaScriptClient(t *testing.T) {
	c, err := newConfig(nil)
	require.NoError(t, err)
	assert.Equal(t, ProtocolJSONReliable, c.Protocol)
	assert.Equal(t, Protocol("json.reliable.webpubsub.azure.v1"), c.Protocol)
	assert.False(t, c.DisableAutoReconnect, "auto reconnect is on")
	assert.False(t, c.DisableAutoRejoinGroups, "auto rejoin is on")
	assert.Equal(t, 20*time.Second, c.KeepAliveInterval)
	assert.Equal(t, 120*time.Second, c.KeepAliveTimeout)
	assert.Equal(t, time.Second, c.SequenceAckInterval)
	assert.Equal(t, 30*time.Second, c.RecoveryWindow)
	assert.Equal(t, retryPolicy{maxRetries: 3, delay: time.Second, maxDelay: 30 * time.Second, mode: RetryFixed}, c.messageRetry)
	assert.Equal(t, retryPolicy{maxRetries: -1, delay: time.Second, maxDelay: 30 * time.Second, mode: RetryFixed}, c.reconnectRetry)
	assert.Same(t, http.DefaultClient, c.HTTPClient)

	zero, err := newConfig(&Options{})
	require.NoError(t, err)
	assert.Equal(t, c.Protocol, zero.Protocol, "a zero Options is the defaults")
	assert.Equal(t, c.messageRetry, zero.messageRetry)
}

func TestNegativeKeepAliveDisables(t *testing.T) {
	c, err := newConfig(&Options{KeepAliveInterval: -1, KeepAliveTimeout: -1, MessageRetry: RetryOptions{MaxRetries: -1}})
	require.NoError(t, err)
	assert.Negative(t, c.KeepAliveInterval)
	assert.Negative(t, c.KeepAliveTimeout)
	_, ok := c.messageRetry.next(1)
	assert.False(t, ok, "MaxRetries < 0 disables retries")
}

// Every Protocol value is accepted, with the codec of its family; anything
// else is refused with the values to use.
func TestProtocolValues(t *testing.T) {
	want := map[Protocol]bool{
		"json.reliable.webpubsub.azure.v1": false, "json.webpubsub.azure.v1": false,
		"protobuf.reliable.webpubsub.azure.v1": true, "protobuf.webpubsub.azure.v1": true,
	}
	require.Len(t, PossibleProtocolValues(), len(want))
	for _, p := range PossibleProtocolValues() {
		binary, ok := want[p]
		require.True(t, ok, p)
		c, err := newConfig(&Options{Protocol: p})
		require.NoError(t, err)
		assert.Equal(t, binary, c.codec.Binary(), p)
	}
	_, err := newConfig(&Options{Protocol: "json.webpubsub.azure.v2"})
	assert.EqualError(t, err, `client: unsupported protocol "json.webpubsub.azure.v2": use ProtocolJSONReliable, ProtocolJSON, ProtocolProtobufReliable or ProtocolProtobuf`)
}
