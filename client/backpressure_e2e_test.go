package client_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// Fix 8: a handler slower than the sender does not make the client queue
// without bound: with a full handler queue the client stops reading, and on
// the reliable protocol every message still arrives once and in order when
// the handler catches up.
func TestSlowHandlerPausesReadingInsteadOfQueueing(t *testing.T) {
	const n, bound = 600, 50
	v := newEnv(t, emulator.Options{})
	release := make(chan struct{})
	var mu sync.Mutex
	var got []client.GroupMessage
	o := fastOptions()
	o.MaxQueuedMessages = bound
	o.OnGroupMessage = func(m client.GroupMessage) {
		<-release
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}
	recv := startClient(t, v.url(t, "receiver", allRoles...), o)
	_, err := recv.JoinGroup(ctxT(t), "g", nil)
	require.NoError(t, err)
	send := startClient(t, v.url(t, "sender", allRoles...), fastOptions())
	ctx := chaosCtx(t)
	for i := 0; i < n; i++ {
		_, err := send.SendToGroup(ctx, "g", client.Text(strconv.Itoa(i)), &client.SendToGroupOptions{NoEcho: true})
		require.NoError(t, err)
	}
	// The service has taken all n; the receiver's handler is stuck on the
	// first, bound more wait in the queue and the read loop waits for room.
	waitFor(t, func() bool {
		queued, _, paused := client.QueueStats(recv)
		return queued == bound && paused
	}, "the read loop pauses with a full queue")
	_, highWater, _ := client.QueueStats(recv)
	assert.Equal(t, bound, highWater, "the queue never held more than its bound")

	close(release)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == n }, "every message arrives once the handler catches up")
	mu.Lock()
	requireInOrder(t, got, n)
	mu.Unlock()
	_, highWater, _ = client.QueueStats(recv)
	assert.LessOrEqual(t, highWater, bound)
	assert.Equal(t, client.StateConnected, recv.State())
}

// A handler that waits for an acknowledged operation while the queue is full
// does not deadlock with the read loop: the ack arrives behind the queued
// messages, so the bound is lifted while the handler waits.
func TestHandlerWaitingForAnAckWithAFullQueueDoesNotDeadlock(t *testing.T) {
	const n = 200
	v := newEnv(t, emulator.Options{})
	var c *client.Client
	handled := make(chan error, n)
	o := fastOptions()
	o.MaxQueuedMessages = 2
	o.OnGroupMessage = func(m client.GroupMessage) {
		_, err := c.SendEvent(context.Background(), "echo", client.Text(string(m.Data)), nil)
		handled <- err
	}
	c = startClient(t, v.url(t, "receiver", allRoles...), o)
	_, err := c.JoinGroup(ctxT(t), "g", nil)
	require.NoError(t, err)
	send := startClient(t, v.url(t, "sender", allRoles...), fastOptions())
	ctx := chaosCtx(t)
	for i := 0; i < n; i++ {
		_, err := send.SendToGroup(ctx, "g", client.Text(strconv.Itoa(i)), &client.SendToGroupOptions{NoEcho: true})
		require.NoError(t, err)
	}
	for i := 0; i < n; i++ {
		select {
		case err := <-handled:
			require.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Fatalf("only %d of %d handlers finished: the handler and the read loop wait for each other", i, n)
		}
	}
}

// Stop ends a read loop that waits for room in the handler queue.
func TestStopEndsAPausedReadLoop(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	release := make(chan struct{})
	defer close(release)
	o := fastOptions()
	o.MaxQueuedMessages = 1
	o.OnServerMessage = func(client.ServerMessage) { <-release }
	c, err := client.New(v.url(t, "receiver"), o)
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	for i := 0; i < 5; i++ {
		_, err := v.sc.SendToConnection(ctxT(t), c.ConnectionID(), webpubsub.TextMessage("m"), nil)
		require.NoError(t, err)
	}
	waitFor(t, func() bool { _, _, paused := client.QueueStats(c); return paused }, "the read loop pauses")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- c.Stop(ctx) }()
	select {
	case err := <-stopped:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("Stop blocked on the paused read loop")
	}
	assert.Equal(t, client.StateStopped, c.State())
}

// A read loop paused for a slow handler is not a dead connection: the
// keep-alive timeout does not close it, however long the handler takes.
func TestPausedReadLoopOutlastsTheKeepAliveTimeout(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	release := make(chan struct{})
	var r recorder
	o := r.hook(fastOptions())
	o.Protocol = client.ProtocolJSON // a closed connection would be replaced and reported
	o.MaxQueuedMessages = 1
	o.KeepAliveInterval = 10 * time.Millisecond
	o.KeepAliveTimeout = 100 * time.Millisecond
	o.OnServerMessage = func(m client.ServerMessage) {
		<-release
		r.mu.Lock()
		r.server = append(r.server, m)
		r.mu.Unlock()
	}
	c := startClient(t, v.url(t, "receiver"), o)
	for i := 0; i < 5; i++ {
		_, err := v.sc.SendToConnection(ctxT(t), c.ConnectionID(), webpubsub.TextMessage(strconv.Itoa(i)), nil)
		require.NoError(t, err)
	}
	waitFor(t, func() bool { _, _, paused := client.QueueStats(c); return paused }, "the read loop pauses")
	time.Sleep(500 * time.Millisecond) // five keep-alive timeouts
	close(release)
	waitFor(t, func() bool { return len(r.serverMessages()) == 5 }, "all messages arrive")
	assert.Empty(t, r.disconnectedEvents(), "the paused connection was not closed")
	assert.Len(t, r.connectedEvents(), 1)
}
