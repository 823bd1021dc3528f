package client_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// requireInOrder checks that msgs are exactly "0", "1", ... "n-1".
func requireInOrder(t *testing.T, msgs []client.GroupMessage, n int) {
	t.Helper()
	for i, m := range msgs {
		if string(m.Data) != strconv.Itoa(i) {
			require.Failf(t, "out of order or duplicated", "message %d is %q (sequence id %d)", i, m.Data, m.SequenceID)
		}
	}
	require.Equal(t, n, len(msgs), "number of messages delivered")
}

// chaosProtocols are the reliable subprotocols every chaos test runs over.
var chaosProtocols = []client.Protocol{client.ProtocolJSONReliable, client.ProtocolProtobufReliable}

// chaosCtx bounds a chaos test's operations generously: on a loaded machine
// under the race detector 10,000 acked sends can take well over 20 s.
func chaosCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// chaosGroup starts a receiver (recording into r) in group "chaos" and a
// sender, both speaking protocol with otherwise default options (and so the
// default retry delays: an operation that lost its connection must not wait
// for them).
func chaosGroup(t *testing.T, r *recorder, protocol client.Protocol) (v *env, recv, send *client.Client) {
	v = newEnv(t, emulator.Options{})
	recv = startClient(t, v.url(t, "receiver", allRoles...), r.hook(&client.Options{Protocol: protocol}))
	send = startClient(t, v.url(t, "sender", allRoles...), &client.Options{Protocol: protocol})
	_, err := recv.JoinGroup(ctxT(t), "chaos", nil)
	require.NoError(t, err)
	return v, recv, send
}

// requireAllOnceInOrder publishes an end marker after the n numbered
// messages, waits until the receiver has it and checks that the receiver got
// the numbered messages exactly once and in order. A duplicate would arrive
// before the marker, since a connection delivers in order.
func requireAllOnceInOrder(t *testing.T, r *recorder, send *client.Client, n int) {
	t.Helper()
	_, err := send.SendToGroup(ctxT(t), "chaos", client.Text("end"), &client.SendToGroupOptions{NoEcho: true})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		got := r.groupMessages()
		return len(got) > 0 && string(got[len(got)-1].Data) == "end"
	}, 15*time.Second, 10*time.Millisecond, "the end marker arrives")
	got := r.groupMessages()
	requireInOrder(t, got[:len(got)-1], n)
}

// dropWhenLive drops the client's connection once it has a live transport
// and reports whether it did within 10 s.
func dropWhenLive(v *env, c *client.Client) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if c.State() == client.StateConnected && v.e.DropConnection(v.hub, c.ConnectionID()) {
			return true
		}
	}
	return false
}

// TestChaosReceiverDropsDeliversExactlyOnceInOrder: 10,000 messages, at least
// 20 drops of the receiver, each message delivered exactly once and in order,
// over each reliable subprotocol.
func TestChaosReceiverDropsDeliversExactlyOnceInOrder(t *testing.T) {
	for _, p := range chaosProtocols {
		t.Run(string(p), func(t *testing.T) { chaosReceiverDrops(t, p) })
	}
}

func chaosReceiverDrops(t *testing.T, protocol client.Protocol) {
	const total, drops = 10_000, 25
	var r recorder
	v, recv, send := chaosGroup(t, &r, protocol)
	ctx := chaosCtx(t)
	id := recv.ConnectionID()

	// The dropper cuts the receiver's connection each time the sender has
	// published another total/drops messages, while the sender goes on.
	trigger := make(chan struct{}, drops)
	var dropped int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range trigger {
			if dropWhenLive(v, recv) {
				dropped++
			}
		}
	}()
	for i := 0; i < total; i++ {
		if i%(total/drops) == total/drops/2 {
			trigger <- struct{}{}
		}
		_, err := send.SendToGroup(ctx, "chaos", client.Text(strconv.Itoa(i)), &client.SendToGroupOptions{NoEcho: true})
		require.NoError(t, err)
	}
	close(trigger)
	wg.Wait()
	requireAllOnceInOrder(t, &r, send, total)
	assert.GreaterOrEqual(t, dropped, 20)
	assert.Equal(t, id, recv.ConnectionID(), "every drop was recovered")
	assert.Empty(t, r.disconnectedEvents())
}

// TestChaosSenderDropsAckRetriesDeliverExactlyOnce cuts the sender's
// connection during its acked sends, over each reliable subprotocol: the
// group still sees every message exactly once and in order.
func TestChaosSenderDropsAckRetriesDeliverExactlyOnce(t *testing.T) {
	for _, p := range chaosProtocols {
		t.Run(string(p), func(t *testing.T) { chaosSenderDrops(t, p) })
	}
}

func chaosSenderDrops(t *testing.T, protocol client.Protocol) {
	const minMessages, minDrops = 2_000, 25
	var r recorder
	v, _, send := chaosGroup(t, &r, protocol)
	ctx := chaosCtx(t)

	// The dropper cuts the sender's connection at random points of its
	// acked sends, independent of the send loop.
	stop := make(chan struct{})
	var dropped atomic.Int32
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(25 * time.Millisecond):
			}
			if send.State() == client.StateConnected && v.e.DropConnection(v.hub, send.ConnectionID()) {
				dropped.Add(1)
			}
		}
	}()
	sent, duplicated := 0, 0
	for ; sent < minMessages || dropped.Load() < minDrops; sent++ {
		res, err := send.SendToGroup(ctx, "chaos", client.Text(strconv.Itoa(sent)), nil)
		require.NoError(t, err, "message %d", sent)
		if res.Duplicated {
			duplicated++
		}
	}
	close(stop)
	wg.Wait()
	requireAllOnceInOrder(t, &r, send, sent)
	assert.GreaterOrEqual(t, int(dropped.Load()), minDrops)
	t.Logf("%d messages, %d sender drops, %d retries answered Duplicate", sent, dropped.Load(), duplicated)
}
