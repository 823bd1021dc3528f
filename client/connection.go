package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// connection is one WebSocket connection of a session.
type connection struct {
	ws       *websocket.Conn
	reliable bool
	// recovery is set when the connection recovers an earlier one.
	recovery bool
	// recoveryDeadline is when recovering the logical connection this one
	// carries must give up; a recovered connection that dies before it
	// received anything keeps its predecessor's deadline.
	recoveryDeadline time.Time

	ctx    context.Context // canceled when the read loop exits
	cancel context.CancelFunc
	done   chan struct{} // closed when the read loop has exited

	connectedOnce sync.Once
	connected     chan struct{} // closed by the first "connected" message

	ackNow chan struct{} // asks keepAlive to send a sequenceAck at once

	lastRecv atomic.Int64 // unix nanoseconds of the last frame received
	received atomic.Bool  // any frame received
	timedOut atomic.Bool  // closed by the dead-connection timeout

	mu            sync.Mutex
	id            string // connection id announced on this connection
	disconnectMsg string // from the "disconnected" system message
	closeCode     websocket.StatusCode
	closeErr      error // why the read loop exited
}

// dial opens a WebSocket connection to rawURL and starts its read loop and
// keep-alive goroutines in sess.
func (c *Client) dial(ctx context.Context, sess *session, rawURL string, recovery bool) (*connection, error) {
	ws, resp, err := websocket.Dial(ctx, rawURL, &websocket.DialOptions{
		HTTPClient:   c.cfg.HTTPClient,
		Subprotocols: []string{c.cfg.Protocol},
	})
	if err != nil {
		ce := &ConnectError{URL: RedactURL(rawURL), Err: redactError(err, rawURL)}
		if resp != nil && resp.StatusCode != 101 {
			ce.StatusCode = resp.StatusCode
			ce.Reason = handshakeReason(resp, rawURL) // handshake.go
		}
		return nil, ce
	}
	if got := ws.Subprotocol(); got != c.cfg.Protocol {
		_ = ws.CloseNow()
		return nil, &ConnectError{URL: RedactURL(rawURL), Err: fmt.Errorf("the service did not accept subprotocol %q (got %q)", c.cfg.Protocol, got)}
	}
	ws.SetReadLimit(c.cfg.ReadLimit)
	conn := &connection{
		ws:        ws,
		reliable:  protocol.IsReliable(c.cfg.Protocol),
		recovery:  recovery,
		done:      make(chan struct{}),
		connected: make(chan struct{}),
		ackNow:    make(chan struct{}, 1),
		closeCode: -1,
	}
	conn.ctx, conn.cancel = context.WithCancel(context.Background())
	conn.lastRecv.Store(time.Now().UnixNano())
	sess.wg.Add(2)
	go c.readLoop(sess, conn)
	go c.keepAlive(sess, conn)
	return conn, nil
}

// write sends one encoded message on conn.
func (c *Client) write(conn *connection, b []byte) error {
	return conn.ws.Write(conn.ctx, c.frameType(), b)
}

// readLoop reads frames until the connection ends.
func (c *Client) readLoop(sess *session, conn *connection) {
	defer sess.wg.Done()
	for {
		_, b, err := conn.ws.Read(conn.ctx)
		if err != nil {
			conn.mu.Lock()
			conn.closeCode = websocket.CloseStatus(err)
			// The connection may also have been closed by a keep-alive write
			// that hit the dead-connection deadline.
			if conn.timedOut.Load() || c.silent(conn) {
				conn.closeErr = fmt.Errorf("client: nothing received from the service for %s; the connection was closed", c.cfg.KeepAliveTimeout)
			} else {
				conn.closeErr = closeError(err)
			}
			conn.mu.Unlock()
			conn.cancel()
			_ = conn.ws.CloseNow()
			close(conn.done)
			return
		}
		conn.lastRecv.Store(time.Now().UnixNano())
		conn.received.Store(true)
		c.handleFrame(sess, conn, b)
	}
}

