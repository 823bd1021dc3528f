package emulator

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// The server side of each client WebSocket is a corkConn, which saves system
// calls and goroutine switches on the way out:
//
//   - A transport's writer that has several frames queued corks the
//     connection, writes them all (they collect in a buffer) and flushes
//     them with one system call.
//   - Where the platform allows it, a write that finds nothing buffered is
//     tried once without blocking; what the socket does not take is kept
//     and the transport's writer flushes it. This lets a sender write a
//     small frame to an idle connection itself (see transport.writeInline)
//     instead of waking the connection's writer goroutine for each frame,
//     while a slow client still never blocks the sender.
//
// The buffer holds at most corkLimit bytes; past that, writes block (only the
// transport's writer writes that much).

// corkLimit bounds the bytes a corkConn buffers.
const corkLimit = 64 << 10

// corkBuffers recycles the buffers of corkConns, so that a connection holds
// one only while it has bytes waiting.
var corkBuffers = sync.Pool{New: func() any { b := make([]byte, 0, corkLimit); return &b }}

// corkConn is the server side of a client WebSocket.
type corkConn struct {
	net.Conn
	raw syscall.RawConn // for writes that do not block; nil if unavailable
	// onPending is called (without c.mu held) when a write left bytes
	// buffered that only a flush will send.
	onPending func()

	mu     sync.Mutex
	corked bool
	buf    *[]byte // bytes accepted but not written yet; nil when none
}

// Write accepts p: it collects it while corked or while earlier bytes wait,
// else writes what the socket takes at once and keeps the rest.
func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	n, pending, err := c.writeLocked(p)
	c.mu.Unlock()
	if pending && c.onPending != nil {
		c.onPending()
	}
	return n, err
}

// writeLocked is Write with c.mu held; pending reports bytes left buffered
// outside a cork.
func (c *corkConn) writeLocked(p []byte) (n int, pending bool, err error) {
	waiting := c.buf != nil && len(*c.buf) > 0
	if !c.corked && !waiting {
		if c.raw == nil {
			return mustWrite(c.Conn, p)
		}
		n, err := tryWrite(c.raw, p)
		if err != nil {
			return n, false, err
		}
		p = p[n:]
		if len(p) == 0 {
			return n, false, nil
		}
	}
	if c.buf == nil {
		c.buf = corkBuffers.Get().(*[]byte)
	}
	if len(*c.buf)+len(p) > corkLimit {
		if err := c.flushLocked(); err != nil {
			return 0, false, err
		}
		w, _, err := mustWrite(c.Conn, p)
		return w, false, err
	}
	*c.buf = append(*c.buf, p...)
	return len(p), !c.corked, nil
}

// mustWrite is a blocking write bounded by writeTimeout.
func mustWrite(conn net.Conn, p []byte) (int, bool, error) {
	_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	n, err := conn.Write(p)
	_ = conn.SetWriteDeadline(time.Time{})
	return n, false, err
}

// cork starts collecting writes.
func (c *corkConn) cork() {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

// flush stops collecting and writes every buffered byte, within
// writeTimeout.
func (c *corkConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	return c.flushLocked()
}

// pending reports whether bytes wait for a flush.
func (c *corkConn) pending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf != nil && len(*c.buf) > 0
}

// flushLocked writes the buffered bytes and releases the buffer. c.mu must
// be held.
func (c *corkConn) flushLocked() error {
	if c.buf == nil {
		return nil
	}
	b := c.buf
	c.buf = nil
	defer func() {
		*b = (*b)[:0]
		corkBuffers.Put(b)
	}()
	if len(*b) == 0 {
		return nil
	}
	_, _, err := mustWrite(c.Conn, *b)
	return err
}

// nonblocking reports whether writes to c can be tried without blocking.
func (c *corkConn) nonblocking() bool { return c.raw != nil }

// corkingWriter is the http.ResponseWriter given to websocket.Accept: its
// Hijack hands the library a corkConn.
type corkingWriter struct {
	http.ResponseWriter
	conn *corkConn // set by Hijack
}

// Hijack implements http.Hijacker.
func (w *corkingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = &corkConn{Conn: conn, raw: rawConn(conn)}
	brw.Writer.Reset(w.conn)
	return w.conn, brw, nil
}

// Unwrap returns the wrapped ResponseWriter (see http.ResponseController).
func (w *corkingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
