package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// supervise runs a session: it opens the first connection (reporting the
// outcome to Start through result), then recovers or replaces lost
// connections until the session is stopped or reconnecting gives up.
func (c *Client) supervise(startCtx context.Context, sess *session, result chan<- error) {
	defer sess.wg.Done()
	ctx, cancel := context.WithCancel(startCtx)
	stop := context.AfterFunc(sess.ctx, cancel)
	conn, err := c.connectNew(ctx, sess)
	stop()
	cancel()
	if err != nil {
		if sess.ctx.Err() != nil {
			err = ErrStopped
		}
		sess.cancel()
		c.setState(StateStopped, nil)
		sess.disp.close()
		result <- err
		return
	}
	c.setState(StateConnected, conn)
	result <- nil
	for conn != nil {
		select {
		case <-conn.done:
		case <-sess.ctx.Done():
		}
		if sess.ctx.Err() != nil {
			c.closeConn(conn)
			c.finish(sess, conn, nil)
			return
		}
		conn = c.replace(sess, conn)
	}
}

// replace handles the loss of conn: it recovers the connection, or reports
// the loss and opens a new one. It returns the connection the session goes
// on with, or nil once the session has finished.
func (c *Client) replace(sess *session, conn *connection) *connection {
	reason, message := conn.reason(), conn.disconnectMessage()
	if !conn.tooBig.Load() && !conn.dropped.Load() && c.recoverable(conn) {
		c.setState(StateRecovering, nil)
		rc, rmsg, rerr := c.recoverConn(sess, conn)
		if rc != nil {
			c.setState(StateConnected, rc)
			return rc
		}
		if sess.ctx.Err() != nil {
			c.finish(sess, conn, nil)
			return nil
		}
		// Report why the connection was lost, not only why recovering it
		// failed (a refused recovery socket usually gives no reason); a
		// "disconnected" message on the recovery socket is the service's
		// latest word, as in the JavaScript client.
		if errors.Is(rerr, ErrMessageTooBig) {
			reason = rerr
		} else {
			reason = fmt.Errorf("%w (recovery failed: %v)", reason, rerr)
		}
		if rmsg != "" {
			message = rmsg
		}
	}
	c.setState(StateConnecting, nil)
	c.endRejoin()
	c.emitDisconnected(sess, conn, message, reason)
	if errors.Is(reason, ErrMessageTooBig) {
		// Recovering makes the service resend the same message, and a new
		// connection would lose it silently: stop instead of looping.
		c.finish(sess, nil, reason)
		return nil
	}
	if c.cfg.DisableAutoReconnect {
		c.finish(sess, nil, fmt.Errorf("client: connection lost and auto reconnect is disabled: %w", reason))
		return nil
	}
	nc, err := c.reconnect(sess)
	if err != nil {
		if errors.Is(err, ErrStopped) {
			err = nil
		}
		c.finish(sess, nil, err)
		return nil
	}
	c.setState(StateConnected, nc)
	return nc
}

// closeConn closes conn with a close handshake and waits for its read loop.
func (c *Client) closeConn(conn *connection) {
	select {
	case <-conn.done:
	default:
		_ = conn.ws.Close(websocket.StatusNormalClosure, "")
	}
	<-conn.done
}

// finish ends a session: it reports the last connection (if still to be
// reported) as disconnected, then the stop. The session's operations are
// failed before the state becomes StateStopped, since from then on Start may
// begin a new session whose operations must not be failed.
func (c *Client) finish(sess *session, conn *connection, err error) {
	c.endRejoin()
	if conn != nil {
		c.emitDisconnected(sess, conn, conn.disconnectMessage(), nil)
	}
	sess.cancel() // ends rejoins and operations of a session that stopped on its own
	c.failAcks()
	c.setState(StateStopped, nil)
	if h := c.cfg.OnStopped; h != nil {
		ev := StoppedEvent{Err: err}
		sess.disp.postEvent("OnStopped", func(ctx context.Context) { h(ctx, ev) })
	}
	sess.disp.close()
}

// emitDisconnected reports that the logical connection carried last by conn
// ended, with the service's message and the cause.
func (c *Client) emitDisconnected(sess *session, conn *connection, message string, err error) {
	if h := c.cfg.OnDisconnected; h != nil {
		conn.mu.Lock()
		ev := DisconnectedEvent{ConnectionID: conn.id, Message: message, Err: err}
		conn.mu.Unlock()
		sess.disp.postEvent("OnDisconnected", func(ctx context.Context) { h(ctx, ev) })
	}
}

// reason returns why conn ended.
func (conn *connection) reason() error {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	return conn.closeErr
}

// disconnectMessage returns the message of the service's "disconnected"
// system message on conn, if any.
func (conn *connection) disconnectMessage() string {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	return conn.disconnectMsg
}

// connectNew asks the provider for a URL and opens a new connection,
// returning once the service confirmed it.
func (c *Client) connectNew(ctx context.Context, sess *session) (*connection, error) {
	raw, err := c.provider(ctx)
	if err != nil {
		return nil, fmt.Errorf("client: getting the client access URL: %w", err)
	}
	u, err := normalizeURL(raw)
	if err != nil {
		return nil, err
	}
	conn, err := c.dial(ctx, sess, u, false)
	if err != nil {
		return nil, err
	}
	if err := awaitConfirmed(ctx, conn); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &ConnectError{URL: RedactURL(u), Err: err}
	}
	c.mu.Lock()
	c.lastURL = u
	c.mu.Unlock()
	return conn, nil
}

