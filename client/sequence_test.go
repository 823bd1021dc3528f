package client

import (
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
		_, now := s.accept(id)
		assert.False(t, now, "id %d", id)
	}
	_, now := s.accept(ackBatch)
	assert.True(t, now, "a full batch asks for an ack at once")
	_, _ = s.ackDue()
	_, now = s.accept(ackBatch + 1)
	assert.False(t, now, "an ack starts a new batch")
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

// deliver is the first result of accept.
func deliver(s *sequenceTracker, id uint64) bool {
	d, _ := s.accept(id)
	return d
}
