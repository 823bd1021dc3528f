package client_test

import (
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

func TestChaosReceiverDropsDeliversExactlyOnceInOrder(t *testing.T) {
	const total, drops = 10_000, 25
	v := newEnv(t, emulator.Options{})
	var r recorder
	recv := startClient(t, v.url(t, "receiver", allRoles...), r.hook(fastOptions()))
	send := startClient(t, v.url(t, "sender", allRoles...), fastOptions())
	ctx := ctxT(t)
	_, err := recv.JoinGroup(ctx, "chaos", nil)
	require.NoError(t, err)
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
	require.Eventually(t, func() bool { return len(r.groupMessages()) >= total }, 15*time.Second, 10*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // let any wrongly duplicated resend arrive
	requireInOrder(t, r.groupMessages(), total)
	assert.GreaterOrEqual(t, dropped, 20)
	assert.Equal(t, id, recv.ConnectionID(), "every drop was recovered")
	assert.Empty(t, r.disconnectedEvents())
}

func TestChaosSenderDropsAckRetriesDeliverExactlyOnce(t *testing.T) {
	const minMessages, minDrops = 2_000, 25
	v := newEnv(t, emulator.Options{})
	var r recorder
	recv := startClient(t, v.url(t, "receiver", allRoles...), r.hook(fastOptions()))
	send := startClient(t, v.url(t, "sender", allRoles...), fastOptions())
	ctx := ctxT(t)
	_, err := recv.JoinGroup(ctx, "chaos", nil)
	require.NoError(t, err)

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
	require.Eventually(t, func() bool { return len(r.groupMessages()) >= sent }, 15*time.Second, 10*time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	requireInOrder(t, r.groupMessages(), sent)
	assert.GreaterOrEqual(t, int(dropped.Load()), minDrops)
	t.Logf("%d messages, %d sender drops, %d retries answered Duplicate", sent, dropped.Load(), duplicated)
}
