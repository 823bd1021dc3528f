package client

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSequenceTrackerDropsResends(t *testing.T) {
	var s sequenceTracker
	_, due := s.ackDue()
	assert.False(t, due, "nothing to ack before any message")

	assert.True(t, s.accept(1))
	assert.True(t, s.accept(2))
	assert.False(t, s.accept(2), "a resent id is dropped")
	assert.False(t, s.accept(1), "an older id is dropped")
	assert.True(t, s.accept(3))

	id, due := s.ackDue()
	assert.True(t, due)
	assert.Equal(t, uint64(3), id)
	_, due = s.ackDue()
	assert.False(t, due, "no new ids since the last ack")

	assert.False(t, s.accept(3))
	id, due = s.ackDue()
	assert.True(t, due, "a resend means the service did not get the ack: ack again")
	assert.Equal(t, uint64(3), id)

	s.markPending()
	_, due = s.ackDue()
	assert.True(t, due)
}

func TestSequenceTrackerGapAndReset(t *testing.T) {
	var s sequenceTracker
	assert.True(t, s.accept(5), "ids above the last are delivered even after a gap")
	assert.False(t, s.accept(4))
	s.reset()
	_, due := s.ackDue()
	assert.False(t, due)
	assert.True(t, s.accept(1), "a new connection starts over")
}