// closeError describes why a connection ended.
func closeError(err error) error {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		if ce.Reason != "" {
			return fmt.Errorf("client: connection closed with status %d: %s", int(ce.Code), ce.Reason)
		}
		return fmt.Errorf("client: connection closed with status %d", int(ce.Code))
	}
	return fmt.Errorf("client: connection lost: %w", err)
}

// keepAlive pings the service, acknowledges sequence ids and closes a
// connection on which nothing arrived for KeepAliveTimeout. Its writes end
// at that deadline, so that a service that stopped reading (and thus blocked
// the writes) cannot keep it from closing the connection.
func (c *Client) keepAlive(sess *session, conn *connection) {
	defer sess.wg.Done()
	var pingC, ackC, deadC <-chan time.Time
	if d := c.cfg.KeepAliveInterval; d > 0 {
		t := time.NewTicker(d)
		defer t.Stop()
		pingC = t.C
	}
	if conn.reliable {
		t := time.NewTicker(c.cfg.SequenceAckInterval)
		defer t.Stop()
		ackC = t.C
	}
	if timeout := c.cfg.KeepAliveTimeout; timeout > 0 {
		t := time.NewTicker(max(timeout/8, time.Millisecond))
		defer t.Stop()
		deadC = t.C
	}
	for {
		var ping, ack bool
		select {
		case <-conn.ctx.Done():
			return
		case <-pingC:
			ping = true
		case <-conn.ackNow:
			ack = true
		case <-ackC:
			ack = true
		case <-deadC:
		}
		if c.silent(conn) {
			conn.timedOut.Store(true)
			_ = conn.ws.CloseNow()
			return
		}
		switch {
		case ping:
			_ = c.keepAliveWrite(conn, protocol.PingMessage{})
		case ack:
			c.sendSequenceAck(conn)
		}
	}
}

// silent reports whether nothing was received on conn for KeepAliveTimeout.
func (c *Client) silent(conn *connection) bool {
	timeout := c.cfg.KeepAliveTimeout
	return timeout > 0 && time.Since(time.Unix(0, conn.lastRecv.Load())) > timeout
}

// keepAliveWrite sends m on conn, giving up when conn has been silent for
// KeepAliveTimeout.
func (c *Client) keepAliveWrite(conn *connection, m protocol.Message) error {
	ctx := conn.ctx
	if timeout := c.cfg.KeepAliveTimeout; timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.Unix(0, conn.lastRecv.Load()).Add(timeout))
		defer cancel()
	}
	b, err := c.cfg.codec.Encode(m)
	if err != nil {
		return err
	}
	return conn.ws.Write(ctx, c.frameType(), b)
}

// sendSequenceAck acknowledges the received sequence ids if any are new.
// Nothing is acknowledged before the service confirmed conn: until then the
// tracker may still hold the ids of a previous logical connection, and
// acknowledging them on a new one would tell the service that messages it is
// about to send were already received.
func (c *Client) sendSequenceAck(conn *connection) {
	select {
	case <-conn.connected:
	default:
		return
	}
	if id, ok := c.seq.ackDue(); ok {
		if err := c.keepAliveWrite(conn, protocol.SequenceAckMessage{SequenceID: id}); err != nil {
			c.seq.markPending()
		}
	}
}

