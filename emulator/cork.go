package emulator

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"time"
)

// Corking: the WebSocket library flushes every message to the socket, one
// write system call per message. A transport's writer that has several
// frames queued corks the connection, writes them all (they collect in a
// buffer) and uncorks it, which sends them with one system call. This is
// what makes broadcast fan-out cheaper than a plain write loop.

// corkLimit bounds the bytes a corked connection collects; past it they are
// written through.
const corkLimit = 64 << 10

// corkBuffers recycles the buffers of corked connections, so that a
// connection holds one only while its writer has a batch.
var corkBuffers = sync.Pool{New: func() any { b := make([]byte, 0, corkLimit); return &b }}

// corkConn is the server side of a WebSocket whose writes can be corked.
type corkConn struct {
	net.Conn

	mu     sync.Mutex
	corked bool
	buf    *[]byte // collected bytes while corked; nil when empty
}

// Write collects p while the connection is corked, else writes it.
func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.corked {
		return c.Conn.Write(p)
	}
	if c.buf == nil {
		c.buf = corkBuffers.Get().(*[]byte)
	}
	if len(*c.buf)+len(p) <= corkLimit {
		*c.buf = append(*c.buf, p...)
		return len(p), nil
	}
	if err := c.flushLocked(); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// cork starts collecting writes.
func (c *corkConn) cork() {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

// uncork writes what was collected, within writeTimeout, and stops collecting.
func (c *corkConn) uncork() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	return c.flushLocked()
}

// flushLocked writes the collected bytes within writeTimeout and releases
// the buffer. c.mu must be held.
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
	_ = c.Conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := c.Conn.Write(*b)
	_ = c.Conn.SetWriteDeadline(time.Time{})
	return err
}

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
	w.conn = &corkConn{Conn: conn}
	brw.Writer.Reset(w.conn)
	return w.conn, brw, nil
}

// Unwrap returns the wrapped ResponseWriter (see http.ResponseController).
func (w *corkingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
