package client

import (
	"context"
	"errors"
	"fmt"
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

	for {
		select {
		case <-conn.done:
		case <-sess.ctx.Done():
		}
		if sess.ctx.Err() != nil {
			c.closeConn(conn)
			c.finish(sess, conn, nil)
			return
		}
		if c.recoverable(conn) {
			c.setState(StateRecovering, nil)
			if rc := c.recoverConn(sess, conn); rc != nil {
				c.setState(StateConnected, rc)
				conn = rc
				continue
			}
			if sess.ctx.Err() != nil {
				c.finish(sess, conn, nil)
				return
			}
		}
		c.setState(StateConnecting, nil)
		c.emitDisconnected(sess, conn, conn.reason())
		if c.cfg.DisableAutoReconnect {
			c.finish(sess, nil, fmt.Errorf("client: connection lost and auto reconnect is disabled: %w", conn.reason()))
			return
		}
		nc, err := c.reconnect(sess)
		if err != nil {
			if errors.Is(err, ErrStopped) {
				err = nil
			}
			c.finish(sess, nil, err)
			return
		}
		c.setState(StateConnected, nc)
		conn = nc
	}
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
	if conn != nil {
		c.emitDisconnected(sess, conn, nil)
	}
	sess.cancel() // ends rejoins and operations of a session that stopped on its own
	c.failAcks()
	c.setState(StateStopped, nil)
	if h := c.cfg.OnStopped; h != nil {
		ev := StoppedEvent{Err: err}
		c.post(sess, func() { h(ev) })
	}
	sess.disp.close()
}

func (c *Client) emitDisconnected(sess *session, conn *connection, err error) {
	if h := c.cfg.OnDisconnected; h != nil {
		conn.mu.Lock()
		ev := DisconnectedEvent{ConnectionID: conn.id, Message: conn.disconnectMsg, Err: err}
		conn.mu.Unlock()
		c.post(sess, func() { h(ev) })
	}
}

// reason returns why conn ended.
func (conn *connection) reason() error {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	return conn.closeErr
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
	select {
	case <-conn.connected:
	case <-conn.done:
	case <-ctx.Done():
	}
	select {
	case <-conn.connected:
		// Confirmed (and announced with a Connected event), even if the
		// connection or ctx ended at the same moment: the caller handles it
		// as an established connection.
	default:
		if ctx.Err() != nil {
			_ = conn.ws.CloseNow()
			<-conn.done
			return nil, ctx.Err()
		}
		return nil, &ConnectError{URL: RedactURL(u), Err: fmt.Errorf("the connection closed before the service confirmed it: %w", conn.reason())}
	}
	c.mu.Lock()
	c.lastURL = u
	c.mu.Unlock()
	return conn, nil
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

// recoverConn tries to reconnect to the dropped connection's state within
// the recovery window. It returns nil when recovery is impossible.
func (c *Client) recoverConn(sess *session, lost *connection) *connection {
	deadline := time.Now().Add(c.cfg.RecoveryWindow)
	if lost.recovery && !lost.received.Load() && !lost.recoveryDeadline.IsZero() {
		deadline = lost.recoveryDeadline
	}
	ctx, cancel := context.WithDeadline(sess.ctx, deadline)
	defer cancel()
	c.mu.Lock()
	base, id, token := c.lastURL, c.connectionID, c.reconnectionToken
	c.mu.Unlock()
	u, err := recoveryURL(base, id, token)
	if err != nil {
		return nil
	}
	for {
		conn, err := c.dial(ctx, sess, u, true)
		if err == nil {
			conn.recoveryDeadline = deadline
			// Like the JS client, keep the lost connection's "disconnected"
			// message until the recovered one gets its own: when the service
			// refuses the recovery, that message says why the connection ended.
			lost.mu.Lock()
			msg := lost.disconnectMsg
			lost.mu.Unlock()
			conn.mu.Lock()
			if conn.id == "" {
				conn.id = id
			}
			if conn.disconnectMsg == "" {
				conn.disconnectMsg = msg
			}
			conn.mu.Unlock()
			return conn
		}
		var ce *ConnectError
		if errors.As(err, &ce) && ce.StatusCode >= 400 && ce.StatusCode < 500 {
			// The service refused: the connection's state is gone.
			return nil
		}
		if !sleep(ctx, c.cfg.reconnectRetry.delay) {
			return nil
		}
	}
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
