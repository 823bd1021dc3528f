package client

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSequenceTrackerDropsResends(t *testing.T) {
	var s sequenceTracker
	_, due := s.ackDue()
	assert.False(t, due, "nothing to ack before any message")

	assert.True(t, deliver(&s, 1))
	assert.True(t, deliver(&s, 2))
	assert.False(t, deliver(&s, 2), "a resent id is dropped")
	assert.False(t, deliver(&s, 1), "an older id is dropped")
	assert.True(t, deliver(&s, 3))

	id, due := s.ackDue()
	assert.True(t, due)
	assert.Equal(t, uint64(3), id)
	_, due = s.ackDue()
	assert.False(t, due, "no new ids since the last ack")

	assert.False(t, deliver(&s, 3))
	id, due = s.ackDue()
	assert.True(t, due, "a resend means the service did not get the ack: ack again")
	assert.Equal(t, uint64(3), id)

	s.markPending()
	_, due = s.ackDue()
	assert.True(t, due)
}

func TestSequenceTrackerAsksForAnEarlyAck(t *testing.T) {
	var s sequenceTracker
	for id := uint64(1); id < ackBatch; id++ {
		assert.False(t, s.record(id, true), "id %d", id)
	}
	assert.True(t, s.record(ackBatch, true), "a full batch asks for an ack at once")
	_, _ = s.ackDue()
	assert.False(t, s.record(ackBatch+1, true), "an ack starts a new batch")
}

func TestSequenceTrackerGapAndReset(t *testing.T) {
	var s sequenceTracker
	assert.True(t, deliver(&s, 5), "ids above the last are delivered even after a gap")
	assert.False(t, deliver(&s, 4))
	s.reset()
	_, due := s.ackDue()
	assert.False(t, due)
	assert.True(t, deliver(&s, 1), "a new connection starts over")
}

// An id that cannot be right is refused and leaves the tracker as it was,
// so that the messages after it are still delivered.
func TestSequenceTrackerRefusesImpossibleIDs(t *testing.T) {
	var s sequenceTracker
	assert.Equal(t, seqInvalid, s.check(math.MaxUint64), "the largest id, first")
	assert.True(t, deliver(&s, 1))
	assert.Equal(t, seqInvalid, s.check(math.MaxUint64))
	assert.Equal(t, seqInvalid, s.check(2+MaxSequenceJump), "a jump beyond the bound")
	assert.Equal(t, seqNew, s.check(1+MaxSequenceJump), "a jump up to the bound")
	assert.Equal(t, uint64(1), s.lastID())
	assert.True(t, deliver(&s, 2), "the next id is still delivered")
	id, due := s.ackDue()
	assert.True(t, due)
	assert.Equal(t, uint64(2), id, "the acknowledged id never moved to the bad one")
}

// deliver checks id and records it as the read loop does, reporting whether
// the message is delivered.
func deliver(s *sequenceTracker, id uint64) bool {
	ok := s.check(id) == seqNew
	s.record(id, ok)
	return ok
}
