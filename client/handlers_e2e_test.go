package client_test

import (
	"context"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// A handler that hands an acknowledged call to another goroutine and waits
// for it (an errgroup, a worker pool) does not deadlock, even with a queue
// of one message: the read loop never waits for handlers, so the ack gets
// through. (The client of v0.2.0 let only the dispatcher goroutine itself
// past a full queue, recognised by its goroutine id: the call below failed
// after its 5 s context, and hung for ever with context.Background().)
func TestHandlerWaitingOnAGoroutineThatMakesAnAckedCall(t *testing.T) {
	for _, proto := range chaosProtocols {
		t.Run(string(proto), func(t *testing.T) {
			const n = 20
			v := newEnv(t, emulator.Options{})
			var c *client.Client
			var log groupLog
			errs := make(chan error, n)
			o := withProtocol(proto)
			o.MaxQueuedMessages = 1
			o.OnGroupMessage = func(ctx context.Context, m client.GroupMessage) {
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					callCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
					defer cancel()
					_, err := c.SendToGroup(callCtx, "out", client.Text("echo "+string(m.Data)), nil)
					errs <- err
				}()
				wg.Wait()
				log.add(m)
			}
			c = startClient(t, v.url(t, "receiver", allRoles...), o)
			_, err := c.JoinGroup(ctxT(t), "g", nil)
			require.NoError(t, err)
			sendNumbered(t, startClient(t, v.url(t, "sender", allRoles...), fastOptions()), "g", n)
			for i := 0; i < n; i++ {
				select {
				case err := <-errs:
					require.NoError(t, err, "acked call %d", i)
				case <-time.After(30 * time.Second):
					t.Fatalf("only %d of %d acked calls returned: the handler and the read loop wait for each other", i, n)
				}
			}
			waitFor(t, func() bool { return log.len() == n }, "every handler returned")
			requireInOrder(t, log.messages(), n)
			_, highWater, _ := client.QueueStats(c)
			assert.LessOrEqual(t, highWater, 1)
		})
	}
}

// While a handler waits for an acknowledged call whose ack arrives behind
// many messages, the queue stays within its bound (v0.2.0 lifted the bound
// for as long as the handler waited, so the queue had no ceiling at all);
// the ack still arrives, and the messages beyond the bound are resent.
func TestQueueStaysBoundedWhileAHandlerWaitsForAnAck(t *testing.T) {
	const n, bound = 300, 10
	v := newEnv(t, emulator.Options{})
	var c *client.Client
	var log groupLog
	flooded := make(chan struct{})
	acked := make(chan error, 1)
	o := fastOptions()
	o.MaxQueuedMessages = bound
	o.OnGroupMessage = func(ctx context.Context, m client.GroupMessage) {
		if string(m.Data) == "0" {
			<-flooded // every message is on its way before the call
			_, err := c.JoinGroup(ctx, "other", nil)
			acked <- err
		}
		log.add(m)
	}
	c = startClient(t, v.url(t, "receiver", allRoles...), o)
	_, err := c.JoinGroup(ctxT(t), "g", nil)
	require.NoError(t, err)
	sendNumbered(t, startClient(t, v.url(t, "sender", allRoles...), fastOptions()), "g", n)
	close(flooded)
	select {
	case err := <-acked:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the handler's acked call never returned")
	}
	waitFor(t, func() bool { return log.len() == n }, "every message arrives")
	requireInOrder(t, log.messages(), n)
	_, highWater, _ := client.QueueStats(c)
	assert.LessOrEqual(t, highWater, bound, "the queue never held more than its bound")
}

// Stop waits for a stuck handler only as long as its ctx allows, says which
// handler it gave up on, and cancels the ctx the handler got; a restarted
// client delivers the new run's events while the old handler is still stuck
// (v0.2.0 made the new run wait for the old run's handlers).
func TestStopWithAStuckHandlerThenRestart(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	stuck := make(chan context.Context, 1)
	var runs atomic.Int32
	var r recorder
	o := r.hook(fastOptions())
	o.OnServerMessage = func(ctx context.Context, m client.ServerMessage) {
		if string(m.Data) == "block" {
			stuck <- ctx
			<-release
			return
		}
		r.mu.Lock()
		r.server = append(r.server, m)
		r.mu.Unlock()
	}
	o.OnConnected = func(context.Context, client.ConnectedEvent) { runs.Add(1) }
	c, err := client.New(v.url(t, "u"), o)
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	_, err = v.sc.SendToConnection(ctxT(t), c.ConnectionID(), webpubsub.TextMessage("block"), nil)
	require.NoError(t, err)
	handlerCtx := <-stuck
	require.NoError(t, handlerCtx.Err(), "the handler's ctx is live while the client runs")

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = c.Stop(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "OnServerMessage has been running for")
	require.ErrorIs(t, handlerCtx.Err(), context.Canceled, "Stop canceled the handler's ctx")
	assert.Equal(t, client.StateStopped, c.State())

	require.NoError(t, c.Start(ctxT(t)))
	waitFor(t, func() bool { return runs.Load() == 2 }, "the new run's Connected event is delivered")
	_, err = v.sc.SendToConnection(ctxT(t), c.ConnectionID(), webpubsub.TextMessage("second run"), nil)
	require.NoError(t, err)
	waitFor(t, func() bool { return len(r.serverMessages()) == 1 }, "the new run's messages are delivered")
	assert.Equal(t, "second run", string(r.serverMessages()[0].Data))
	assert.Empty(t, r.stoppedEvents(), "the first run's Stopped waits behind its stuck handler")
	stopClient(t, c)
	assert.Len(t, r.stoppedEvents(), 1, "the second run stopped cleanly")
}