// awaitConfirmed waits until the service confirmed conn with its
// "connected" message. If conn closes first, or ctx ends first (conn is then
// closed), it returns why.
func awaitConfirmed(ctx context.Context, conn *connection) error {
	select {
	case <-conn.connected:
	case <-conn.done:
	case <-ctx.Done():
	}
	select {
	case <-conn.connected:
		// Confirmed (and handled as such), even if the connection or ctx
		// ended at the same moment: the caller handles it as an established
		// connection.
		return nil
	default:
	}
	if err := ctx.Err(); err != nil {
		_ = conn.ws.CloseNow()
		<-conn.done
		return err
	}
	return fmt.Errorf("the connection closed before the service confirmed it: %w", conn.reason())
}

// recoverable reports whether a lost connection may be recovered.
func (c *Client) recoverable(conn *connection) bool {
	if !conn.reliable {
		return false
	}
	conn.mu.Lock()
	code := conn.closeCode
	conn.mu.Unlock()
	if code == protocol.CloseCodePolicyViolation {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastURL != "" && c.connectionID != "" && c.reconnectionToken != ""
}

// recoverConn tries to recover the logical connection the client had (the
// last confirmed connection id and reconnection token) within the recovery
// window. The first attempt starts at once; later ones wait as
// ReconnectRetry says (its MaxRetries does not apply: the window bounds
// recovery). A recovery socket counts only once the service confirmed it
// with its "connected" message, so that nothing is written into a socket the
// service is about to close with 1008. recoverConn returns the recovered
// connection, or nil with the message of a "disconnected" system message
// the last recovery socket got and why recovery failed.
func (c *Client) recoverConn(sess *session, lost *connection) (conn *connection, message string, err error) {
	ctx, cancel := context.WithTimeout(sess.ctx, c.cfg.RecoveryWindow)
	defer cancel()
	c.mu.Lock()
	base, id, token := c.lastURL, c.connectionID, c.reconnectionToken
	c.mu.Unlock()
	u, err := recoveryURL(base, id, token)
	if err != nil {
		return nil, "", err
	}
	policy := c.cfg.reconnectRetry
	policy.maxRetries = -1
	for attempt := 1; ; attempt++ {
		conn, err = c.dial(ctx, sess, u, true)
		if err == nil {
			// Like the JS client, keep the lost connection's "disconnected"
			// message until the recovered one gets its own: when the service
			// refuses the recovery, that message says why the connection ended.
			msg := lost.disconnectMessage()
			conn.mu.Lock()
			conn.id = id
			if conn.disconnectMsg == "" {
				conn.disconnectMsg = msg
			}
			conn.mu.Unlock()
			if err = awaitConfirmed(ctx, conn); err == nil {
				return conn, "", nil
			}
			message = conn.disconnectMessage()
			if !conn.retryableRecovery() {
				// Closed with 1008, a protocol error or a message too big:
				// the service refused (the state is gone) or trying again
				// cannot help.
				return nil, message, err
			}
		} else if refusedRecovery(err) {
			return nil, "", err
		}
		if ctx.Err() != nil {
			return nil, message, fmt.Errorf("giving up after the recovery window of %s: %w", c.cfg.RecoveryWindow, err)
		}
		d, _ := policy.next(attempt)
		if !sleep(ctx, d) {
			if sess.ctx.Err() != nil {
				return nil, message, ErrStopped
			}
			return nil, message, fmt.Errorf("giving up after the recovery window of %s: %w", c.cfg.RecoveryWindow, err)
		}
	}
}

// refusedRecovery reports whether err, from a recovery handshake, means the
// service refused to recover the connection: an HTTP 4xx, except 408
// (Request Timeout) and 429 (Too Many Requests), which are transient. The
// JavaScript client (1.1.0) retries every failed recovery for 30 s; we stop
// at a refusal such as 401, 403 or 404, since trying again cannot succeed
// and only delays the new connection, and keep trying on the rest.
func refusedRecovery(err error) bool {
	var ce *ConnectError
	if !errors.As(err, &ce) {
		return false
	}
	switch code := ce.StatusCode; {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests:
		return false
	default:
		return code >= 400 && code < 500
	}
}

// retryableRecovery reports whether a recovery socket that closed before
// the service confirmed it may be followed by another attempt.
func (conn *connection) retryableRecovery() bool {
	conn.mu.Lock()
	code, failed := conn.closeCode, conn.failErr != nil
	conn.mu.Unlock()
	return code != protocol.CloseCodePolicyViolation && !failed && !conn.tooBig.Load()
}

// reconnect opens a new connection, retrying as ReconnectRetry allows.
func (c *Client) reconnect(sess *session) (*connection, error) {
	var lastErr error
	for retry := 0; ; retry++ {
		if retry > 0 {
			d, ok := c.cfg.reconnectRetry.next(retry)
			if !ok {
				return nil, fmt.Errorf("client: giving up reconnecting after %d retries: %w", retry-1, lastErr)
			}
			if !sleep(sess.ctx, d) {
				return nil, ErrStopped
			}
		}
		if !c.awaitEventRoom(sess) {
			return nil, ErrStopped
		}
		conn, err := c.connectNew(sess.ctx, sess)
		if err == nil {
			return conn, nil
		}
		if sess.ctx.Err() != nil {
			return nil, ErrStopped
		}
		lastErr = err
	}
}

// awaitEventRoom waits while maxPendingEvents lifecycle events wait for a
// handler (each connection adds some): a stuck handler then stops the
// client from opening connections, rather than its events from growing
// without bound. It reports false when the session stops first.
func (c *Client) awaitEventRoom(sess *session) bool {
	for {
		ok, room := sess.disp.eventRoom()
		if ok {
			return true
		}
		select {
		case <-room:
		case <-sess.ctx.Done():
			return false
		}
	}
}

// sleep waits d or until ctx ends; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
