package client_test

import (
	"context"
	"encoding/json"
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

func TestMalformedFramesAreReportedAndIgnored(t *testing.T) {
	bad := []string{
		`not json`,
		`{"type":"message","from":"group","group":"g","dataType":"binary","data":"!!"}`,
		`{"type":"message","from":"server","dataType":"text","data":5}`,
		`{"type":"ack"}`,
		`{"type":"joinGroup","group":"g"}`,
		`{"type":"system","event":"connected"}`,
		`[]`,
	}
	f := newFakeService(t, fakeDiscard, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c1"))
		for _, b := range bad {
			send(ctx, ws, b)
		}
		_ = ws.Write(ctx, websocket.MessageBinary, []byte{0xff, 0x00})
		send(ctx, ws, `{"type":"message","from":"server","dataType":"text","data":"still fine","sequenceId":1}`)
		<-ctx.Done()
	})
	var r recorder
	startClient(t, f.url(), r.hook(fastOptions()))
	waitFor(t, func() bool { return len(r.serverMessages()) == 1 }, "the valid message after the bad ones arrives")
	assert.Equal(t, "still fine", string(r.serverMessages()[0].Data))
	errs := r.invalidMessages()
	require.Len(t, errs, len(bad)+1)
	for i, err := range errs {
		var ie *client.InvalidMessageError
		require.ErrorAs(t, err, &ie, "error %d", i)
		assert.Contains(t, err.Error(), "invalid message from the service")
	}
	assert.Contains(t, errs[1].Error(), "not valid base64")
	assert.Contains(t, errs[4].Error(), `unexpected "joinGroup" message`)
	assert.Equal(t, []byte("not json"), errs[0].(*client.InvalidMessageError).Frame)
}

// TestUnknownFramesAreDroppedSilently: frames of a newer protocol (unknown
// types, system events, sources, data types) are dropped without an
// InvalidMessageError, as the JS client does, so new service frames cannot
// break a client.
func TestUnknownFramesAreDroppedSilently(t *testing.T) {
	unknown := []string{
		`{"type":"nope"}`,
		`{"type":"nope","ackId":3,"data":{"x":1}}`,
		`{"type":"system","event":"rebooted"}`,
		`{"type":"message","from":"mars","dataType":"text","data":"x"}`,
		`{"type":"message","from":"group","group":"g","dataType":"xml","data":"<a/>"}`,
		`{"type":"message","from":"server","data":"no dataType"}`,
		`{"type":"groupStateSnapshot","group":"g","items":[]}`,
		`{"type":"groupStateUpdate","group":"g","items":[{"connectionId":"c","updatedAt":1}]}`,
	}
	f := newFakeService(t, fakeDiscard, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c1"))
		for _, b := range unknown {
			send(ctx, ws, b)
		}
		send(ctx, ws, `{"type":"nope-but-bad" `) // one invalid frame, to know the others were processed
		send(ctx, ws, `{"type":"message","from":"server","dataType":"text","data":"after","sequenceId":1}`)
		<-ctx.Done()
	})
	var r recorder
	startClient(t, f.url(), r.hook(fastOptions()))
	waitFor(t, func() bool { return len(r.serverMessages()) == 1 }, "the message after the unknown frames arrives")
	assert.Equal(t, "after", string(r.serverMessages()[0].Data))
	errs := r.invalidMessages()
	require.Len(t, errs, 1, "only the malformed frame is reported: %v", errs)
	assert.Contains(t, errs[0].Error(), "not a JSON object")
	assert.Empty(t, r.groupMessages(), "a group message with an unknown dataType is dropped")
}

func TestSequenceIDsAreDeduplicatedAndAcknowledged(t *testing.T) {
	f := newFakeService(t, fakeRecord, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c1"))
		for _, id := range []string{"1", "2", "2", "1", "3"} {
			send(ctx, ws, `{"type":"message","from":"group","group":"g","dataType":"text","data":"m`+id+`","sequenceId":`+id+`}`)
		}
	})
	var r recorder
	startClient(t, f.url(), r.hook(fastOptions()))
	waitFor(t, func() bool {
		for _, fr := range f.sentFrames() {
			if fr == `{"type":"sequenceAck","sequenceId":3}` {
				return true
			}
		}
		return false
	}, "the client acknowledges sequence id 3")
	got := r.groupMessages()
	require.Len(t, got, 3)
	for i, m := range got {
		assert.Equal(t, uint64(i+1), m.SequenceID)
		assert.Equal(t, "m"+string(rune('1'+i)), string(m.Data))
	}
}

