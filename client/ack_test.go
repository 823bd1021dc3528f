package client

import (
	"context"
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
		res, err, why := awaitAck(context.Background(), sess, conn, 9, ch)
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
	_, err, why := awaitAck(context.Background(), sess, conn, 4, make(chan ackOutcome, 1))
	require.ErrorIs(t, err, ErrConnectionLost)
	require.Equal(t, retryConnectionLost, why, "a lost connection is retried at once, not after the retry delay")
	var se *SendMessageError
	require.ErrorAs(t, err, &se)
	require.Equal(t, uint64(4), se.AckID)
}
