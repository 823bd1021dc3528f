package interop

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
)

// TestMQTTChaosPersistentSubscriber drops a QoS 1 subscriber with a
// persistent session 20 times while messages keep coming, and checks that
// it loses none and gets none twice, except as MQTT allows: a QoS 1
// message may come again only with DUP set (a message whose PUBACK the
// drop cut off is sent again when the session resumes, 5.0 §4.4). The
// repeats are counted in the log.
func TestMQTTChaosPersistentSubscriber(t *testing.T) {
	for _, level := range mqttLevels {
		t.Run(levelName(level), func(t *testing.T) { testMQTTChaos(t, level) })
	}
}

func testMQTTChaos(t *testing.T, level int) {
	const drops, total = 20, 300
	ctx := testCtx(t, scriptDeadline)
	srv := newMQTTEmulator(t, nil)
	u := mqttURL(t, srv, "hub", allRoles)
	m := newMQTT(t, ctx, level, u)
	m.mustConnect("chaos", persistent(level))
	require.Equal(t, []int{1}, m.subscribe(map[string]int{"c": 1}, nil))

	g := srv.ServiceClient("hub", nil).NewGroupClient("c")
	var wg sync.WaitGroup
	wg.Add(1)
	sendErr := make(chan error, 1)
	go func() {
		defer wg.Done()
		for i := range total {
			if _, err := g.SendToAll(ctx, webpubsub.TextMessage(fmt.Sprintf("m%03d", i)), nil); err != nil {
				sendErr <- err
				return
			}
			time.Sleep(3 * time.Millisecond)
		}
	}()
	for range drops {
		time.Sleep(20 * time.Millisecond)
		require.Eventually(t, func() bool { return srv.DropConnection("hub", "chaos") }, waitLong, time.Millisecond, "a live socket to drop")
		m.mustEvent(ctx, "close", nil)
		ack := m.mustConnect("chaos", persistent(level))
		require.True(t, ack.SessionPresent, "the session was kept")
	}
	wg.Wait()
	select {
	case err := <-sendErr:
		t.Fatal(err)
	default:
	}

	seen := map[string]int{}
	require.Eventually(t, func() bool {
		for k := range seen {
			delete(seen, k)
		}
		for _, msg := range m.messages("c") {
			seen[msg.Payload]++
		}
		return len(seen) == total
	}, waitLong, 20*time.Millisecond, "every message arrives")
	repeats := 0
	firsts := map[string]bool{}
	for _, msg := range m.messages("c") {
		if firsts[msg.Payload] {
			repeats++
			assert.True(t, msg.Packet.Dup, "%s came again without DUP", msg.Payload)
		}
		firsts[msg.Payload] = true
	}
	for i := range total {
		assert.Contains(t, seen, fmt.Sprintf("m%03d", i))
	}
	t.Logf("level %d: %d messages through %d drops: none lost, %d repeated with DUP set (in flight when a drop cut off their PUBACK)", level, total, drops, repeats)
}
