package client

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// When the read loop delivers an ack and then the connection ends, the
// waiter sees both at once; it must take the ack instead of retrying an
// operation the service already answered (a select between ready cases
// picks one at random, so one round could pass by luck).
func TestAwaitAckPrefersAnAckOverTheDrop(t *testing.T) {
	sessCtx, stop := context.WithCancel(context.Background())
	defer stop()
	sess := &session{ctx: sessCtx, cancel: stop}
	for i := 0; i < 200; i++ {
		conn := &connection{}
		conn.ctx, conn.cancel = context.WithCancel(context.Background())
		conn.cancel()
		ch := make(chan ackOutcome, 1)
		ch <- ackOutcome{ack: protocol.AckMessage{AckID: 9, Success: true}}
		res, why, err := awaitAck(context.Background(), sess, conn, 9, ch)
		require.NoError(t, err, "round %d", i)
		require.Equal(t, retryNone, why)
		require.Equal(t, uint64(9), res.AckID)
	}
}

func TestAwaitAckRetriesWhenTheConnectionEndsUnanswered(t *testing.T) {
	sessCtx, stop := context.WithCancel(context.Background())
	defer stop()
	sess := &session{ctx: sessCtx, cancel: stop}
	conn := &connection{}
	conn.ctx, conn.cancel = context.WithCancel(context.Background())
	conn.cancel()
	_, why, err := awaitAck(context.Background(), sess, conn, 4, make(chan ackOutcome, 1))
	require.ErrorIs(t, err, ErrConnectionLost)
	require.Equal(t, retryConnectionLost, why, "a lost connection is retried at once, not after the retry delay")
	var se *SendMessageError
	require.ErrorAs(t, err, &se)
	require.Equal(t, uint64(4), se.AckID)
}

// A join's membership is recorded as the read loop handles its ack, before
// the caller's goroutine runs again and before the read loop handles the end
// of the connection: a new connection that comes up right after the ack
// rejoins the group.
func TestMembershipIsRecordedWhenTheAckIsHandled(t *testing.T) {
	c, err := NewWithURLProvider(func(context.Context) (string, error) { return "", nil }, nil)
	require.NoError(t, err)
	for _, a := range []protocol.AckMessage{
		{AckID: 1, Success: true},
		{AckID: 2, Error: &protocol.AckError{Name: protocol.ErrorDuplicate}},
		{AckID: 3, Error: &protocol.AckError{Name: protocol.ErrorForbidden}},
	} {
		group := fmt.Sprint("g", a.AckID)
		ch, err := c.registerAck(a.AckID, func() { c.groups[group] = struct{}{} })
		require.NoError(t, err)
		c.resolveAck(a)
		_, joined := c.groups[group]
		require.Equal(t, a.Success || a.AckID == 2, joined, "ack %d", a.AckID)
		require.Len(t, ch, 1, "the waiter gets the ack too")
	}
}
