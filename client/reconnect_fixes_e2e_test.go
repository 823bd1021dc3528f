package client_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Fix 1: when the service refuses the recovery, the Disconnected event keeps
// the original disconnect reason and message (as the JavaScript client
// does), not the recovery socket's empty ones.
func TestRefusedRecoveryKeepsTheOriginalDisconnectReason(t *testing.T) {
	f := newFakeService(t, fakeDiscard, func(ctx context.Context, ws *websocket.Conn, n int, q url.Values) {
		switch {
		case n == 0:
			send(ctx, ws, connected("c1"))
			send(ctx, ws, `{"type":"system","event":"disconnected","message":"service restarting"}`)
			_ = ws.Close(websocket.StatusGoingAway, "bye") // not 1008: recoverable
		case q.Has(protocol.QueryConnectionID):
			_ = ws.Close(websocket.StatusPolicyViolation, "") // refused, no reason given
		default:
			send(ctx, ws, connected("c2"))
			<-ctx.Done()
		}
	})
	var r recorder
	startClient(t, f.url(), r.hook(fastOptions()))
	waitFor(t, func() bool { return len(r.disconnectedEvents()) == 1 && len(r.connectedEvents()) == 2 }, "disconnected, then a new connection")
	d := r.disconnectedEvents()[0]
	assert.Equal(t, "c1", d.ConnectionID)
	assert.Equal(t, "service restarting", d.Message)
	require.Error(t, d.Err)
	assert.Contains(t, d.Err.Error(), "status 1001: bye", "the original reason")
	assert.Contains(t, d.Err.Error(), "recovery failed", "and why recovery failed")
	assert.Len(t, f.requestQueries(), 3)
}

// collectFrames returns what the client sends on ws during d. (A read is
// not bounded with a context: canceling it would close the connection.)
func collectFrames(ctx context.Context, ws *websocket.Conn, d time.Duration) []string {
	var mu sync.Mutex
	var got []string
	go readFrames(ctx, ws, func(b []byte) bool { mu.Lock(); got = append(got, string(b)); mu.Unlock(); return true })
	time.Sleep(d)
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), got...)
}

// Fix 2: a recovery socket is not used before the service confirmed it with
// its "connected" message: the service may still close it with 1008.
func TestRecoverySocketIsNotUsedBeforeTheServiceConfirmsIt(t *testing.T) {
	early := make(chan []string, 1)
	f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, q url.Values) {
		switch {
		case n == 0:
			send(ctx, ws, connected("c1"))
			readFrames(ctx, ws, func(b []byte) bool { return parseFrame(b).Type != "sendToGroup" }) // then drop
		case q.Has(protocol.QueryConnectionID):
			// Accepted but never confirmed: what does the client send?
			select {
			case early <- collectFrames(ctx, ws, 300*time.Millisecond):
			default:
			}
			_ = ws.Close(websocket.StatusPolicyViolation, "cannot recover")
		default:
			send(ctx, ws, connected("c2"))
			readFrames(ctx, ws, func(b []byte) bool { ackOK(ctx, ws, parseFrame(b)); return true })
		}
	})
	c := startClient(t, f.url(), fastOptions())
	_, err := c.SendToGroup(ctxT(t), "g", client.Text("x"), nil)
	require.NoError(t, err, "completed on the new connection")
	assert.Equal(t, "c2", c.ConnectionID())
	var got []string
	select {
	case got = <-early:
	case <-time.After(10 * time.Second):
		t.Fatal("no recovery attempt")
	}
	assert.Empty(t, got, "nothing is written into an unconfirmed recovery socket")
}

