package client_test

import (
	"context"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// streamClients starts a receiver in group "g" subscribed to streams and a
// sender allowed to send to it.
func streamClients(t *testing.T, v *env, senderOpts, receiverOpts *client.Options, sub *client.GroupStreamSubscriptionOptions) (tx, rx *client.Client, s *client.GroupStreamSubscription) {
	t.Helper()
	rx = startClient(t, v.url(t, "rx", allRoles...), receiverOpts)
	s = rx.SubscribeGroupStreams(sub)
	t.Cleanup(s.Close)
	_, err := rx.JoinGroup(ctxT(t), "g", nil)
	require.NoError(t, err)
	tx = startClient(t, v.url(t, "tx", allRoles...), senderOpts)
	return tx, rx, s
}

func TestGroupStreamEndToEnd(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var r recorder
	tx, _, sub := streamClients(t, v, fastOptions(), r.hook(fastOptions()), nil)
	w, err := tx.OpenGroupStream(ctxT(t), "g", &client.OpenGroupStreamOptions{StreamID: "s-1"})
	require.NoError(t, err)
	assert.Equal(t, "s-1", w.StreamID())
	assert.Equal(t, "g", w.Group())
	require.NoError(t, w.Write(ctxT(t), client.Text("one")))
	require.NoError(t, w.Write(ctxT(t), client.JSON(map[string]int{"two": 2})))
	require.NoError(t, w.Write(ctxT(t), client.Binary([]byte{3})))
	require.NoError(t, w.End(ctxT(t)), "End waits for the service to close the stream")
	<-w.Done()
	assert.NoError(t, w.Err())
	assert.ErrorIs(t, w.Write(ctxT(t), client.Text("late")), client.ErrStreamClosed)

	gs, err := sub.Next(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, "g", gs.Group)
	assert.Equal(t, "s-1", gs.StreamID)
	assert.Equal(t, "tx", gs.FromUserID)
	var got []client.StreamFragment
	for f, err := range gs.Fragments(ctxT(t)) {
		require.NoError(t, err)
		got = append(got, f)
	}
	require.Len(t, got, 3)
	assert.Equal(t, client.StreamFragment{DataType: client.DataTypeText, Data: []byte("one"), StreamSequenceID: 1, SequenceID: got[0].SequenceID}, got[0])
	assert.Equal(t, client.DataTypeJSON, got[1].DataType)
	assert.JSONEq(t, `{"two":2}`, string(got[1].Data))
	assert.Equal(t, []byte{3}, got[2].Data)
	assert.NotZero(t, got[0].SequenceID, "reliable receivers get sequence ids")
	_, err = gs.Next(ctxT(t))
	assert.ErrorIs(t, err, io.EOF)

	// Code reading group messages sees the stream metadata.
	waitFor(t, func() bool { return len(r.groupMessages()) == 4 }, "every stream frame is also a group message")
	gm := r.groupMessages()
	assert.Equal(t, &client.GroupStreamInfo{StreamID: "s-1", StreamSequenceID: 1}, gm[0].Stream)
	assert.Equal(t, &client.GroupStreamInfo{StreamID: "s-1", StreamSequenceID: 4, EndOfStream: true}, gm[3].Stream)
}

func TestGroupStreamAbortReachesReceivers(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	tx, _, sub := streamClients(t, v, fastOptions(), fastOptions(), nil)
	w, err := tx.OpenGroupStream(ctxT(t), "g", nil)
	require.NoError(t, err)
	require.Len(t, w.StreamID(), 36, "a random UUID by default")
	require.NoError(t, w.Write(ctxT(t), client.Text("partial")))
	require.NoError(t, w.Abort(ctxT(t), &client.StreamError{Message: "source failed", UserErrorCode: "E7"}))

	gs, err := sub.Next(ctxT(t))
	require.NoError(t, err)
	f, err := gs.Next(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, "partial", string(f.Data))
	_, err = gs.Next(ctxT(t))
	var se *client.StreamError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, client.StreamError{Name: "UserError", Message: "source failed", UserErrorCode: "E7"}, *se)
}

