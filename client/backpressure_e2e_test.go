package client_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// groupLog records the group messages a handler has finished with.
type groupLog struct {
	mu  sync.Mutex
	got []client.GroupMessage
}

func (l *groupLog) add(m client.GroupMessage) {
	l.mu.Lock()
	l.got = append(l.got, m)
	l.mu.Unlock()
}

func (l *groupLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.got)
}

func (l *groupLog) messages() []client.GroupMessage {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]client.GroupMessage(nil), l.got...)
}

// sendNumbered sends "0".."n-1" to group g, each acknowledged.
func sendNumbered(t *testing.T, send *client.Client, g string, n int) {
	t.Helper()
	ctx := chaosCtx(t)
	for i := 0; i < n; i++ {
		_, err := send.SendToGroup(ctx, g, client.Text(strconv.Itoa(i)), &client.SendToGroupOptions{NoEcho: true})
		require.NoError(t, err)
	}
}

// A handler slower than the sender does not make the client queue without
// bound, and the read loop keeps reading: the messages that find the queue
// full are left to the service, which resends them when the client recovers
// the connection, so on a reliable subprotocol every message still arrives
// once and in order.
func TestSlowHandlerOverflowIsResentInOrder(t *testing.T) {
	for _, proto := range chaosProtocols {
		t.Run(string(proto), func(t *testing.T) {
			const n, bound = 300, 20
			v := newEnv(t, emulator.Options{})
			release := make(chan struct{})
			var log groupLog
			o := withProtocol(proto)
			o.MaxQueuedMessages = bound
			o.OnGroupMessage = func(_ context.Context, m client.GroupMessage) {
				<-release
				log.add(m)
			}
			recv := startClient(t, v.url(t, "receiver", allRoles...), o)
			_, err := recv.JoinGroup(ctxT(t), "g", nil)
			require.NoError(t, err)
			sendNumbered(t, startClient(t, v.url(t, "sender", allRoles...), fastOptions()), "g", n)
			waitFor(t, func() bool { _, _, overflow := client.QueueStats(recv); return overflow },
				"the messages beyond the bound are left to the service")
			queued, _, _ := client.QueueStats(recv)
			assert.Equal(t, bound, queued)
			// Acknowledged calls still complete while the handler is stuck.
			_, err = recv.JoinGroup(ctxT(t), "other", nil)
			require.NoError(t, err)

			close(release)
			waitFor(t, func() bool { return log.len() >= n }, "every message arrives once the handler catches up")
			requireInOrder(t, log.messages(), n)
			_, highWater, _ := client.QueueStats(recv)
			assert.LessOrEqual(t, highWater, bound, "the queue never held more than its bound")
			assert.Equal(t, client.StateConnected, recv.State())
		})
	}
}

// The bytes bound holds as well: big messages overflow the queue by bytes
// long before its count bound, and are still all delivered in order.
func TestQueueBoundedByBytes(t *testing.T) {
	const n, size = 40, 64 << 10
	v := newEnv(t, emulator.Options{})
	release := make(chan struct{})
	var log groupLog
	o := fastOptions()
	o.MaxQueuedBytes = 4 * size
	o.OnGroupMessage = func(_ context.Context, m client.GroupMessage) {
		<-release
		log.add(m)
	}
	recv := startClient(t, v.url(t, "receiver", allRoles...), o)
	_, err := recv.JoinGroup(ctxT(t), "g", nil)
	require.NoError(t, err)
	send := startClient(t, v.url(t, "sender", allRoles...), fastOptions())
	pad := strings.Repeat("x", size)
	for i := 0; i < n; i++ {
		_, err := send.SendToGroup(chaosCtx(t), "g", client.Text(strconv.Itoa(i)+" "+pad), &client.SendToGroupOptions{NoEcho: true})
		require.NoError(t, err)
	}
	waitFor(t, func() bool { _, _, overflow := client.QueueStats(recv); return overflow }, "the byte bound is reached")
	queued, _, _ := client.QueueStats(recv)
	assert.LessOrEqual(t, queued, 4, "at most MaxQueuedBytes of frames wait")
	close(release)
	waitFor(t, func() bool { return log.len() >= n }, "every message arrives")
	for i, m := range log.messages() {
		require.True(t, strings.HasPrefix(string(m.Data), strconv.Itoa(i)+" "), "message %d in order", i)
	}
	_, highWater, _ := client.QueueStats(recv)
	assert.LessOrEqual(t, highWater, 4)
}

// On a plain subprotocol the service cannot resend: a message that finds
// the queue full is lost, and the client says so (ErrQueueOverflow in the
// Disconnected event of the connection it closed) and opens a new one.
func TestPlainSubprotocolOverflowIsReported(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var r recorder
	o := r.hook(withProtocol(client.ProtocolJSON))
	o.MaxQueuedMessages = 2
	o.OnServerMessage = func(_ context.Context, m client.ServerMessage) {
		once.Do(func() { close(started) })
		<-release
		r.mu.Lock()
		r.server = append(r.server, m)
		r.mu.Unlock()
	}
	c := startClient(t, v.url(t, "receiver"), o)
	first := c.ConnectionID()
	for i := 0; i < 10; i++ {
		_, err := v.sc.SendToConnection(ctxT(t), first, webpubsub.TextMessage(strconv.Itoa(i)), nil)
		require.NoError(t, err)
		if i == 0 {
			<-started // the handler holds the first message
		}
	}
	waitFor(t, func() bool { return c.State() == client.StateConnected && c.ConnectionID() != first },
		"the overflowing connection is replaced while the handler is still stuck")
	close(release)
	waitFor(t, func() bool { return len(r.disconnectedEvents()) == 1 }, "the loss is reported")
	d := r.disconnectedEvents()[0]
	assert.Equal(t, first, d.ConnectionID)
	require.ErrorIs(t, d.Err, client.ErrQueueOverflow)
	assert.Contains(t, d.Err.Error(), "messages were lost")
	// The handler had one message and two were queued: the rest were lost.
	waitFor(t, func() bool { return len(r.serverMessages()) == 3 }, "the queued messages are delivered")
	assert.Len(t, r.connectedEvents(), 2)
}

// A handler slower than the keep-alive timeout does not make the client
// take a healthy connection for dead: pongs are read while it runs.
func TestSlowHandlerOutlastsTheKeepAliveTimeout(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	release := make(chan struct{})
	var r recorder
	o := r.hook(fastOptions())
	o.Protocol = client.ProtocolJSON // a closed connection would be replaced and reported
	o.MaxQueuedMessages = 2
	o.KeepAliveInterval = 10 * time.Millisecond
	o.KeepAliveTimeout = 200 * time.Millisecond
	o.OnServerMessage = func(_ context.Context, m client.ServerMessage) {
		<-release
		r.mu.Lock()
		r.server = append(r.server, m)
		r.mu.Unlock()
	}
	c := startClient(t, v.url(t, "receiver"), o)
	for i := 0; i < 2; i++ {
		_, err := v.sc.SendToConnection(ctxT(t), c.ConnectionID(), webpubsub.TextMessage(strconv.Itoa(i)), nil)
		require.NoError(t, err)
	}
	waitFor(t, func() bool { queued, _, _ := client.QueueStats(c); return queued == 1 }, "the handler holds one, one waits")
	time.Sleep(time.Second) // five keep-alive timeouts
	close(release)
	waitFor(t, func() bool { return len(r.serverMessages()) == 2 }, "all messages arrive")
	assert.Empty(t, r.disconnectedEvents(), "the connection was not closed")
	assert.Len(t, r.connectedEvents(), 1)
}