func TestNoStaleSequenceAckBeforeANewConnectionIsConfirmed(t *testing.T) {
	early := make(chan []string, 1)
	f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		if n == 0 {
			// Ids 1..3 arrive and the connection is refused for good before
			// the client's next sequenceAck tick.
			send(ctx, ws, connected("c1"))
			for _, id := range []string{"1", "2", "3"} {
				send(ctx, ws, `{"type":"message","from":"server","dataType":"text","data":"m","sequenceId":`+id+`}`)
			}
			_ = ws.Close(websocket.StatusPolicyViolation, "no recovery")
			return
		}
		// The new connection: record what the client sends during 10 ack
		// intervals before the service confirms the connection.
		frames := make(chan string, 100)
		go func() {
			defer close(frames)
			readFrames(ctx, ws, func(b []byte) bool { frames <- string(b); return true })
		}()
		var got []string
		deadline := time.After(300 * time.Millisecond)
	collect:
		for {
			select {
			case fr := <-frames:
				got = append(got, fr)
			case <-deadline:
				break collect
			}
		}
		select {
		case early <- got:
		default:
		}
		send(ctx, ws, connected("c"+jsonNum(uint64(n+1))))
		for range frames {
		}
	})
	var r recorder
	o := r.hook(fastOptions())
	o.SequenceAckInterval = 30 * time.Millisecond
	c := startClient(t, f.url(), o)
	var got []string
	select {
	case got = <-early:
	case <-time.After(10 * time.Second):
		t.Fatal("the client did not open a new connection")
	}
	for _, fr := range got {
		assert.NotContains(t, fr, "sequenceAck", "a sequence id of the old connection was acknowledged on the new one")
	}
	waitFor(t, func() bool { return c.ConnectionID() == "c2" }, "the new connection is confirmed")
	assert.Len(t, r.serverMessages(), 3)
}

func TestRecoveryRequestAndNoRecoveryAfter1008(t *testing.T) {
	f := newFakeService(t, fakeDiscard, func(ctx context.Context, ws *websocket.Conn, n int, q url.Values) {
		switch n {
		case 0:
			send(ctx, ws, connected("c1"))
			time.Sleep(20 * time.Millisecond)
			_ = ws.CloseNow() // abrupt drop: recoverable
		case 1:
			// Recovery of c1; the service then refuses it for good.
			_ = ws.Close(websocket.StatusPolicyViolation, "cannot recover")
		default:
			send(ctx, ws, connected("c2"))
			<-ctx.Done()
		}
	})
	var r recorder
	c := startClient(t, f.url(), r.hook(fastOptions()))
	waitFor(t, func() bool { return c.ConnectionID() == "c2" && c.State() == client.StateConnected }, "a new connection replaces the unrecoverable one")
	qs := f.requestQueries()
	require.Len(t, qs, 3)
	assert.Empty(t, qs[0].Get(protocol.QueryConnectionID))
	assert.Equal(t, "c1", qs[1].Get(protocol.QueryConnectionID))
	assert.Equal(t, "tok-c1", qs[1].Get(protocol.QueryReconnectionToken))
	assert.Equal(t, "secret-token-value", qs[1].Get(protocol.QueryAccessToken))
	assert.Empty(t, qs[2].Get(protocol.QueryConnectionID), "no recovery after close code 1008")
	waitFor(t, func() bool { return len(r.disconnectedEvents()) == 1 }, "one disconnected event")
	d := r.disconnectedEvents()[0]
	assert.Equal(t, "c1", d.ConnectionID)
	assert.Contains(t, d.Err.Error(), "1008")
	assert.NotContains(t, d.Err.Error(), "secret-token-value")
}

func TestRecoveryGivesUpAfterTheWindow(t *testing.T) {
	f := newFakeService(t, fakeDiscard, func(ctx context.Context, ws *websocket.Conn, n int, q url.Values) {
		if q.Has(protocol.QueryConnectionID) {
			_ = ws.CloseNow() // every recovery attempt fails
			return
		}
		send(ctx, ws, connected("c"+string(rune('0'+n))))
		if n == 0 {
			_ = ws.CloseNow()
			return
		}
		<-ctx.Done()
	})
	var r recorder
	o := r.hook(fastOptions())
	o.RecoveryWindow = 300 * time.Millisecond
	start := time.Now()
	c := startClient(t, f.url(), o)
	waitFor(t, func() bool { return len(r.connectedEvents()) == 2 }, "a new connection after the recovery window")
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
	assert.NotEqual(t, "c0", c.ConnectionID())
	recoveries := 0
	for _, q := range f.requestQueries() {
		if q.Has(protocol.QueryConnectionID) {
			recoveries++
		}
	}
	assert.Greater(t, recoveries, 1, "recovery is retried within the window")
}