func TestGroupStreamOpenForbidden(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	tx := startClient(t, v.url(t, "tx"), fastOptions())
	_, err := tx.OpenGroupStream(ctxT(t), "g", nil)
	var se *client.StreamError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "Forbidden", se.Name)

	w, err := tx.OpenGroupStream(ctxT(t), "g", &client.OpenGroupStreamOptions{StreamID: "x"})
	require.Error(t, err, "still forbidden")
	assert.Nil(t, w)
}

func TestGroupStreamDuplicateIDFails(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	tx := startClient(t, v.url(t, "tx", allRoles...), fastOptions())
	w, err := tx.OpenGroupStream(ctxT(t), "g", &client.OpenGroupStreamOptions{StreamID: "same"})
	require.NoError(t, err)
	_, err = tx.OpenGroupStream(ctxT(t), "g", &client.OpenGroupStreamOptions{StreamID: "same"})
	assert.ErrorContains(t, err, `stream "same" already exists`)
	require.NoError(t, w.End(ctxT(t)))
}

func TestGroupStreamReceiverIdleTimeout(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	tx, _, sub := streamClients(t, v, fastOptions(), fastOptions(), &client.GroupStreamSubscriptionOptions{IdleTimeout: 100 * time.Millisecond})
	w, err := tx.OpenGroupStream(ctxT(t), "g", nil)
	require.NoError(t, err)
	require.NoError(t, w.Write(ctxT(t), client.Text("only")))
	gs, err := sub.Next(ctxT(t))
	require.NoError(t, err)
	f, err := gs.Next(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, "only", string(f.Data))
	_, err = gs.Next(ctxT(t))
	var se *client.StreamError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "IdleTimeout", se.Name)
	require.NoError(t, w.End(ctxT(t)))
}

func TestGroupStreamSenderIdleTimeoutFromTheService(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	tx := startClient(t, v.url(t, "tx", allRoles...), fastOptions())
	w, err := tx.OpenGroupStream(ctxT(t), "g", &client.OpenGroupStreamOptions{IdleTimeoutMs: 100})
	require.NoError(t, err)
	select {
	case <-w.Done():
	case <-ctxT(t).Done():
		t.Fatal("the idle stream was not closed")
	}
	var se *client.StreamError
	require.ErrorAs(t, w.Err(), &se)
	assert.Equal(t, "IdleTimeout", se.Name)
	require.ErrorAs(t, w.Write(ctxT(t), client.Text("x")), &se)
}

func TestGroupStreamFailsOnNewConnectionAndStop(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	o := fastOptions()
	o.Protocol = client.ProtocolJSON // a drop cannot be recovered
	tx := startClient(t, v.url(t, "tx", allRoles...), o)
	w, err := tx.OpenGroupStream(ctxT(t), "g", nil)
	require.NoError(t, err)
	require.True(t, v.e.DropConnection(v.hub, tx.ConnectionID()))
	<-w.Done()
	assert.ErrorIs(t, w.Err(), client.ErrStreamConnectionLost)
	assert.ErrorIs(t, w.Write(ctxT(t), client.Text("x")), client.ErrStreamConnectionLost)

	tx2 := startClient(t, v.url(t, "tx2", allRoles...), fastOptions())
	w2, err := tx2.OpenGroupStream(ctxT(t), "g", nil)
	require.NoError(t, err)
	stopClient(t, tx2)
	<-w2.Done()
	assert.ErrorIs(t, w2.Err(), client.ErrStreamClientStopping)
}

