package wsio

import (
	"bufio"
	"net"
	"net/http"
	"sync"
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
// a connection, so Writes never run concurrently. mu only guards holding and
// buf against hold and release from the writer goroutine, and is never held
// across a network write. Network writes are ordinary blocking writes, each
// bounded by the write timeout.
type bufConn struct {
	net.Conn
	timeout time.Duration

	mu      sync.Mutex
	holding bool
	buf     *[]byte // collected bytes; nil when none
}

// Write collects p while the conn is held and the buffer has room, else it
// sends what was collected and p.
func (b *bufConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	if b.holding {
		if b.buf == nil && len(p) <= bufLimit {
			b.buf = buffers.Get().(*[]byte)
		}
		if b.buf != nil && len(*b.buf)+len(p) <= bufLimit {
			*b.buf = append(*b.buf, p...)
			b.mu.Unlock()
			return len(p), nil
		}
	}
	pending := b.buf
	b.buf = nil
	b.mu.Unlock()
	return b.send(pending, p)
}

// send writes pending (if any) and then p, under the write timeout, and
// recycles pending.
func (b *bufConn) send(pending *[]byte, p []byte) (int, error) {
	_ = b.Conn.SetWriteDeadline(time.Now().Add(b.timeout))
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

// hold makes writes collect until release.
func (b *bufConn) hold() {
	b.mu.Lock()
	b.holding = true
	b.mu.Unlock()
}

// release ends a hold: the next write sends what was collected.
func (b *bufConn) release() {
	b.mu.Lock()
	b.holding = false
	b.mu.Unlock()
}

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