// Fix 3: 408 and 429 on a recovery handshake are transient; the client keeps
// recovering for the recovery window. Other 4xx mean the state is gone.
func TestRecoveryKeepsTryingAfter408And429(t *testing.T) {
	for _, tc := range []struct {
		status  int
		recover bool
	}{{408, true}, {429, true}, {404, false}} {
		t.Run(jsonNum(uint64(tc.status)), func(t *testing.T) {
			f := newFakeService(t, fakeDiscard, func(ctx context.Context, ws *websocket.Conn, n int, q url.Values) {
				if n == 0 {
					send(ctx, ws, connected("c1"))
					time.Sleep(20 * time.Millisecond)
					_ = ws.CloseNow() // abrupt drop: recoverable
					return
				}
				if q.Has(protocol.QueryConnectionID) {
					send(ctx, ws, connected("c1"))
				} else {
					send(ctx, ws, connected("c2"))
				}
				<-ctx.Done()
			})
			refused := 0
			f.refuseWith(func(n int, q url.Values) int {
				if q.Has(protocol.QueryConnectionID) && refused < 2 {
					refused++
					return tc.status
				}
				return 0
			})
			var r recorder
			c := startClient(t, f.url(), r.hook(fastOptions()))
			recoveries := func() (k int) {
				for _, q := range f.requestQueries() {
					if q.Has(protocol.QueryConnectionID) {
						k++
					}
				}
				return k
			}
			if tc.recover {
				waitFor(t, func() bool { return recoveries() == 3 && c.State() == client.StateConnected }, "recovered on the third attempt")
				assert.Equal(t, "c1", c.ConnectionID())
				assert.Len(t, f.requestQueries(), 4, "no new connection")
				assert.Empty(t, r.disconnectedEvents())
				return
			}
			waitFor(t, func() bool { return c.ConnectionID() == "c2" && c.State() == client.StateConnected }, "a new connection")
			assert.Equal(t, 1, recoveries(), "a refused recovery is not retried")
			require.Len(t, r.disconnectedEvents(), 1)
			assert.Contains(t, r.disconnectedEvents()[0].Err.Error(), "404")
		})
	}
}

// Fix 4: a LeaveGroup during the rejoin of the same group waits for the
// rejoin, so that the service ends up with the membership the client
// records. Here the rejoin's join fails transiently and is retried after the
// message retry delay, in which the application leaves the group.
func TestLeaveGroupDuringARejoinWins(t *testing.T) {
	var mu sync.Mutex
	var ops []string // joins and leaves of g the service carried out on the second connection
	failed := make(chan struct{})
	f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, q url.Values) {
		send(ctx, ws, connected("c"+jsonNum(uint64(n))))
		first := true
		readFrames(ctx, ws, func(b []byte) bool {
			m := parseFrame(b)
			if n == 0 {
				ackOK(ctx, ws, m)
				if m.Type == "joinGroup" {
					_ = ws.Close(websocket.StatusPolicyViolation, "no recovery")
					return false
				}
				return true
			}
			if m.Type == "joinGroup" && first {
				first = false
				send(ctx, ws, `{"type":"ack","ackId":`+jsonNum(*m.AckID)+`,"success":false,"error":{"name":"InternalServerError","message":"try again"}}`)
				close(failed)
				return true
			}
			if m.Type == "joinGroup" || m.Type == "leaveGroup" {
				mu.Lock()
				ops = append(ops, m.Type)
				mu.Unlock()
			}
			ackOK(ctx, ws, m)
			return true
		})
	})
	o := fastOptions()
	o.MessageRetry = client.RetryOptions{Delay: 300 * time.Millisecond}
	c := startClient(t, f.url(), o)
	_, err := c.JoinGroup(ctxT(t), "g", nil)
	require.NoError(t, err)
	select {
	case <-failed:
	case <-time.After(10 * time.Second):
		t.Fatal("no rejoin on the new connection")
	}
	_, err = c.LeaveGroup(ctxT(t), "g", nil)
	require.NoError(t, err)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(ops) == 2 }, "the rejoin and the leave reach the service")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"joinGroup", "leaveGroup"}, ops, "the leave is carried out after the rejoin: the service's membership matches the client's")
}

