package client

import "sync"

// sequenceTracker remembers the highest sequence id delivered on a reliable
// connection, drops resent ids and says when a sequenceAck is due.
type sequenceTracker struct {
	mu      sync.Mutex
	last    uint64
	pending bool // an id arrived since the last sequenceAck
	count   int  // ids arrived since the last sequenceAck
}

// ackBatch is how many ids may arrive before a sequenceAck is sent without
// waiting for the interval: the service closes a connection whose resend
// buffer holds too many unacknowledged messages (1,000).
const ackBatch = 200

// accept records id and reports whether the message carrying it must be
// delivered (false for an id at or below the last delivered one, a resend)
// and whether so many ids arrived that a sequenceAck should go out now.
// Every id makes a sequenceAck due, since the service resends until acked.
func (t *sequenceTracker) accept(id uint64) (deliver, ackNow bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = true
	t.count++
	ackNow = t.count == ackBatch
	if id <= t.last {
		return false, ackNow
	}
	t.last = id
	return true, ackNow
}

// ackDue returns the id to acknowledge and true when a sequenceAck is due, and
// clears the due flag.
func (t *sequenceTracker) ackDue() (uint64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.pending || t.last == 0 {
		return 0, false
	}
	t.pending = false
	t.count = 0
	return t.last, true
}

// markPending makes a sequenceAck due again, e.g. when sending one failed.
func (t *sequenceTracker) markPending() {
	t.mu.Lock()
	t.pending = true
	t.mu.Unlock()
}

// reset forgets all ids; a new (not recovered) connection starts over.
func (t *sequenceTracker) reset() {
	t.mu.Lock()
	t.last, t.pending, t.count = 0, false, 0
	t.mu.Unlock()
}
