package client

import (
	"math"
	"sync"
)

// sequenceTracker remembers the highest sequence id delivered on a reliable
// connection, drops resent ids, refuses ids that cannot be right and says
// when a sequenceAck is due.
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

// MaxSequenceJump is how far beyond the last delivered sequence id the next
// may be. The service numbers a connection's messages 1, 2, 3, ...; a gap
// appears only where it dropped messages it held (expired or evicted ones,
// at most its resend buffer of 1,000), so an id further ahead, or the
// largest uint64, can only come from a service that misbehaves: taking it
// would make the client drop every later message as a resend.
const MaxSequenceJump = 1 << 20

// seqVerdict is what a sequence id means for the message carrying it.
type seqVerdict int

const (
	// seqNew: above the last delivered id; deliver the message.
	seqNew seqVerdict = iota
	// seqResend: at or below it; the message was delivered already.
	seqResend
	// seqInvalid: too far ahead to be right (see MaxSequenceJump).
	seqInvalid
)

// check says what id means, without recording it.
func (t *sequenceTracker) check(id uint64) seqVerdict {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case id <= t.last:
		return seqResend
	case id == math.MaxUint64 || id-t.last > MaxSequenceJump:
		return seqInvalid
	}
	return seqNew
}

// record notes that a message with id arrived and, if delivered (id passed
// check as seqNew and the message was queued), makes it the last delivered
// id. Every arrival makes a sequenceAck due, a resend too (the service did
// not get the last ack). It reports whether so many ids arrived that a
// sequenceAck should go out now.
func (t *sequenceTracker) record(id uint64, delivered bool) (ackNow bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = true
	t.count++
	if delivered && id > t.last {
		t.last = id
	}
	return t.count == ackBatch
}

// lastID returns the last delivered id.
func (t *sequenceTracker) lastID() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
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
