package wsio

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// bufLimit bounds the bytes a bufConn collects while its socket's writer
// holds it; a write that would go beyond is sent at once.
const bufLimit = 64 << 10

// buffers recycles the buffers of bufConns, so that a socket holds one only
// while its writer has a batch in hand.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, bufLimit); return &b }}

// bufConn is the server side of a client WebSocket, beneath coder/websocket.
// It lets the socket's writer send a batch of frames with one write: while
// the writer holds it, the library's writes collect in a buffer; the first
// write after the writer releases it (the batch's last frame) sends the
// collected bytes with its own.
//
// Every Write comes from inside the library, which serialises the writes of
// a connection: Writes never run concurrently, and only Write touches buf
// and deadline. The writer goroutine only flips holding. No lock is held
// across a network write. Network writes are ordinary blocking writes, each
// bounded by the write timeout.
type bufConn struct {
	net.Conn
	timeout time.Duration
	holding atomic.Bool
	// buf holds the collected bytes; nil when none.
	buf *[]byte
	// deadline is the write deadline set last.
	deadline time.Time
}

// Write collects p while the conn is held and the buffer has room, else it
// sends what was collected and p.
func (b *bufConn) Write(p []byte) (int, error) {
	if b.holding.Load() {
		if b.buf == nil && len(p) <= bufLimit {
			b.buf = buffers.Get().(*[]byte)
		}
		if b.buf != nil && len(*b.buf)+len(p) <= bufLimit {
			*b.buf = append(*b.buf, p...)
			return len(p), nil
		}
	}
	pending := b.buf
	b.buf = nil
	return b.send(pending, p)
}

// send writes pending (if any) and then p, under the write timeout, and
// recycles pending.
func (b *bufConn) send(pending *[]byte, p []byte) (int, error) {
	b.arm()
	if pending == nil {
		return b.Conn.Write(p)
	}
	defer func() {
		*pending = (*pending)[:0]
		buffers.Put(pending)
	}()
	if len(*pending)+len(p) <= cap(*pending) {
		*pending = append(*pending, p...)
		n, err := b.Conn.Write(*pending)
		return max(n-(len(*pending)-len(p)), 0), err
	}
	if _, err := b.Conn.Write(*pending); err != nil {
		return 0, err
	}
	return b.Conn.Write(p)
}

// arm gives the next network write between half the write timeout and the
// whole of it: the deadline is renewed only once less than half is left,
// which saves resetting a timer for each write.
func (b *bufConn) arm() {
	now := time.Now()
	if b.deadline.Sub(now) < b.timeout/2 {
		b.deadline = now.Add(b.timeout)
		_ = b.Conn.SetWriteDeadline(b.deadline)
	}
}

// hold makes writes collect until release.
func (b *bufConn) hold() { b.holding.Store(true) }

// release ends a hold: the next write sends what was collected.
func (b *bufConn) release() { b.holding.Store(false) }

// hijacker is the http.ResponseWriter given to websocket.Accept: its Hijack
// hands the library a bufConn.
type hijacker struct {
	http.ResponseWriter
	timeout time.Duration
	conn    *bufConn // set by Hijack
}

// Hijack implements http.Hijacker.
func (w *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = &bufConn{Conn: conn, timeout: w.timeout}
	brw.Writer.Reset(w.conn)
	return w.conn, brw, nil
}

// Unwrap returns the wrapped ResponseWriter (see http.ResponseController).
func (w *hijacker) Unwrap() http.ResponseWriter { return w.ResponseWriter }
