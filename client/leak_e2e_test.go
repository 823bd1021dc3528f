package client_test

import (
	"bytes"
	"context"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// clientGoroutines returns the stacks of the goroutines running code of
// package client.
func clientGoroutines() []string {
	var buf bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&buf, 2)
	var out []string
	for _, g := range bytes.Split(buf.Bytes(), []byte("\n\n")) {
		if bytes.Contains(g, []byte("github.com/webpubsub-go/webpubsub/client.")) {
			out = append(out, string(g))
		}
	}
	return out
}

func TestNoGoroutineLeftAfterStop(t *testing.T) {
	before := goleak.IgnoreCurrent()
	v := newEnv(t, emulator.Options{})
	e := v.e

	stopped := make(chan struct{})
	o := fastOptions()
	o.OnStopped = func(context.Context, client.StoppedEvent) { close(stopped) }
	o.OnGroupMessage = func(context.Context, client.GroupMessage) {}
	c, err := client.New(v.url(t, "u", allRoles...), o)
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	ctx := ctxT(t)
	_, err = c.JoinGroup(ctx, "g", nil)
	require.NoError(t, err)
	// Exercise recovery, then a new connection with a rejoin.
	require.True(t, e.DropConnection(v.hub, c.ConnectionID()))
	_, err = c.SendToGroup(ctx, "g", client.Text("after recovery"), nil)
	require.NoError(t, err)
	first := c.ConnectionID()
	e.Reset()
	require.Eventually(t, func() bool {
		return c.State() == client.StateConnected && c.ConnectionID() != first
	}, 10*time.Second, 5*time.Millisecond)
	_, err = c.SendToGroup(ctx, "g", client.Text("after reconnect"), nil)
	require.NoError(t, err)

	require.NotEmpty(t, clientGoroutines(), "the check sees a running client's goroutines")

	require.NoError(t, c.Stop(ctx))
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("no Stopped event")
	}
	// Stop returned after the Stopped handler; the dispatcher goroutine
	// exits right after it, every other goroutine ended before.
	require.Eventually(t, func() bool { return len(clientGoroutines()) == 0 }, 5*time.Second, time.Millisecond)
	assert.Empty(t, clientGoroutines())

	require.NoError(t, v.srv.Close())
	goleak.VerifyNone(t, before)
}
