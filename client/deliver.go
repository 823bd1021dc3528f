package client

import (
	"context"
	"fmt"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// The read loop hands received data messages to the dispatcher without ever
// waiting for it, so that acks, pongs and system messages are read however
// slow the handlers are. When a message finds the handler queue full
// (Options.MaxQueuedMessages, MaxQueuedBytes) the client applies the
// overflow policy of queueFull.

// handleServerData admits a server message that arrived on conn in frame b.
func (c *Client) handleServerData(sess *session, conn *connection, b []byte, m protocol.ServerDataMessage) {
	var call func(context.Context)
	if h := c.cfg.OnServerMessage; h != nil {
		ev := ServerMessage{DataType: DataType(m.Data.Type), Data: m.Data.Data, SequenceID: m.SequenceID, Metadata: m.Metadata}
		call = func(ctx context.Context) { h(ctx, ev) }
	}
	c.admit(sess, conn, b, m.SequenceID, "OnServerMessage", call)
}

// handleGroupData admits a group message that arrived on conn in frame b;
// a stream fragment also goes to the stream subscriptions (stream_recv.go).
func (c *Client) handleGroupData(sess *session, conn *connection, b []byte, m protocol.GroupDataMessage) {
	var call func(context.Context)
	if h := c.cfg.OnGroupMessage; h != nil {
		ev := GroupMessage{Group: m.Group, FromUserID: m.FromUserID, DataType: DataType(m.Data.Type), Data: m.Data.Data,
			SequenceID: m.SequenceID, Stream: groupStreamInfo(m.Stream), Metadata: m.Metadata}
		call = func(ctx context.Context) { h(ctx, ev) }
	}
	if c.admit(sess, conn, b, m.SequenceID, "OnGroupMessage", call) && m.Stream != nil {
		c.preview.inbound.dispatch(sess, m)
	}
}

// admit decides the fate of a data message with sequence id id (0: none)
// that arrived on conn in frame b: it queues call (the handler call, or nil
// when no handler is set) and reports whether the message was taken.
//
// On a reliable connection a resent id is dropped (it was delivered), an id
// that cannot be right is a protocol error (badSequence), and a message
// that finds the queue full is dropped without recording its id: the
// service keeps it and resends it when the connection is recovered.
func (c *Client) admit(sess *session, conn *connection, b []byte, id uint64, name string, call func(context.Context)) bool {
	tracked := conn.reliable && id != 0
	if tracked && conn.overflow.Load() {
		return false // held by the service until the connection is recovered
	}
	if tracked {
		switch c.seq.check(id) {
		case seqResend:
			c.noteSequence(conn, id, false)
			return false
		case seqInvalid:
			c.badSequence(sess, conn, b, id)
			return false
		}
	}
	if call != nil && !sess.disp.tryPostData(name, call, int64(len(b))) {
		c.queueFull(sess, conn, tracked)
		return false
	}
	if tracked {
		c.noteSequence(conn, id, true)
	}
	return true
}

// noteSequence records the arrival of id and asks keepAlive for an early
// sequenceAck when many ids arrived.
func (c *Client) noteSequence(conn *connection, id uint64, delivered bool) {
	if c.seq.record(id, delivered) {
		select {
		case conn.ackNow <- struct{}{}:
		default:
		}
	}
}

// queueFull applies the overflow policy to a message that found the handler
// queue full. Memory stays within the queue's bounds in every case, and no
// message is lost without a word:
//
//   - a message with a sequence id (reliable subprotocols) is dropped
//     unacknowledged, and so are the data messages after it on conn; once
//     the handlers have drained the queue to half its bounds, the client
//     closes conn and recovers it, and the service resends them. Acks and
//     other frames are still read meanwhile, so acknowledged calls complete.
//   - any other message cannot be had again: conn is closed at once with
//     ErrQueueOverflow, which the Disconnected event of the connection
//     carries, and the client opens a new connection.
func (c *Client) queueFull(sess *session, conn *connection, tracked bool) {
	if !tracked {
		conn.dropped.Store(true)
		conn.fail(fmt.Errorf("%w (Options.MaxQueuedMessages %d, MaxQueuedBytes %d): messages were lost, since the subprotocol cannot resend them; the connection was closed",
			ErrQueueOverflow, c.cfg.MaxQueuedMessages, c.cfg.MaxQueuedBytes))
		return
	}
	if conn.overflow.Swap(true) {
		return
	}
	sess.wg.Add(1) // the read loop holds the group, so it is not at zero
	go c.recoverAfterOverflow(sess, conn)
}

// recoverAfterOverflow waits until the handler queue is half drained, then
// closes conn so that the supervisor recovers it and the service resends
// what conn dropped. It gives up when conn ends first.
func (c *Client) recoverAfterOverflow(sess *session, conn *connection) {
	defer sess.wg.Done()
	for {
		ok, room := sess.disp.drained()
		if ok {
			conn.fail(fmt.Errorf("%w (Options.MaxQueuedMessages %d, MaxQueuedBytes %d); the connection was closed to make the service resend the messages it holds",
				ErrQueueOverflow, c.cfg.MaxQueuedMessages, c.cfg.MaxQueuedBytes))
			return
		}
		select {
		case <-room:
		case <-conn.ctx.Done():
			return
		}
	}
}

// badSequence handles a data message whose sequence id cannot be right:
// it is reported to OnInvalidMessage and conn is closed as a protocol error,
// to be recovered. The id is not recorded, so the messages the service
// resends after the last delivered id are delivered.
func (c *Client) badSequence(sess *session, conn *connection, b []byte, id uint64) {
	err := fmt.Errorf("%w: sequenceId %d after %d (at most %d ahead)", ErrInvalidSequenceID, id, c.seq.lastID(), MaxSequenceJump)
	c.reportInvalid(sess, b, err)
	conn.fail(fmt.Errorf("%w; the connection was closed", err))
}
