package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

	ctx    context.Context // canceled when the read loop exits
	cancel context.CancelFunc
	done   chan struct{} // closed when the read loop has exited

	connectedOnce sync.Once
	connected     chan struct{} // closed by the first "connected" message

	ackNow chan struct{} // asks keepAlive to send a sequenceAck at once

	lastRecv atomic.Int64 // unix nanoseconds of the last frame received
	received atomic.Bool  // any frame received
	timedOut atomic.Bool  // closed by the dead-connection timeout
	tooBig   atomic.Bool  // closed because a message exceeded ReadLimit
	// overflow is set when a data message with a sequence id found the
	// handler queue full: later data messages are dropped unacknowledged
	// until the connection is recovered (deliver.go).
	overflow atomic.Bool
	// dropped is set when a message the service will not resend found the
	// handler queue full: the connection must not be recovered silently.
	dropped atomic.Bool

	mu            sync.Mutex
	id            string // connection id announced on this connection
	disconnectMsg string // from the "disconnected" system message
	closeCode     websocket.StatusCode
	closeErr      error // why the read loop exited
	failErr       error // set when the client closed the connection for a protocol error
}

// fail closes conn because of a protocol error; err becomes the reason the
// connection ended.
func (conn *connection) fail(err error) {
	conn.mu.Lock()
	if conn.failErr == nil {
		conn.failErr = err
	}
	conn.mu.Unlock()
	if conn.ws != nil { // nil only in tests of frame handling
		_ = conn.ws.CloseNow()
	}
}