// A handler that calls Stop with its own ctx does not wait for itself.
func TestStopFromAHandler(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var c *client.Client
	stopped := make(chan error, 1)
	o := fastOptions()
	o.OnServerMessage = func(ctx context.Context, _ client.ServerMessage) {
		stopped <- c.Stop(ctx)
		assert.Error(t, ctx.Err(), "the handler's ctx is canceled by the Stop it called")
	}
	var err error
	c, err = client.New(v.url(t, "u"), o)
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	_, err = v.sc.SendToConnection(ctxT(t), c.ConnectionID(), webpubsub.TextMessage("stop"), nil)
	require.NoError(t, err)
	select {
	case err := <-stopped:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Stop called from a handler with its ctx blocked")
	}
	assert.Equal(t, client.StateStopped, c.State())
	stopClient(t, c) // waits for the handler that called Stop
}

// The keep-alive closes a connection on which the service went silent even
// while a handler is stuck (v0.2.0 never took a connection paused for its
// handlers for silent, so a stuck handler kept a dead connection for ever).
func TestKeepAliveClosesASilentConnectionWhileAHandlerIsStuck(t *testing.T) {
	release := make(chan struct{})
	f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c"+strconv.Itoa(n)))
		if n == 0 {
			send(ctx, ws, `{"type":"message","from":"server","dataType":"text","data":"block"}`)
		}
		// Read (so writes never block) but answer nothing, pings included.
		readFrames(ctx, ws, func([]byte) bool { return true })
	})
	t.Cleanup(func() { close(release) })
	o := fastOptions()
	o.Protocol = client.ProtocolJSON
	o.KeepAliveInterval = 20 * time.Millisecond
	o.KeepAliveTimeout = 300 * time.Millisecond
	inHandler := make(chan struct{})
	o.OnServerMessage = func(context.Context, client.ServerMessage) {
		close(inHandler)
		<-release
	}
	c, err := client.New(f.url(), o)
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = c.Stop(ctx) // the handler is released later
	})
	<-inHandler
	waitFor(t, func() bool { return c.ConnectionID() == "c1" }, "the silent connection is closed and replaced")
}

// While 64 lifecycle events wait behind a stuck handler the client opens no
// new connection, so a flapping connection cannot grow them without bound;
// once the handler returns, it goes on.
func TestStuckHandlerBoundsTheLifecycleEvents(t *testing.T) {
	f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c"+strconv.Itoa(n)))
		_ = ws.Close(websocket.StatusGoingAway, "flap") // every connection drops at once
	})
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock)
	o := fastOptions()
	o.Protocol = client.ProtocolJSON
	o.ReconnectRetry = client.RetryOptions{Delay: time.Millisecond}
	var connectedCount atomic.Int32
	o.OnConnected = func(context.Context, client.ConnectedEvent) {
		if connectedCount.Add(1) == 1 {
			<-release
		}
	}
	o.OnDisconnected = func(context.Context, client.DisconnectedEvent) {}
	c := startClient(t, f.url(), o)
	waitFor(t, func() bool { return len(f.requestQueries()) > 20 }, "the client reconnects")
	// Each flap queues a Connected and a Disconnected event.
	waitFor(t, func() bool {
		n := len(f.requestQueries())
		time.Sleep(100 * time.Millisecond)
		return len(f.requestQueries()) == n
	}, "reconnecting pauses while the events wait")
	assert.LessOrEqual(t, len(f.requestQueries()), 2+64/2+1, "connections opened while the handler was stuck")
	paused := len(f.requestQueries())
	unblock()
	waitFor(t, func() bool { return len(f.requestQueries()) > paused+5 }, "reconnecting resumes once the handler returns")
	stopClient(t, c)
}