func TestReconnectGivesUpAfterItsRetries(t *testing.T) {
	f := newFakeService(t, fakeDiscard, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		if n == 0 {
			send(ctx, ws, connected("c0"))
			_ = ws.Close(websocket.StatusPolicyViolation, "gone") // not recoverable
		}
		// Every new connection closes before the service confirms it.
	})
	var r recorder
	o := r.hook(fastOptions())
	o.ReconnectRetry = client.RetryOptions{MaxRetries: 2, Delay: time.Millisecond}
	c := startClient(t, f.url(), o)
	waitFor(t, func() bool { return len(r.stoppedEvents()) == 1 }, "the client stops when reconnecting gives up")
	err := r.stoppedEvents()[0].Err
	require.Error(t, err)
	assert.Contains(t, err.Error(), "giving up reconnecting after 2 retries")
	assert.NotContains(t, err.Error(), "secret-token-value")
	assert.Equal(t, client.StateStopped, c.State())
	assert.Len(t, f.requestQueries(), 4, "the first connection, then one attempt and two retries")
	require.Len(t, r.disconnectedEvents(), 1)
}

func TestKeepAlivePingsAndDeadConnectionTimeout(t *testing.T) {
	f := newFakeService(t, fakeRecord, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c"+string(rune('0'+n))))
		// then silence: pings are read but never answered
	})
	var r recorder
	o := r.hook(fastOptions())
	o.Protocol = client.ProtocolJSON
	o.KeepAliveInterval = 20 * time.Millisecond
	o.KeepAliveTimeout = 200 * time.Millisecond
	startClient(t, f.url(), o)
	waitFor(t, func() bool { return len(r.disconnectedEvents()) >= 1 && len(r.connectedEvents()) >= 2 }, "the silent connection is closed and replaced")
	require.Error(t, r.disconnectedEvents()[0].Err)
	assert.Contains(t, r.disconnectedEvents()[0].Err.Error(), "nothing received from the service for 200ms")
	pings := 0
	for _, fr := range f.sentFrames() {
		if fr == `{"type":"ping"}` {
			pings++
		}
	}
	assert.GreaterOrEqual(t, pings, 3)
}

func TestTransientAckErrorsAreRetriedWithTheSameAckID(t *testing.T) {
	for _, tc := range []struct {
		name       string
		maxRetries int
		failures   int
		wantErr    string
	}{
		{name: "succeeds after retries", maxRetries: 3, failures: 2},
		{name: "fails when retries run out", maxRetries: 2, failures: 100, wantErr: "InternalServerError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			attempts := make(chan uint64, 200)
			f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
				send(ctx, ws, connected("c1"))
				readFrames(ctx, ws, func(b []byte) bool {
					var m struct {
						Type  string `json:"type"`
						AckID uint64 `json:"ackId"`
					}
					if json.Unmarshal(b, &m) != nil || m.Type != "event" {
						return true
					}
					attempts <- m.AckID
					ack := `{"type":"ack","ackId":` + jsonNum(m.AckID) + `,"success":true}`
					if len(attempts) <= tc.failures {
						ack = `{"type":"ack","ackId":` + jsonNum(m.AckID) + `,"success":false,"error":{"name":"InternalServerError","message":"try again"}}`
					}
					send(ctx, ws, ack)
					return true
				})
			})
			o := fastOptions()
			o.MessageRetry = client.RetryOptions{MaxRetries: tc.maxRetries, Delay: time.Millisecond}
			c := startClient(t, f.url(), o)
			res, err := c.SendEvent(ctxT(t), "e", client.Text("x"), &client.SendEventOptions{AckID: 31})
			close(attempts)
			var ids []uint64
			for id := range attempts {
				ids = append(ids, id)
			}
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, uint64(31), res.AckID)
				assert.Equal(t, []uint64{31, 31, 31}, ids)
				return
			}
			var se *client.SendMessageError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.wantErr, se.ErrorName)
			assert.Equal(t, uint64(31), se.AckID)
			assert.Equal(t, []uint64{31, 31, 31}, ids, "one attempt plus two retries")
		})
	}
}

func jsonNum(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestSubprotocolRefusedIsAConnectError(t *testing.T) {
	f := newFakeService(t, fakeNoSubprotocol, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {})
	c, err := client.New(f.url(), nil)
	require.NoError(t, err)
	err = c.Start(ctxT(t))
	var ce *client.ConnectError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), "did not accept subprotocol")
	assert.NotContains(t, err.Error(), "secret-token-value")
	assert.Equal(t, client.StateStopped, c.State())
}

