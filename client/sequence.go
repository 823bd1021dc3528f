package client

import "sync"

// sequenceTracker remembers the highest sequence id delivered on a reliable
// connection, drops resent ids and says when a sequenceAck is due.
type sequenceTracker struct {
	mu      sync.Mutex
	last    uint64
	pending bool // an id arrived since the last sequenceAck
}

// accept records id and reports whether the message carrying it must be
// delivered: false for an id at or below the last delivered one (a resend).
// Every id makes a sequenceAck due, since the service resends until acked.
func (t *sequenceTracker) accept(id uint64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = true
	if id <= t.last {
		return false
	}
	t.last = id
	return true
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
	t.last, t.pending = 0, false
	t.mu.Unlock()
}