// Fix 5: Connected is delivered after the rejoin of the client's groups (as
// in the JavaScript client): here the service sends a message before it
// acknowledges the rejoin, and Connected comes after that message.
func TestConnectedIsDeliveredAfterTheRejoin(t *testing.T) {
	f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, q url.Values) {
		send(ctx, ws, connected("c"+jsonNum(uint64(n))))
		readFrames(ctx, ws, func(b []byte) bool {
			m := parseFrame(b)
			if n == 0 {
				ackOK(ctx, ws, m)
				if m.Type == "joinGroup" {
					_ = ws.Close(websocket.StatusPolicyViolation, "no recovery")
					return false
				}
				return true
			}
			if m.Type == "joinGroup" {
				send(ctx, ws, `{"type":"message","from":"server","dataType":"text","data":"before the rejoin ack"}`)
			}
			ackOK(ctx, ws, m)
			return true
		})
	})
	var mu sync.Mutex
	var log []string
	add := func(s string) { mu.Lock(); log = append(log, s); mu.Unlock() }
	o := fastOptions()
	o.OnConnected = func(_ context.Context, e client.ConnectedEvent) { add("connected " + e.ConnectionID) }
	o.OnServerMessage = func(_ context.Context, m client.ServerMessage) { add("message " + string(m.Data)) }
	c := startClient(t, f.url(), o)
	_, err := c.JoinGroup(ctxT(t), "g", nil)
	require.NoError(t, err)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(log) == 3 }, "the second connection is announced")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"connected c0", "message before the rejoin ack", "connected c1"}, log)
}

// Fix 6: a "connected" message without a connection id is a protocol error:
// Start fails with a clear error instead of waiting forever (keep-alive off).
func TestConnectedWithoutConnectionIDFailsStart(t *testing.T) {
	f := newFakeService(t, fakeDiscard, func(ctx context.Context, ws *websocket.Conn, n int, q url.Values) {
		send(ctx, ws, `{"type":"system","event":"connected","userId":"u"}`)
		<-ctx.Done()
	})
	var r recorder
	o := r.hook(fastOptions())
	o.KeepAliveInterval, o.KeepAliveTimeout = -1, -1
	c, err := client.New(f.url(), o)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = c.Start(ctx)
	require.Error(t, err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "Start did not wait for its context")
	var ce *client.ConnectError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), "protocol error")
	assert.Contains(t, err.Error(), "connectionId")
	assert.NotContains(t, err.Error(), "secret-token-value")
	assert.Equal(t, client.StateStopped, c.State())
	waitFor(t, func() bool { return len(r.invalidMessages()) == 1 }, "the message is also reported")
}

// Fix 7: a message larger than ReadLimit stops the client with an error
// naming the limit, instead of recovering, receiving it again, and so on.
func TestMessageLargerThanReadLimitStopsTheClient(t *testing.T) {
	big := `{"type":"message","from":"server","dataType":"text","data":"` + strings.Repeat("x", 2000) + `","sequenceId":1}`
	f := newFakeService(t, fakeDiscard, func(ctx context.Context, ws *websocket.Conn, n int, q url.Values) {
		send(ctx, ws, connected("c1"))
		send(ctx, ws, big) // the service resends it on every recovery
		<-ctx.Done()
	})
	var r recorder
	o := r.hook(fastOptions())
	o.ReadLimit = 1024
	c := startClient(t, f.url(), o)
	waitFor(t, func() bool { return len(r.stoppedEvents()) == 1 }, "the client stops")
	err := r.stoppedEvents()[0].Err
	require.ErrorIs(t, err, client.ErrMessageTooBig)
	assert.Contains(t, err.Error(), "ReadLimit (1024 bytes)")
	require.Len(t, r.disconnectedEvents(), 1)
	assert.ErrorIs(t, r.disconnectedEvents()[0].Err, client.ErrMessageTooBig)
	assert.Equal(t, client.StateStopped, c.State())
	assert.Len(t, f.requestQueries(), 1, "no recovery loop")
	assert.Empty(t, r.serverMessages())
}
