package client_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// frameInfo is what tests read from a frame a client sent.
type frameInfo struct {
	Type  string  `json:"type"`
	Group string  `json:"group"`
	AckID *uint64 `json:"ackId"`
}

func parseFrame(b []byte) frameInfo {
	var m frameInfo
	_ = json.Unmarshal(b, &m)
	return m
}

// ackOK acknowledges m with success if it carries an ack id.
func ackOK(ctx context.Context, ws *websocket.Conn, m frameInfo) {
	if m.AckID != nil {
		send(ctx, ws, `{"type":"ack","ackId":`+jsonNum(*m.AckID)+`,"success":true}`)
	}
}

// An operation whose connection is lost before the service answered is
// retried, with the same ack id, as soon as a connection is back: with a
// message retry delay of an hour it still completes.
func TestLostConnectionIsRetriedAtOnceWithTheSameAckID(t *testing.T) {
	for _, recover := range []bool{true, false} {
		t.Run(map[bool]string{true: "recovered connection", false: "new connection"}[recover], func(t *testing.T) {
			var mu sync.Mutex
			ackIDs := map[int]uint64{} // connection index -> ack id of the sendToGroup it got
			f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, q url.Values) {
				isRecovery := q.Has(protocol.QueryConnectionID)
				switch {
				case n == 0:
					send(ctx, ws, connected("c1"))
				case isRecovery && !recover:
					_ = ws.Close(websocket.StatusPolicyViolation, "cannot recover")
					return
				case isRecovery:
					send(ctx, ws, connected("c1"))
				default:
					send(ctx, ws, connected("c2"))
				}
				readFrames(ctx, ws, func(b []byte) bool {
					m := parseFrame(b)
					if m.Type != "sendToGroup" {
						return true
					}
					mu.Lock()
					ackIDs[n] = *m.AckID
					mu.Unlock()
					if n == 0 {
						return false // drop the connection without answering
					}
					ackOK(ctx, ws, m)
					return true
				})
			})
			o := fastOptions()
			o.MessageRetry = client.RetryOptions{Delay: time.Hour}
			c := startClient(t, f.url(), o)
			res, err := c.SendToGroup(ctxT(t), "g", client.Text("x"), nil)
			require.NoError(t, err, "the operation did not wait for the retry delay")
			mu.Lock()
			defer mu.Unlock()
			last := 1
			if !recover {
				last = 2
				assert.Equal(t, "c2", c.ConnectionID())
			} else {
				assert.Equal(t, "c1", c.ConnectionID())
			}
			require.Contains(t, ackIDs, 0)
			require.Contains(t, ackIDs, last)
			assert.Equal(t, ackIDs[0], ackIDs[last], "the retry reuses the ack id")
			assert.Equal(t, res.AckID, ackIDs[last])
		})
	}
}

// Against the emulator, with default options except a message retry delay of
// an hour: every acked send right after a drop completes, so none waited for
// the delay. The figures of the default options are in BENCHMARKS.md.
func TestDropThenAckedSendNeverWaitsForTheRetryDelay(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	c := startClient(t, v.url(t, "u", allRoles...), &client.Options{MessageRetry: client.RetryOptions{Delay: time.Hour}})
	id := c.ConnectionID()
	var times []time.Duration
	for i := 0; i < 20; i++ {
		waitFor(t, func() bool { return c.State() == client.StateConnected }, "connected")
		start := time.Now()
		require.True(t, v.e.DropConnection(v.hub, id))
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		_, err := c.SendToGroup(ctx, "g", client.Text("after drop"), nil)
		cancel()
		require.NoError(t, err, "drop %d", i)
		times = append(times, time.Since(start))
	}
	assert.Equal(t, id, c.ConnectionID(), "every drop was recovered")
	slices.Sort(times)
	t.Logf("drop -> acked send: median %v, max %v", times[len(times)/2], times[len(times)-1])
}

// The first recovery attempt starts at once; later ones wait as
// ReconnectRetry says (here exponentially: 100 ms, then 200 ms).
func TestRecoveryStartsAtOnceThenBacksOff(t *testing.T) {
	var recoveries []time.Time
	f := newFakeService(t, fakeDiscard, func(ctx context.Context, ws *websocket.Conn, n int, q url.Values) {
		send(ctx, ws, connected("c1"))
		if n == 0 {
			time.Sleep(20 * time.Millisecond)
			_ = ws.CloseNow() // abrupt drop: recoverable
			return
		}
		<-ctx.Done()
	})
	f.refuseWith(func(n int, q url.Values) int {
		if !q.Has(protocol.QueryConnectionID) {
			return 0
		}
		recoveries = append(recoveries, time.Now()) // f.mu is held
		if len(recoveries) <= 2 {
			return 503
		}
		return 0
	})
	var r recorder
	o := r.hook(fastOptions())
	o.ReconnectRetry = client.RetryOptions{Delay: 100 * time.Millisecond, Mode: client.RetryExponential}
	c := startClient(t, f.url(), o)
	waitFor(t, func() bool { return len(f.requestQueries()) == 4 && c.State() == client.StateConnected }, "recovered on the third attempt")
	f.mu.Lock()
	times := append([]time.Time(nil), recoveries...)
	f.mu.Unlock()
	require.Len(t, times, 3)
	assert.GreaterOrEqual(t, times[1].Sub(times[0]), 100*time.Millisecond)
	assert.GreaterOrEqual(t, times[2].Sub(times[1]), 200*time.Millisecond, "later attempts back off")
	assert.Equal(t, "c1", c.ConnectionID())
	assert.Empty(t, r.disconnectedEvents())

	t.Run("first attempt does not wait for the delay", func(t *testing.T) {
		f := newFakeService(t, fakeDiscard, func(ctx context.Context, ws *websocket.Conn, n int, q url.Values) {
			send(ctx, ws, connected("c1"))
			if n == 0 {
				time.Sleep(20 * time.Millisecond)
				_ = ws.CloseNow()
				return
			}
			<-ctx.Done()
		})
		o := fastOptions()
		o.ReconnectRetry = client.RetryOptions{Delay: time.Hour}
		c := startClient(t, f.url(), o)
		waitFor(t, func() bool { return len(f.requestQueries()) == 2 && c.State() == client.StateConnected }, "recovered at once")
		assert.True(t, f.requestQueries()[1].Has(protocol.QueryConnectionID))
	})
}
