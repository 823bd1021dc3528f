package emulator

import (
	"context"
	"time"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// runTransport serves t for c until it ends: writers run in their own
// goroutines, frames are read and handled here. Then it decides what becomes
// of the connection.
func (e *Emulator) runTransport(c *conn, t *wsio.Socket) {
	if !e.register(t) {
		t.Abort() // the emulator is closing
	}
	defer e.unregister(t)
	t.Start()
	err := e.readLoop(c, t)
	t.Stop()
	e.transportEnded(c, t, err)
}

// readLoop reads and handles frames until the transport fails. Once the
// connection is removed (or t is replaced by a recovery) it stops reading at
// once: a frame read after that has no effect, and the transport ends when
// its close handshake does (bounded by closeTimeout) or when it is aborted.
func (e *Emulator) readLoop(c *conn, t *wsio.Socket) error {
	for {
		typ, data, err := t.Read()
		if err != nil {
			e.logReadEnd(c, err)
			return err
		}
		c.frames.Lock()
		if !c.serves(t) {
			c.frames.Unlock()
			<-t.Context().Done()
			return t.Context().Err()
		}
		e.handleFrame(t.Context(), c, typ, data)
		c.frames.Unlock()
	}
}

// register records t as live so that Close can abort it; it reports false
// once the emulator is closed.
func (e *Emulator) register(t *wsio.Socket) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.live[t] = struct{}{}
	return true
}

// unregister forgets a transport that ended.
func (e *Emulator) unregister(t *wsio.Socket) {
	e.mu.Lock()
	delete(e.live, t)
	e.mu.Unlock()
}

// transportEnded decides what happens to c after its transport t ended: a
// reliable connection that lost its transport waits RecoveryWindow for the
// client to recover it; anything else is removed.
func (e *Emulator) transportEnded(c *conn, t *wsio.Socket, err error) {
	c.mu.Lock()
	if c.t != t {
		c.mu.Unlock()
		return // replaced by a recovery
	}
	c.t = nil
	if c.gone {
		c.mu.Unlock()
		return
	}
	status := websocket.CloseStatus(err)
	clientClosed := status == websocket.StatusNormalClosure || status == websocket.StatusGoingAway
	if c.failure == "" && c.reliable && !clientClosed {
		c.dropGen++
		gen := c.dropGen
		c.timer = time.AfterFunc(e.window, func() {
			e.goTracked(func() { e.expire(c, gen) })
		})
		c.mu.Unlock()
		e.log.Debug("emulator: connection dropped, waiting for recovery", "hub", c.hub.name, "connectionId", c.id)
		e.traceConn(trace.KindDropped, c, "")
		return
	}
	reason := c.failure
	c.mu.Unlock()
	if reason == "" {
		if clientClosed {
			reason = "the client closed the connection"
		} else {
			reason = "the connection was lost"
		}
	}
	e.removeConn(c, reason, 0)
}

// expire removes c if it is still waiting for recovery after drop number gen.
func (e *Emulator) expire(c *conn, gen uint64) {
	c.mu.Lock()
	waiting := !c.gone && c.t == nil && c.dropGen == gen
	c.mu.Unlock()
	if waiting {
		e.removeConn(c, "the connection was not recovered in time", 0)
	}
}

// removeConn removes c for good: it leaves every group, its transport is
// closed and onDisconnected runs. With code != 0 a live transport is closed
// gracefully (JSON clients first get a disconnected message with reason);
// with code 0 it is dropped. It reports false if c was already removed.
func (e *Emulator) removeConn(c *conn, reason string, code websocket.StatusCode) bool {
	c.mu.Lock()
	if c.gone {
		c.mu.Unlock()
		return false
	}
	c.gone = true
	c.buf, c.bufBytes = nil, 0
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	t := c.t
	if t != nil && code != 0 {
		if c.isPubSub() {
			if f, err := c.controlFrame(protocol.DisconnectedMessage{Message: reason}); err == nil {
				t.Queue(f)
			}
		}
		t.Close(code, reason)
	}
	c.mu.Unlock()
	if t != nil && code == 0 {
		t.Kill()
	}
	c.hub.remove(c)
	e.previewConnGone(c)
	e.log.Debug("emulator: connection removed", "hub", c.hub.name, "connectionId", c.id, "reason", reason)
	e.traceConn(trace.KindDisconnected, c, reason)
	e.onDisconnected(context.Background(), c, reason)
	return true
}