// handleFrame handles one frame from the service.
func (c *Client) handleFrame(sess *session, conn *connection, b []byte) {
	msg, err := c.cfg.codec.DecodeDownstream(b)
	if err != nil {
		c.reportInvalid(sess, b, err)
		return
	}
	switch m := msg.(type) {
	case protocol.ConnectedMessage:
		c.handleConnected(sess, conn, m)
	case protocol.DisconnectedMessage:
		conn.mu.Lock()
		conn.disconnectMsg = m.Message
		conn.mu.Unlock()
	case protocol.AckMessage:
		c.resolveAck(m)
	case protocol.ServerDataMessage:
		if !c.acceptSequence(conn, m.SequenceID) {
			return
		}
		if h := c.cfg.OnServerMessage; h != nil {
			ev := ServerMessage{DataType: DataType(m.Data.Type), Data: m.Data.Data, SequenceID: m.SequenceID}
			c.post(sess, func() { h(ev) })
		}
	case protocol.GroupDataMessage:
		if !c.acceptSequence(conn, m.SequenceID) {
			return
		}
		if m.Stream != nil {
			c.preview.inbound.dispatch(sess, m) // stream_recv.go
		}
		if h := c.cfg.OnGroupMessage; h != nil {
			ev := GroupMessage{Group: m.Group, FromUserID: m.FromUserID, DataType: DataType(m.Data.Type), Data: m.Data.Data, SequenceID: m.SequenceID, Stream: groupStreamInfo(m.Stream)}
			c.post(sess, func() { h(ev) })
		}
	case protocol.PongMessage:
	case protocol.InvokeResponseMessage, protocol.StreamAckMessage, protocol.StreamNackMessage, protocol.StreamClosedMessage:
		c.handlePreviewFrame(m) // preview.go
	case protocol.UnknownMessage, protocol.GroupStateSnapshotMessage, protocol.GroupStateUpdateMessage:
		// Dropped without an error, as the JS client does: frames of a newer
		// protocol must not break the client.
	default:
		c.reportInvalid(sess, b, fmt.Errorf("unexpected %q message from the service", msg.Type()))
	}
}

// acceptSequence tracks the sequence id of a data message on a reliable
// connection and reports whether the message must be delivered.
func (c *Client) acceptSequence(conn *connection, id uint64) bool {
	if !conn.reliable || id == 0 {
		return true
	}
	deliver, ackNow := c.seq.accept(id)
	if ackNow {
		select {
		case conn.ackNow <- struct{}{}:
		default:
		}
	}
	return deliver
}

func (c *Client) reportInvalid(sess *session, b []byte, err error) {
	if h := c.cfg.OnInvalidMessage; h != nil {
		ie := newInvalidMessageError(b, err)
		c.post(sess, func() { h(ie) })
	}
}

// handleConnected handles the "connected" system message. A new connection
// (rather than a recovered one) resets sequence tracking, is announced with
// a Connected event and rejoins the client's groups.
func (c *Client) handleConnected(sess *session, conn *connection, m protocol.ConnectedMessage) {
	if m.ConnectionID == "" {
		c.reportInvalid(sess, nil, errors.New("connected message without a connectionId"))
		return
	}
	c.mu.Lock()
	isNew := !conn.recovery || m.ConnectionID != c.connectionID
	c.connectionID = m.ConnectionID
	if isNew || m.UserID != "" {
		c.userID = m.UserID
	}
	if isNew || m.ReconnectionToken != "" {
		c.reconnectionToken = m.ReconnectionToken
	}
	var groups []string
	if isNew && !c.cfg.DisableAutoRejoinGroups {
		for g := range c.groups {
			groups = append(groups, g)
		}
	}
	userID := c.userID
	c.mu.Unlock()
	conn.mu.Lock()
	conn.id = m.ConnectionID
	conn.mu.Unlock()

	if isNew {
		c.seq.reset()
		if h := c.cfg.OnConnected; h != nil {
			ev := ConnectedEvent{ConnectionID: m.ConnectionID, UserID: userID}
			c.post(sess, func() { h(ev) })
		}
		if len(groups) > 0 {
			sess.wg.Add(1)
			go c.rejoin(sess, groups)
		}
	}
	conn.connectedOnce.Do(func() { close(conn.connected) })
}

// rejoin joins groups again on a new connection and reports failures.
func (c *Client) rejoin(sess *session, groups []string) {
	defer sess.wg.Done()
	for _, g := range groups {
		c.mu.Lock()
		_, joined := c.groups[g]
		c.mu.Unlock()
		if !joined {
			continue // left since the connection came up
		}
		_, err := c.invoke(sess.ctx, 0, false, func(id *uint64) protocol.Message {
			return protocol.JoinGroupMessage{Group: g, AckID: id}
		})
		if sess.ctx.Err() != nil {
			return
		}
		if err != nil {
			if h := c.cfg.OnRejoinGroupFailed; h != nil {
				ev := RejoinGroupFailedEvent{Group: g, Err: err}
				c.post(sess, func() { h(ev) })
			}
		}
	}
}