// dial opens a WebSocket connection to rawURL and starts its read loop and
// keep-alive goroutines in sess.
func (c *Client) dial(ctx context.Context, sess *session, rawURL string, recovery bool) (*connection, error) {
	ws, resp, err := websocket.Dial(ctx, rawURL, &websocket.DialOptions{
		HTTPClient:   c.cfg.HTTPClient,
		Subprotocols: []string{string(c.cfg.Protocol)},
	})
	if err != nil {
		ce := &ConnectError{URL: RedactURL(rawURL), Err: redactError(err, rawURL)}
		if resp != nil && resp.StatusCode != 101 {
			ce.StatusCode = resp.StatusCode
			ce.Reason = handshakeReason(resp, rawURL) // handshake.go
		}
		return nil, ce
	}
	if got := ws.Subprotocol(); got != string(c.cfg.Protocol) {
		_ = ws.CloseNow()
		return nil, &ConnectError{URL: RedactURL(rawURL), Err: fmt.Errorf("the service did not accept subprotocol %q (got %q)", c.cfg.Protocol, got)}
	}
	ws.SetReadLimit(c.cfg.ReadLimit)
	conn := &connection{
		ws:        ws,
		reliable:  protocol.IsReliable(string(c.cfg.Protocol)),
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

// write sends one encoded message on conn. A failed write leaves the
// connection unusable, so it is closed; its read loop then ends it and the
// supervisor recovers or replaces it.
func (c *Client) write(conn *connection, b []byte) error {
	err := conn.ws.Write(conn.ctx, c.frameType(), b)
	if err != nil {
		_ = conn.ws.CloseNow()
	}
	return err
}

// readLoop reads frames until the connection ends.
func (c *Client) readLoop(sess *session, conn *connection) {
	defer sess.wg.Done()
	for {
		_, b, err := conn.ws.Read(conn.ctx)
		if err != nil {
			conn.mu.Lock()
			conn.closeCode = websocket.CloseStatus(err)
			switch {
			case conn.failErr != nil:
				conn.closeErr = conn.failErr
			case errors.Is(err, websocket.ErrMessageTooBig):
				conn.tooBig.Store(true)
				conn.closeErr = fmt.Errorf("%w (%d bytes); the client stops, since recovering the connection would only receive the same message again: raise ReadLimit", ErrMessageTooBig, c.cfg.ReadLimit)
			case conn.timedOut.Load() || c.silent(conn):
				// The connection may also have been closed by a keep-alive
				// write that hit the dead-connection deadline.
				conn.closeErr = fmt.Errorf("client: nothing received from the service for %s; the connection was closed", c.cfg.KeepAliveTimeout)
			default:
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
// The read loop never waits for handlers, so silence is the service's (or
// the network's), whatever the handlers do.
func (c *Client) silent(conn *connection) bool {
	timeout := c.cfg.KeepAliveTimeout
	return timeout > 0 && time.Since(time.Unix(0, conn.lastRecv.Load())) > timeout
}

// keepAliveWrite sends m on conn, giving up when conn has been silent for
// KeepAliveTimeout.
func (c *Client) keepAliveWrite(conn *connection, m protocol.Message) error {
	ctx := conn.ctx
	if timeout := c.cfg.KeepAliveTimeout; timeout > 0 {
		last := time.Unix(0, conn.lastRecv.Load())
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, last.Add(timeout))
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
		c.handleServerData(sess, conn, b, m) // deliver.go
	case protocol.GroupDataMessage:
		c.handleGroupData(sess, conn, b, m) // deliver.go
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

// reportInvalid reports frame b as invalid. Reports count against the
// handler queue's bounds like data messages, since a service could send any
// number of them; a report that finds the queue full is dropped (it is a
// diagnostic, not a message).
func (c *Client) reportInvalid(sess *session, b []byte, err error) {
	if h := c.cfg.OnInvalidMessage; h != nil {
		ie := newInvalidMessageError(b, err)
		sess.disp.tryPostData("OnInvalidMessage", func(ctx context.Context) { h(ctx, error(ie)) }, int64(len(b)))
	}
}

// errNoConnectionID is why a connection whose "connected" message lacks the
// connection id is closed.
var errNoConnectionID = errors.New(`client: protocol error: the service's "connected" message has no connectionId; the connection was closed`)

// handleConnected handles the "connected" system message. A new connection
// (rather than a recovered one) resets sequence tracking, rejoins the
// client's groups and is then announced with a Connected event.
func (c *Client) handleConnected(sess *session, conn *connection, m protocol.ConnectedMessage) {
	if m.ConnectionID == "" {
		c.reportInvalid(sess, nil, errors.New("connected message without a connectionId"))
		select {
		case <-conn.connected:
			// The connection is established; a later malformed message is
			// only reported.
		default:
			// Without an id the connection cannot be used or recovered, and
			// waiting for another "connected" message could block Start
			// forever: it is a protocol error.
			conn.fail(errNoConnectionID)
		}
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
		slices.Sort(groups)
	}
	userID := c.userID
	c.mu.Unlock()
	conn.mu.Lock()
	conn.id = m.ConnectionID
	conn.mu.Unlock()

	if isNew {
		c.seq.reset()
		ev := ConnectedEvent{ConnectionID: m.ConnectionID, UserID: userID}
		c.endRejoin() // of an earlier logical connection, if still running
		if len(groups) == 0 {
			c.emitConnected(sess, ev)
		} else {
			ctx, cancel := context.WithCancel(sess.ctx)
			run := &rejoinRun{cancel: cancel, done: make(chan struct{})}
			c.mu.Lock()
			c.rejoining = run
			c.mu.Unlock()
			sess.wg.Add(1)
			go c.rejoin(ctx, sess, run, groups, ev)
		}
	}
	conn.connectedOnce.Do(func() { close(conn.connected) })
}

func (c *Client) emitConnected(sess *session, ev ConnectedEvent) {
	if h := c.cfg.OnConnected; h != nil {
		sess.disp.postEvent("OnConnected", func(ctx context.Context) { h(ctx, ev) })
	}
}

// rejoinRun is the rejoin of a new connection's groups.
type rejoinRun struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when the rejoin has ended
}

// endRejoin ends the running rejoin, if any, and waits until it has
// announced its connection; the supervisor calls it before it reports the
// connection lost, so that Connected precedes Disconnected.
func (c *Client) endRejoin() {
	c.mu.Lock()
	run := c.rejoining
	c.rejoining = nil
	c.mu.Unlock()
	if run != nil {
		run.cancel()
		<-run.done
	}
}

// rejoin joins groups again on a new connection, reports failures and then
// delivers the connection's Connected event, so that (as in the JavaScript
// client) a Connected handler finds the client back in its groups. ctx ends
// when the connection is lost for good or the session stops; the joins not
// done by then are abandoned and the event is delivered at once. A group's
// joins and leaves are serialised (lockGroup), so that a LeaveGroup during
// the rejoin is carried out after it and wins.
func (c *Client) rejoin(ctx context.Context, sess *session, run *rejoinRun, groups []string, ev ConnectedEvent) {
	defer sess.wg.Done()
	defer close(run.done)
	defer run.cancel()
	for _, g := range groups {
		if ctx.Err() != nil {
			break
		}
		c.rejoinGroup(ctx, sess, g)
	}
	c.emitConnected(sess, ev)
}

// rejoinGroup joins g again if the client is still in it.
func (c *Client) rejoinGroup(ctx context.Context, sess *session, g string) {
	unlock, err := c.lockGroup(ctx, g)
	if err != nil {
		return
	}
	defer unlock()
	c.mu.Lock()
	_, joined := c.groups[g]
	c.mu.Unlock()
	if !joined {
		return // left since the connection came up
	}
	_, err = c.invoke(ctx, 0, false, func(id *uint64) protocol.Message {
		return protocol.JoinGroupMessage{Group: g, AckID: id}
	})
	if err == nil || ctx.Err() != nil || errors.Is(err, ErrStopped) {
		return
	}
	if h := c.cfg.OnRejoinGroupFailed; h != nil {
		ev := RejoinGroupFailedEvent{Group: g, Err: err}
		sess.disp.postEvent("OnRejoinGroupFailed", func(ctx context.Context) { h(ctx, ev) })
	}
}
