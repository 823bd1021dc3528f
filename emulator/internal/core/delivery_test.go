package core_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

func TestSendReachesTheCandidatesNotSkipped(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	h := k.Hub("h")
	a, la := register(t, k, core.ConnSpec{ID: "a", Groups: []string{"g"}})
	_, lb := register(t, k, core.ConnSpec{ID: "b", Groups: []string{"g"}})
	n := h.Send(&core.Send{Message: text("hi"), From: a, Source: "connection", Target: "group g", To: h.Group("g"),
		Skip: func(c *core.Conn) bool { return c == a }})
	assert.Equal(t, 1, n)
	assert.Empty(t, la.messages(), "skipped (noEcho)")
	assert.Equal(t, []delivered{{0, "hi"}}, lb.messages(), "not recoverable: no sequence id")
	require.Len(t, rec.sent, 1)
	s := rec.sent[0]
	assert.Equal(t, "group g", s.Target)
	assert.Same(t, a, s.From)
	require.Len(t, s.Recipients, 1)
	assert.Equal(t, "b", s.Recipients[0].ID())
}

// encodeCalls counts the calls of testEncoding's function.
var encodeCalls atomic.Int32

// testEncoding is a wire format of the tests (encodings are defined once
// per process).
var testEncoding = core.NewEncoding("test", func(m *core.Message) ([]byte, error) {
	encodeCalls.Add(1)
	return append([]byte("frame:"), m.Data.Data...), nil
})

func TestEachEncodingEncodesAMessageOnce(t *testing.T) {
	encodeCalls.Store(0)
	enc := testEncoding
	m := text("x")
	var wg sync.WaitGroup
	frames := make([][]byte, 50)
	for i := range frames {
		wg.Add(1)
		go func() {
			defer wg.Done()
			frames[i], _ = m.Encode(enc)
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), encodeCalls.Load())
	for _, f := range frames {
		assert.Equal(t, "frame:x", string(f))
		assert.Same(t, &frames[0][0], &f[0], "recipients share the bytes")
	}
	assert.Equal(t, "test", enc.Name())
}

func TestRecoverableConnectionsSequenceAndBufferUntilAcked(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true})
	for i := 1; i <= 5; i++ {
		send(c, text(fmt.Sprint("m", i)))
	}
	assert.Equal(t, []delivered{{1, "m1"}, {2, "m2"}, {3, "m3"}, {4, "m4"}, {5, "m5"}}, l.messages())
	msgs, bytes := c.Unacked()
	assert.Equal(t, 5, msgs)
	assert.Equal(t, 10, bytes, "bytes as the connection's Size counts them (default: the payload)")

	assert.False(t, c.AckUpTo(6), "an ack beyond the last id sent is ignored")
	msgs, _ = c.Unacked()
	assert.Equal(t, 5, msgs)
	assert.True(t, c.AckUpTo(2))
	assert.True(t, c.AckOne(4), "a per-message ack")
	assert.False(t, c.AckOne(4))
	assert.False(t, c.AckOne(1), "acknowledged already")
	msgs, bytes = c.Unacked()
	assert.Equal(t, 2, msgs)
	assert.Equal(t, 4, bytes)

	require.True(t, c.Drop())
	c.LinkEnded(l, false)
	l2 := &fakeLink{}
	require.True(t, c.Recover(l2, func(l core.Link) { l.Deliver(text("hello again"), 0) }))
	send(c, text("m6"))
	assert.Equal(t, []delivered{{0, "hello again"}, {3, "m3"}, {5, "m5"}, {6, "m6"}}, l2.messages(),
		"the greeting, the unacknowledged messages in order, then live ones")
}

func TestRecoverySkipsExpiredMessages(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true})
	short := text("short")
	short.Expires = time.Now().Add(-time.Millisecond)
	send(c, short)
	send(c, text("long"))
	c.LinkEnded(l, false)
	l2 := &fakeLink{}
	require.True(t, c.Recover(l2, func(core.Link) {}))
	assert.Equal(t, []delivered{{2, "long"}}, l2.messages())
	msgs, _ := c.Unacked()
	assert.Equal(t, 1, msgs, "an expired message leaves the buffer")
}

func TestResendBufferLimitsCloseTheConnectionForGood(t *testing.T) {
	for _, tc := range []struct {
		name string
		lim  func(*core.Limits)
	}{
		{"messages", func(l *core.Limits) { l.MaxUnackedMessages = 3 }},
		{"bytes", func(l *core.Limits) { l.MaxUnackedBytes = 7 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lim := core.DefaultLimits()
			tc.lim(&lim)
			k, rec := newCore(t, lim)
			c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true})
			for i := 0; i < 4; i++ {
				send(c, text("ab"))
			}
			r := l.closeReason()
			require.NotNil(t, r)
			assert.Equal(t, core.CloseLimitExceeded, r.Kind)
			assert.True(t, r.Final)
			assert.Equal(t, "too many unacknowledged messages", r.Text)
			assert.Equal(t, []string{"limit c: too many unacknowledged messages"}, rec.with("limit"))
			assert.False(t, c.Serves(l), "frames of a failed connection have no effect")

			c.LinkEnded(l, false) // the adapter reports the socket's end
			assert.False(t, c.Recover(&fakeLink{}, func(core.Link) {}), "a failed connection cannot be recovered")
			assert.Equal(t, []string{"removed c: too many unacknowledged messages"}, rec.with("removed"))
		})
	}
}

