package client_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// TestDisconnectedMessageSurvivesFailedRecovery checks that the reason in the
// service's "disconnected" message reaches OnDisconnected when a reliable
// client tried to recover and the service refused (the connection was closed
// through the REST API). The JS client keeps its last disconnected message
// across recovery attempts; found by the interop suite.
func TestDisconnectedMessageSurvivesFailedRecovery(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var r recorder
	o := r.hook(fastOptions())
	o.DisableAutoReconnect = true
	c := startClient(t, v.url(t, "u"), o)
	_, err := v.sc.CloseConnection(ctxT(t), c.ConnectionID(), &webpubsub.ServiceClientCloseConnectionOptions{Reason: "closed by the server"})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(r.disconnectedEvents()) == 1 }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, "Application server closed the connection. Reason: closed by the server", r.disconnectedEvents()[0].Message, "the service's words")
}
