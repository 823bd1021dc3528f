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

// probeWait is how long a probe write waits for a socket that cannot take
// its bytes at once before it leaves them to the writer goroutine: the most
// a sender is delayed by a peer that stopped reading.
const probeWait = 20 * time.Microsecond

// buffers recycles the buffers of bufConns, so that a socket holds one only
// while its writer has a batch in hand.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, bufLimit); return &b }}

// bufConn is the server side of a client WebSocket, beneath coder/websocket.
// Every write is an ordinary net.Conn write under a deadline, made in one of
// two modes:
//
//   - While the socket's writer goroutine runs (blocking), writes may wait
//     up to the write timeout; and while the writer holds the connection,
//     the library's writes collect in a buffer so that a batch of frames
//     leaves with one write.
//   - Otherwise a write is a probe: it waits at most probeWait. What the
//     socket does not take by then is kept (left), the socket's writer is
//     started (onLeft) and flushes it with a blocking write, outside the
//     library. This lets a sender write a frame to an idle socket itself,
//     without waking a goroutine, and still never wait for a slow peer.
//
// The library serialises its writes, so Writes never run concurrently and
// only Write touches buf and deadline. mu guards the rest and is never held
// across a network write. While kept bytes wait, nothing overtakes them: a
// sender's write is appended to them (a sender writes one small frame at a
// time), any other write waits for the flush.
type bufConn struct {
	net.Conn
	timeout time.Duration
	// onLeft starts the socket's writer to flush kept bytes. It is called
	// inside the library's write, without mu held.
	onLeft func()
	// holding collects writes in buf (the writer's batch).
	holding atomic.Bool
	// blocking says the socket's writer goroutine runs: writes may wait.
	blocking atomic.Bool
	buf      *[]byte   // collected bytes; nil when none
	deadline time.Time // the long write deadline set last; zero after a probe

	mu     sync.Mutex
	sender bool   // a sender's probe write is under way
	busy   bool   // a blocking network write is under way
	left   []byte // bytes accepted but not sent yet, oldest first
	// drained is open while kept bytes wait (in left or being flushed) and
	// closed when they are all sent; nil when none wait.
	drained  chan struct{}
	flushing bool // the writer is sending bytes taken from left
}

// Write sends p, or collects or keeps it as its mode says (see bufConn).
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
	left, kept := b.behindLeft(p)
	if kept {
		recycle(pending)
		return len(p), nil
	}
	if b.blocking.Load() {
		return b.sendBlocking(left, pending, p)
	}
	return b.probe(pending, p)
}

// behindLeft handles a write while kept bytes wait: a sender's is kept
// behind them (kept); a blocking write takes them to send first (left),
// unless the writer is flushing them; any other write waits until they are
// sent.
func (b *bufConn) behindLeft(p []byte) (left []byte, kept bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.drained != nil {
		switch {
		case b.sender:
			b.left = append(b.left, p...)
			return nil, true
		case !b.flushing && b.blocking.Load():
			left, b.left = b.left, nil
			b.drainedLocked()
			return left, false
		}
		ch := b.drained
		b.mu.Unlock()
		<-ch
		b.mu.Lock()
	}
	return nil, false
}

// keepLocked keeps p behind the bytes waiting. b.mu must be held.
func (b *bufConn) keepLocked(p []byte) {
	if b.drained == nil {
		b.drained = make(chan struct{})
	}
	b.left = append(b.left, p...)
}

// drainedLocked notes that no kept bytes wait any more and wakes the
// writes waiting for that. b.mu must be held.
func (b *bufConn) drainedLocked() {
	if b.drained != nil {
		close(b.drained)
		b.drained = nil
	}
}

// abandon drops the kept bytes of a socket that ended, releasing the writes
// waiting for them (they then fail on the closed connection).
func (b *bufConn) abandon() {
	b.mu.Lock()
	b.left = nil
	b.drainedLocked()
	b.mu.Unlock()
}

// probe writes pending and p waiting at most probeWait, and keeps what the
// socket did not take for the writer.
func (b *bufConn) probe(pending *[]byte, p []byte) (int, error) {
	defer recycle(pending)
	data := p
	if pending != nil {
		data = append(*pending, p...)
		*pending = data
	}
	b.deadline = time.Time{}
	_ = b.Conn.SetWriteDeadline(time.Now().Add(probeWait))
	n, err := b.Conn.Write(data)
	if err == nil || !isTimeout(err) {
		return max(n-(len(data)-len(p)), 0), err
	}
	b.mu.Lock()
	b.keepLocked(data[n:])
	b.mu.Unlock()
	b.onLeft()
	return len(p), nil
}

// sendBlocking writes left, pending and p, each write under the write
// timeout, and recycles pending. pending and p leave with one write when
// they fit the pooled buffer.
func (b *bufConn) sendBlocking(left []byte, pending *[]byte, p []byte) (int, error) {
	defer recycle(pending)
	b.mu.Lock()
	b.busy = true
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.busy = false
		b.mu.Unlock()
	}()
	if len(left) > 0 {
		b.arm()
		if _, err := b.Conn.Write(left); err != nil {
			return 0, err
		}
	}
	b.arm()
	if pending == nil {
		return b.Conn.Write(p)
	}
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

// flush sends the kept bytes with blocking writes, outside the library;
// it is the writer goroutine's. Writes that arrive meanwhile are kept
// behind them (a sender's) or wait (the others).
func (b *bufConn) flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.left) > 0 {
		data := b.left
		b.left = nil
		b.flushing = true
		b.mu.Unlock()
		b.arm()
		_, err := b.Conn.Write(data)
		b.mu.Lock()
		b.flushing = false
		if err != nil {
			b.drainedLocked()
			return err
		}
	}
	b.drainedLocked()
	return nil
}

// ready reports whether a sender may probe: no bytes wait and no blocking
// write is under way (which would hold the library's lock).
func (b *bufConn) ready() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.drained == nil && !b.busy
}

// hasLeft reports whether kept bytes wait for the writer.
func (b *bufConn) hasLeft() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.drained != nil
}

// setSender marks a sender's probe write (true) and its end.
func (b *bufConn) setSender(on bool) {
	b.mu.Lock()
	b.sender = on
	b.mu.Unlock()
}

// arm gives the next blocking write between half the write timeout and the
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

// recycle returns a pooled buffer.
func recycle(p *[]byte) {
	if p != nil {
		*p = (*p)[:0]
		buffers.Put(p)
	}
}

// hijacker is the http.ResponseWriter given to websocket.Accept: its Hijack
// hands the library a bufConn.
type hijacker struct {
	http.ResponseWriter
	timeout time.Duration
	onLeft  func()
	conn    *bufConn // set by Hijack
}

// Hijack implements http.Hijacker.
func (w *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = &bufConn{Conn: conn, timeout: w.timeout, onLeft: w.onLeft}
	brw.Writer.Reset(w.conn)
	return w.conn, brw, nil
}

// Unwrap returns the wrapped ResponseWriter (see http.ResponseController).
func (w *hijacker) Unwrap() http.ResponseWriter { return w.ResponseWriter }