func TestFullSocketClosesTheConnection(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	c, l := register(t, k, core.ConnSpec{ID: "c"})
	l.full = true
	send(c, text("x"))
	r := l.closeReason()
	require.NotNil(t, r)
	assert.Equal(t, core.CloseLimitExceeded, r.Kind)
	assert.Equal(t, "the client does not read its messages fast enough", r.Text)
	c.Control(func(core.Link) bool { t.Error("control frames go nowhere once closing"); return true })
	c.LinkEnded(l, false)
	assert.Equal(t, []string{"removed c: the client does not read its messages fast enough"}, rec.with("removed"))
}

func TestAFailedConnectionWithoutSocketIsRemoved(t *testing.T) {
	lim := core.DefaultLimits()
	lim.MaxUnackedMessages = 1
	k, rec := newCore(t, lim)
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true})
	c.LinkEnded(l, false)
	send(c, text("1"))
	send(c, text("2"))
	eventually(t, func() bool { return len(rec.with("removed")) == 1 }, "removed in the background")
	assert.Equal(t, "removed c: too many unacknowledged messages", rec.with("removed")[0])
}

func TestControlFramesFollowTheMessagesQueuedBefore(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	c, l := register(t, k, core.ConnSpec{ID: "c"})
	send(c, text("m"))
	c.Control(func(l core.Link) bool { return l.Deliver(text("ack"), 0) })
	assert.Equal(t, []delivered{{0, "m"}, {0, "ack"}}, l.messages())
	c.Control(func(core.Link) bool { return false })
	require.NotNil(t, l.closeReason(), "a control frame over the socket's limits closes it")
}

func TestDuplicateAckIDsAreRememberedUpToTheLimit(t *testing.T) {
	lim := core.DefaultLimits()
	lim.MaxAckIDs = 3
	k, _ := newCore(t, lim)
	c, _ := register(t, k, core.ConnSpec{ID: "c"})
	for id := uint64(1); id <= 3; id++ {
		assert.False(t, c.Duplicate(id))
		c.RecordAckID(id)
		assert.True(t, c.Duplicate(id))
	}
	c.RecordAckID(2) // again: no change
	c.RecordAckID(4)
	assert.False(t, c.Duplicate(1), "the oldest is forgotten")
	for _, id := range []uint64{2, 3, 4} {
		assert.True(t, c.Duplicate(id))
	}
}

// TestDuplicateAckIDsDefaultToTheLastThousand: with the default limits a
// connection remembers the last 1,000 ackIds that succeeded, as Microsoft's
// emulator (AckCache.cs, Capacity 1000; its test
// CacheRetainsMostRecentThousandAckIds): the 1,001st forgets the first.
func TestDuplicateAckIDsDefaultToTheLastThousand(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	c, _ := register(t, k, core.ConnSpec{ID: "c"})
	for id := uint64(1); id <= 1001; id++ {
		c.RecordAckID(id)
	}
	assert.False(t, c.Duplicate(1), "the oldest of 1,001 is forgotten")
	assert.True(t, c.Duplicate(2))
	assert.True(t, c.Duplicate(1001))
}

// TestLinksAreFlushedWithNoLockHeld: after queueing on a link (a send, a
// control frame, a recovery's resend) the core flushes it, and only once it
// holds no lock, so that a link may write to its socket there. The link's
// Flush takes the connection's and the hub's locks (Unacked, Groups): had
// the core held either, it would deadlock.
func TestLinksAreFlushedWithNoLockHeld(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true, Groups: []string{"g"}, Size: func(m *core.Message) (int, error) { return len(m.Data.Data), nil }})
	l.onFlush = func() {
		c.Unacked()
		c.Groups()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		send(c, text("m"))
		c.Control(func(l core.Link) bool { return l.Deliver(text("ack"), 0) })
		require.True(t, c.Drop())
		c.LinkEnded(l, false)
		l2 := &fakeLink{onFlush: func() { c.Unacked() }}
		require.True(t, c.Recover(l2, func(core.Link) {}))
		assert.Equal(t, 1, l2.flushes, "the recovery's resend is flushed")
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a link was flushed with a core lock held (deadlock)")
	}
	assert.Equal(t, 2, l.flushes, "one flush per send and per control frame")
}
