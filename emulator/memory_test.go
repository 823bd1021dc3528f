package emulator_test

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// liveHeap returns the live heap after garbage collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestReliableRecipientsShareMessageBytes sends large messages to many
// reliable clients that do not read: each message is held once for all of
// them, not once per recipient.
func TestReliableRecipientsShareMessageBytes(t *testing.T) {
	const (
		clients  = 20
		messages = 48
		size     = 256 << 10
	)
	e := start(t, emulator.Options{})
	for i := 0; i < clients; i++ {
		c, _, _ := reliableClient(t, e, "hub1", auth.Claims{Subject: fmt.Sprint("u", i)})
		_ = c // it never reads again
	}
	before := liveHeap()
	for i := 0; i < messages; i++ {
		send(t, e, "/api/hubs/hub1/:send", fmt.Sprint(i, strings.Repeat("x", size)))
	}
	grown := int64(liveHeap()) - int64(before)
	perCopy := int64(messages * size)
	t.Logf("heap grew %d KiB for %d KiB of distinct messages to %d clients", grown>>10, perCopy>>10, clients)
	// One copy per recipient would be 20x; allow the JSON frame, the REST
	// body buffers and noise.
	assert.Less(t, grown, 4*perCopy, "each reliable recipient holds its own copy of the messages")
}

// TestSequenceAckBeyondSentKeepsResendBuffer: a sequenceAck for a sequence id
// that was never sent must not empty the resend buffer (which would defeat
// its limits and lose messages on recovery).
func TestSequenceAckBeyondSentKeepsResendBuffer(t *testing.T) {
	e := start(t, emulator.Options{})
	c, cm, u := reliableClient(t, e, "hub1", auth.Claims{Subject: "r"})
	for i := 1; i <= 3; i++ {
		send(t, e, "/api/hubs/hub1/:send", fmt.Sprint("m", i))
	}
	for i := 1; i <= 3; i++ {
		seq, _ := seqText(t, c)
		require.Equal(t, uint64(i), seq)
	}
	c.send(protocol.SequenceAckMessage{SequenceID: 1 << 40})
	c.send(protocol.PingMessage{}) // the pong proves the sequenceAck was processed
	_, ok := c.next().(protocol.PongMessage)
	require.True(t, ok)

	require.True(t, e.DropConnection("hub1", cm.ConnectionID))
	r := dial(t, recoveryURL(u, cm.ConnectionID, cm.ReconnectionToken), protocol.JSONReliable)
	r.connected()
	for i := 1; i <= 3; i++ {
		seq, text := seqText(t, r)
		assert.Equal(t, uint64(i), seq)
		assert.Equal(t, fmt.Sprint("m", i), text)
	}
}

// TestConnectionOverQueueLimitIsClosedAndReleased: a client that does not
// read is closed once its queue is over the limit, and what it held is
// released.
func TestConnectionOverQueueLimitIsClosedAndReleased(t *testing.T) {
	defer emulator.SetQueueLimits(4096, 2<<20)()
	e := start(t, emulator.Options{})
	z := stalledDial(t, clientURL(t, e, "hub1", auth.Claims{Subject: "z"}), protocol.JSON)
	id := z.connected().ConnectionID
	before := liveHeap()
	big := strings.Repeat("x", 256<<10)
	for i := 0; i < 200 && exists(t, e, "hub1", id); i++ {
		send(t, e, "/api/hubs/hub1/connections/"+id+"/:send", fmt.Sprint(i, big))
	}
	require.False(t, exists(t, e, "hub1", id), "a client over its queue limit is closed")
	drainAll(t, z)
	grown := int64(liveHeap()) - int64(before)
	assert.Less(t, grown, int64(1<<20), "the closed connection still holds %d KiB", grown>>10)
	r := call(t, e, http.MethodHead, "/api/hubs/hub1/connections/"+id, "", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
}