func TestManyUnacknowledgedIDsAreAckedBeforeTheInterval(t *testing.T) {
	f := newFakeService(t, fakeRecord, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c1"))
		for id := 1; id <= 250; id++ {
			send(ctx, ws, `{"type":"message","from":"server","dataType":"text","data":"m","sequenceId":`+jsonNum(uint64(id))+`}`)
		}
	})
	o := fastOptions()
	o.SequenceAckInterval = time.Hour
	startClient(t, f.url(), o)
	waitFor(t, func() bool {
		for _, fr := range f.sentFrames() {
			var m struct {
				Type       string `json:"type"`
				SequenceID uint64 `json:"sequenceId"`
			}
			if json.Unmarshal([]byte(fr), &m) == nil && m.Type == "sequenceAck" && m.SequenceID >= 200 {
				return true
			}
		}
		return false
	}, "a batch of 200 ids is acknowledged without waiting for the interval")
}

func TestStopFailsPendingOperations(t *testing.T) {
	f := newFakeService(t, fakeRecord, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c1")) // and never ack anything
	})
	c, err := client.New(f.url(), fastOptions())
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	errc := make(chan error, 1)
	go func() {
		_, err := c.SendToGroup(context.Background(), "g", client.Text("x"), nil)
		errc <- err
	}()
	waitFor(t, func() bool { return len(f.sentFrames()) > 0 }, "the message reaches the service")
	stopClient(t, c)
	select {
	case err := <-errc:
		require.ErrorIs(t, err, client.ErrStopped)
	case <-time.After(10 * time.Second):
		t.Fatal("the pending operation did not end with Stop")
	}
}

func TestStopEndsAnOperationWaitingToRetry(t *testing.T) {
	answered := make(chan struct{}, 10)
	f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c1"))
		readFrames(ctx, ws, func(b []byte) bool {
			if strings.Contains(string(b), `"type":"event"`) {
				send(ctx, ws, `{"type":"ack","ackId":1,"success":false,"error":{"name":"InternalServerError","message":"try again"}}`)
				answered <- struct{}{}
			}
			return true
		})
	})
	o := fastOptions()
	o.MessageRetry = client.RetryOptions{MaxRetries: 3, Delay: time.Hour}
	c, err := client.New(f.url(), o)
	require.NoError(t, err)
	require.NoError(t, c.Start(ctxT(t)))
	errc := make(chan error, 1)
	go func() {
		_, err := c.SendEvent(context.Background(), "e", client.Text("x"), &client.SendEventOptions{AckID: 1})
		errc <- err
	}()
	select {
	case <-answered:
	case <-time.After(10 * time.Second):
		t.Fatal("the event did not reach the service")
	}
	// The client now waits an hour before its retry; Stop must end the wait.
	stopClient(t, c)
	select {
	case err := <-errc:
		require.ErrorIs(t, err, client.ErrStopped)
	case <-time.After(10 * time.Second):
		t.Fatal("an operation waiting for its retry did not end with Stop")
	}
	assert.Len(t, answered, 0, "no retry was sent")
}

func TestConnectionLostOnEveryAttemptFailsAfterRetries(t *testing.T) {
	var attempts atomicCounter
	f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c"+jsonNum(uint64(n))))
		readFrames(ctx, ws, func(b []byte) bool {
			if strings.Contains(string(b), `"type":"sendToGroup"`) {
				attempts.add()
				return false // drop the connection before acking
			}
			return true
		})
	})
	o := fastOptions()
	o.Protocol = client.ProtocolJSON
	o.MessageRetry = client.RetryOptions{MaxRetries: 2, Delay: time.Millisecond}
	c := startClient(t, f.url(), o)
	_, err := c.SendToGroup(ctxT(t), "g", client.Text("x"), &client.SendToGroupOptions{AckID: 5})
	var se *client.SendMessageError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, uint64(5), se.AckID)
	assert.Empty(t, se.ErrorName, "the service never answered")
	require.ErrorIs(t, err, client.ErrConnectionLost)
	assert.Equal(t, 3, attempts.get(), "one attempt plus two retries, each on a new connection")
}

type atomicCounter struct {
	mu sync.Mutex
	n  int
}

func (a *atomicCounter) add() { a.mu.Lock(); a.n++; a.mu.Unlock() }

func (a *atomicCounter) get() int { a.mu.Lock(); defer a.mu.Unlock(); return a.n }