// TestGroupStreamWriteBlocksWhileTheBufferIsFull: with a service that does
// not acknowledge fragments, Write blocks at the bound until an ack frees
// room.
func TestGroupStreamWriteBlocksWhileTheBufferIsFull(t *testing.T) {
	ackNow := make(chan string, 1)
	f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c1"))
		go func() {
			select {
			case a := <-ackNow:
				send(ctx, ws, a)
			case <-ctx.Done():
			}
		}()
		readFrames(ctx, ws, func(b []byte) bool {
			if strings.Contains(string(b), `"stream":{"streamId":"s"`) {
				send(ctx, ws, `{"type":"streamAck","streamId":"s","expectedSequenceId":1}`)
			}
			return true
		})
	})
	tx := startClient(t, f.url(), fastOptions())
	w, err := tx.OpenGroupStream(ctxT(t), "g", &client.OpenGroupStreamOptions{StreamID: "s", MaxBufferedFragments: 2})
	require.NoError(t, err)
	require.NoError(t, w.Write(ctxT(t), client.Text("1")))
	require.NoError(t, w.Write(ctxT(t), client.Text("2")))
	short, cancel := context.WithTimeout(ctxT(t), 100*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, w.Write(short, client.Text("3")), context.DeadlineExceeded, "the third write waits for room")

	done := make(chan error, 1)
	go func() { done <- w.Write(ctxT(t), client.Text("3")) }()
	ackNow <- `{"type":"streamAck","streamId":"s","expectedSequenceId":2}`
	require.NoError(t, <-done, "an ack frees room")
}

// TestGroupStreamAckOutOfRangeIsAProtocolViolation: an ack beyond what was
// sent fails the stream and the client tells the service with streamEnd.
func TestGroupStreamAckOutOfRangeIsAProtocolViolation(t *testing.T) {
	gotEnd := make(chan string, 1)
	f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c1"))
		readFrames(ctx, ws, func(b []byte) bool {
			s := string(b)
			switch {
			case strings.Contains(s, `"stream":{"streamId":"s"`):
				send(ctx, ws, `{"type":"streamAck","streamId":"s","expectedSequenceId":1}`)
			case strings.Contains(s, `"type":"streamData"`):
				send(ctx, ws, `{"type":"streamAck","streamId":"s","expectedSequenceId":9}`)
			case strings.Contains(s, `"type":"streamEnd"`):
				gotEnd <- s
			}
			return true
		})
	})
	tx := startClient(t, f.url(), fastOptions())
	w, err := tx.OpenGroupStream(ctxT(t), "g", &client.OpenGroupStreamOptions{StreamID: "s"})
	require.NoError(t, err)
	require.NoError(t, w.Write(ctxT(t), client.Text("1")))
	<-w.Done()
	var se *client.StreamError
	require.ErrorAs(t, w.Err(), &se)
	assert.Equal(t, "ProtocolViolation", se.Name)
	select {
	case s := <-gotEnd:
		assert.Contains(t, s, `"userErrorCode":"ProtocolViolation"`)
	case <-ctxT(t).Done():
		t.Fatal("no streamEnd after the protocol violation")
	}
}

// TestInvokeEventUnsupportedResponse: a response without "success" fails
// the call and the client cancels the invocation.
func TestInvokeEventUnsupportedResponse(t *testing.T) {
	cancelled := make(chan string, 1)
	f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c1"))
		readFrames(ctx, ws, func(b []byte) bool {
			s := string(b)
			switch {
			case strings.Contains(s, `"type":"invoke"`):
				send(ctx, ws, `{"type":"invokeResponse","invocationId":"1","dataType":"xml","data":"dropped"}`)
				send(ctx, ws, `{"type":"invokeResponse","invocationId":"1"}`)
			case strings.Contains(s, `"type":"cancelInvocation"`):
				cancelled <- s
			}
			return true
		})
	})
	c := startClient(t, f.url(), fastOptions())
	_, err := c.InvokeEvent(ctxT(t), "e", client.Text("x"), nil)
	var ie *client.InvocationError
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, ie.Message, "unsupported invoke response frame")
	select {
	case s := <-cancelled:
		assert.JSONEq(t, `{"type":"cancelInvocation","invocationId":"1"}`, s)
	case <-ctxT(t).Done():
		t.Fatal("no cancelInvocation")
	}
}

