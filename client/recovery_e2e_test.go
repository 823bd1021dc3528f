package client_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

func TestRecoveryAfterDropKeepsConnectionAndMessages(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var calls atomic.Int32
	u := v.url(t, "u", allRoles...)
	var r recorder
	c, err := client.NewWithURLProvider(func(context.Context) (string, error) {
		calls.Add(1)
		return u, nil
	}, r.hook(fastOptions()))
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	t.Cleanup(func() { stopClient(t, c) })
	sender := startClient(t, v.url(t, "s", allRoles...), fastOptions())
	ctx := ctxT(t)
	_, err = c.JoinGroup(ctx, "g", nil)
	require.NoError(t, err)
	id := c.ConnectionID()

	for i := 0; i < 5; i++ {
		require.True(t, v.e.DropConnection(v.hub, id))
		_, err = sender.SendToGroup(ctx, "g", client.Text("m"), nil)
		require.NoError(t, err)
		_, err = c.JoinGroup(ctx, "g", nil)
		require.NoError(t, err, "operations wait for the recovered connection")
	}
	require.Eventually(t, func() bool { return len(r.groupMessages()) == 5 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, id, c.ConnectionID(), "recovery keeps the connection")
	assert.Equal(t, int32(1), calls.Load(), "recovery reuses the last URL")
	assert.Len(t, r.connectedEvents(), 1, "a recovery is not a new connection")
	assert.Empty(t, r.disconnectedEvents(), "a recovered drop is not reported")
}

func TestReconnectAndRejoinWhenRecoveryIsImpossible(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var calls atomic.Int32
	var r recorder
	c, err := client.NewWithURLProvider(func(context.Context) (string, error) {
		calls.Add(1)
		return v.url(t, "u", allRoles...), nil
	}, r.hook(fastOptions()))
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	t.Cleanup(func() { stopClient(t, c) })
	ctx := ctxT(t)
	_, err = c.JoinGroup(ctx, "g", nil)
	require.NoError(t, err)
	first := c.ConnectionID()

	v.e.Reset()
	require.Eventually(t, func() bool { return len(r.connectedEvents()) == 2 }, 10*time.Second, 5*time.Millisecond)
	assert.NotEqual(t, first, c.ConnectionID())
	assert.Equal(t, int32(2), calls.Load(), "a new connection asks the provider for a fresh URL")
	require.Len(t, r.disconnectedEvents(), 1)
	assert.Equal(t, first, r.disconnectedEvents()[0].ConnectionID)
	assert.Error(t, r.disconnectedEvents()[0].Err)

	// The client rejoined g: a message to g reaches it.
	sender := startClient(t, v.url(t, "s", allRoles...), fastOptions())
	require.Eventually(t, func() bool {
		if _, err := sender.SendToGroup(ctx, "g", client.Text("after reset"), nil); err != nil {
			return false
		}
		return len(r.groupMessages()) > 0
	}, 5*time.Second, 20*time.Millisecond)
	assert.Equal(t, "after reset", string(r.groupMessages()[0].Data))
	assert.Empty(t, r.rejoinFailures())
}

func TestRejoinGroupFailedIsReported(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var calls atomic.Int32
	var r recorder
	c, err := client.NewWithURLProvider(func(context.Context) (string, error) {
		if calls.Add(1) == 1 {
			return v.url(t, "u", allRoles...), nil
		}
		return v.url(t, "u"), nil // no roles after the restart
	}, r.hook(fastOptions()))
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	t.Cleanup(func() { stopClient(t, c) })
	_, err = c.JoinGroup(ctxT(t), "g", nil)
	require.NoError(t, err)

	v.e.Reset()
	require.Eventually(t, func() bool { return len(r.rejoinFailures()) == 1 }, 10*time.Second, 5*time.Millisecond)
	f := r.rejoinFailures()[0]
	assert.Equal(t, "g", f.Group)
	var se *client.SendMessageError
	require.ErrorAs(t, f.Err, &se)
	assert.Equal(t, "Forbidden", se.ErrorName)
	assert.NotZero(t, se.AckID)
	assert.Equal(t, client.StateConnected, c.State())
}

func TestNoAutoReconnectStops(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var r recorder
	o := r.hook(fastOptions())
	o.DisableAutoReconnect = true
	c := startClient(t, v.url(t, "u"), o)
	v.e.Reset()
	require.Eventually(t, func() bool { return len(r.stoppedEvents()) == 1 }, 10*time.Second, 5*time.Millisecond)
	assert.Error(t, r.stoppedEvents()[0].Err)
	assert.Len(t, r.disconnectedEvents(), 1)
	assert.Equal(t, client.StateStopped, c.State())
}

func TestHandlersMayCallTheClient(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var c *client.Client
	replied := make(chan error, 1)
	stopped := make(chan struct{})
	o := fastOptions()
	o.OnGroupMessage = func(ctx context.Context, m client.GroupMessage) {
		switch string(m.Data) {
		case "ping":
			_, err := c.SendToGroup(context.Background(), "g", client.Text("pong"), nil)
			replied <- err
		case "pong":
			replied <- c.Stop(ctx)
		}
	}
	o.OnStopped = func(context.Context, client.StoppedEvent) { close(stopped) }
	var err error
	c, err = client.New(v.url(t, "u", allRoles...), o)
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	_, err = c.JoinGroup(ctxT(t), "g", nil)
	require.NoError(t, err)
	_, err = c.SendToGroup(ctxT(t), "g", client.Text("ping"), nil)
	require.NoError(t, err)
	for i := 0; i < 2; i++ {
		select {
		case err := <-replied:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("a handler calling the client blocked")
		}
	}
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop from a handler did not stop the client")
	}
	assert.Equal(t, client.StateStopped, c.State())
}