// TestGroupStreamExactlyOnceThroughDrops sends 10,000 fragments while both
// the sender's and the receiver's connections are dropped at least 20 times
// each; every fragment arrives exactly once, in order.
func TestGroupStreamExactlyOnceThroughDrops(t *testing.T) {
	if testing.Short() {
		t.Skip("long end-to-end test")
	}
	const total = 10000
	const drops = 25
	v := newEnv(t, emulator.Options{})
	tx, rx, sub := streamClients(t, v, fastOptions(), fastOptions(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The test's own window keeps the sender at most 300 fragments ahead of
	// the receiver, so that a receiver away for a while stays within the
	// service's resend buffer (1,000 messages). It is not what is tested.
	var received atomic.Int64
	var mu sync.Mutex
	progress := sync.NewCond(&mu)
	waitReceived := func(n int64) bool {
		mu.Lock()
		defer mu.Unlock()
		for received.Load() < n && ctx.Err() == nil {
			progress.Wait()
		}
		return ctx.Err() == nil
	}
	stopWaiters := context.AfterFunc(ctx, func() { mu.Lock(); progress.Broadcast(); mu.Unlock() })
	defer stopWaiters()

	var senderDrops, receiverDrops int
	dropper := make(chan struct{})
	drop := func(c *client.Client) bool {
		for ctx.Err() == nil {
			if c.State() == client.StateConnected && v.e.DropConnection(v.hub, c.ConnectionID()) {
				return true
			}
			time.Sleep(time.Millisecond) // waiting for the recovery to finish
		}
		return false
	}
	go func() {
		defer close(dropper)
		for i := 1; i <= drops; i++ {
			if !waitReceived(int64(i*total/(drops+1))) || !drop(tx) {
				return
			}
			senderDrops++
			if !waitReceived(int64(i*total/(drops+1)+total/(2*(drops+1)))) || !drop(rx) {
				return
			}
			receiverDrops++
		}
	}()

	sendErr := make(chan error, 1)
	go func() {
		w, err := tx.OpenGroupStream(ctx, "g", nil)
		if err != nil {
			sendErr <- err
			return
		}
		for k := 1; k <= total; k++ {
			if int64(k)-received.Load() > 300 && !waitReceived(int64(k)-300) {
				sendErr <- ctx.Err()
				return
			}
			if err := w.Write(ctx, client.Text(strconv.Itoa(k))); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- w.End(ctx)
	}()

	gs, err := sub.Next(ctx)
	require.NoError(t, err)
	next := 1
	for f, err := range gs.Fragments(ctx) {
		require.NoError(t, err, "after %d fragments", next-1)
		require.Equal(t, strconv.Itoa(next), string(f.Data), "fragments arrive exactly once, in order")
		require.Equal(t, uint64(next), f.StreamSequenceID)
		next++
		mu.Lock()
		received.Store(int64(next - 1))
		progress.Broadcast()
		mu.Unlock()
	}
	require.NoError(t, <-sendErr)
	<-dropper
	assert.Equal(t, total+1, next)
	assert.GreaterOrEqual(t, senderDrops, 20)
	assert.GreaterOrEqual(t, receiverDrops, 20)
	t.Logf("%d fragments through %d sender and %d receiver drops", total, senderDrops, receiverDrops)
}

// TestStartRefusedHandshakeCarriesTheReason: a refused handshake's error
// carries the service's reason text, not only the status.
func TestStartRefusedHandshakeCarriesTheReason(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	bad := strings.Replace(v.url(t, "u"), "access_token=", "access_token=x", 1)
	c, err := client.New(bad, nil)
	require.NoError(t, err)
	err = c.Start(ctxT(t))
	var ce *client.ConnectError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 401, ce.StatusCode)
	require.NotEmpty(t, ce.Reason)
	assert.Contains(t, err.Error(), ce.Reason)
	assert.NotContains(t, err.Error(), "expected 101")
	assert.NotContains(t, ce.Reason, tokenOf(t, bad))
}
