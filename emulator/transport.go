package emulator

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Limits of a transport's outbound queue, counting the frames the writer has
// taken but not written yet. A consumer that falls this far behind is closed
// instead of being waited on. (Variables so that tests can lower them.)
var (
	maxQueuedFrames = 4096
	maxQueuedBytes  = 32 << 20
)

// Deadlines of a transport's writer. (Variables so that tests can lower them.)
var (
	// writeTimeout bounds one write: a client that takes no frame for
	// between writeTimeout/2 and writeTimeout is dropped (its socket is
	// aborted), as a network failure would be.
	writeTimeout = 10 * time.Second
	// closeTimeout bounds a graceful close: if the frames queued before the
	// close frame and the close frame itself are not written within it, the
	// socket is aborted.
	closeTimeout = 5 * time.Second
)

// outFrame is one WebSocket message waiting to be written. data is shared
// with other recipients and never modified; a sequence id (seq != 0) is
// added by the writer in a buffer of its own.
type outFrame struct {
	typ    websocket.MessageType
	data   []byte
	seq    uint64
	format wireFormat // of data, when seq != 0
}

// writerLinger is how long an idle writer goroutine waits for more frames
// before it ends. Busy connections keep their writer; idle ones cost none.
const writerLinger = 250 * time.Millisecond

// closeRequest asks the writer to close the WebSocket gracefully once the
// frames queued before it are written.
type closeRequest struct {
	code   websocket.StatusCode
	reason string
}

// transport is one WebSocket of a connection. ws is set once, before the
// transport starts (see setConn). A reliable connection can have several
// transports over its life (one per recovery). Frames are queued by any
// goroutine and written by a writer goroutine of the transport, so a slow
// client never blocks a sender; a small frame for an idle transport is
// written by the sender itself without blocking (see writeInline). The
// writer runs only while there is something to write, so an idle
// connection costs no goroutine for writing.
type transport struct {
	ws      *websocket.Conn
	cork    *corkConn // ws's connection; nil if it cannot be corked
	ctx     context.Context
	cancel  context.CancelFunc
	log     *slog.Logger
	writers sync.WaitGroup
	wake    chan struct{} // wakes a lingering writer

	mu         sync.Mutex
	queue      []outFrame
	qFrames    int // frames queued or being written by the writer
	qBytes     int // bytes of those frames
	closing    *closeRequest
	closeTimer *time.Timer // aborts a graceful close that takes too long
	dead       bool
	killed     bool // ended on purpose (removal, drop, limit), not by a failed write
	started    bool // writers may run
	writing    bool // a writer goroutine runs, or a sender writes inline
}

func newTransport(ws *websocket.Conn, log *slog.Logger) *transport {
	ctx, cancel := context.WithCancel(context.Background())
	return &transport{ws: ws, ctx: ctx, cancel: cancel, log: log, wake: make(chan struct{}, 1)}
}

// enqueue queues f for writing. It reports false only when the queue is over
// its limits (the caller should give up on this consumer); frames for a dead
// or closing transport are dropped silently (a reliable connection still has
// them in its resend buffer).
func (t *transport) enqueue(f outFrame) bool {
	t.mu.Lock()
	if t.dead || t.closing != nil {
		t.mu.Unlock()
		return true
	}
	if t.qFrames >= maxQueuedFrames || t.qBytes+len(f.data) > maxQueuedBytes {
		t.mu.Unlock()
		return false
	}
	if t.inlineLocked(f) {
		t.writing = true
		t.mu.Unlock()
		t.writeInline(f)
		return true
	}
	t.queue = append(t.queue, f)
	t.qFrames++
	t.qBytes += len(f.data)
	t.kickLocked()
	t.mu.Unlock()
	return true
}

// maxInlineFrame is the largest frame a sender writes itself (see
// writeInline).
const maxInlineFrame = 16 << 10

// inlineLocked reports whether f can be written by the caller at once: the
// transport is idle (no writer, nothing queued), f is small and needs no
// sequence id, and the socket can be written without blocking. t.mu must be
// held.
func (t *transport) inlineLocked(f outFrame) bool {
	return t.started && !t.writing && len(t.queue) == 0 && f.seq == 0 && len(f.data) <= maxInlineFrame &&
		t.cork != nil && t.cork.nonblocking()
}

// writeInline writes f on the caller's goroutine, which saves waking the
// writer goroutine for one frame. The write does not block: what the
// socket does not take stays in the corkConn's buffer and a writer is
// started to flush it. The caller has set t.writing.
func (t *transport) writeInline(f outFrame) {
	// The write cannot block, so it needs no context to bound it (a context
	// that can be cancelled costs the library a timer per write).
	err := t.ws.Write(context.Background(), f.typ, f.data)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.writing = false
	if err != nil {
		t.deadLocked()
		t.cancel()
		return
	}
	if len(t.queue) > 0 || t.closing != nil || t.cork.pending() {
		t.kickLocked()
	}
}

// kickPending starts a writer to flush bytes a write left in the
// corkConn's buffer.
func (t *transport) kickPending() {
	t.mu.Lock()
	t.kickLocked()
	t.mu.Unlock()
}

// closeGracefully asks the writer to send a close frame after the queued
// frames. If that has not happened within closeTimeout (the client does not
// read), the socket is aborted.
func (t *transport) closeGracefully(code websocket.StatusCode, reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closing == nil && !t.dead {
		t.closing = &closeRequest{code: code, reason: truncateReason(reason)}
		t.closeTimer = time.AfterFunc(closeTimeout, t.closeExpired)
		t.kickLocked()
	}
}

// closeExpired aborts a transport whose graceful close did not finish in time.
func (t *transport) closeExpired() {
	t.mu.Lock()
	dead := t.dead
	t.mu.Unlock()
	if dead {
		return
	}
	t.log.Debug("emulator: the close frame could not be written in time (the client does not read); aborting the connection", "timeout", closeTimeout)
	t.abort()
}

// start lets writers run; frames queued before are written now.
func (t *transport) start() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.started = true
	if len(t.queue) > 0 || t.closing != nil {
		t.kickLocked()
	}
}

// kickLocked wakes the writer, starting one if none runs. t.mu must be held.
func (t *transport) kickLocked() {
	if !t.started || t.dead {
		return
	}
	if t.writing {
		select {
		case t.wake <- struct{}{}:
		default:
		}
		return
	}
	t.writing = true
	t.writers.Add(1)
	go t.drain()
}

// kill marks the transport dead, releases its queue and cancels its context,
// which closes the TCP connection (no close frame) under the reader's
// pending Read and the writer's pending Write. It never blocks, so it may be
// called with locks held.
func (t *transport) kill() {
	t.mu.Lock()
	t.killed = true
	t.deadLocked()
	t.mu.Unlock()
	t.cancel()
}

// deadLocked marks the transport dead and releases what it holds. t.mu must
// be held.
func (t *transport) deadLocked() {
	t.dead = true
	t.queue = nil
	t.qFrames, t.qBytes = 0, 0
	if t.closeTimer != nil {
		t.closeTimer.Stop()
		t.closeTimer = nil
	}
}

// abort closes the TCP connection at once, without a close frame.
func (t *transport) abort() {
	t.kill()
	t.mu.Lock()
	ws := t.ws
	t.mu.Unlock()
	if ws != nil {
		_ = ws.CloseNow()
	}
}

// setConn sets the WebSocket of a transport created before the handshake
// completed. It must be called before start.
func (t *transport) setConn(ws *websocket.Conn, cork *corkConn) {
	t.mu.Lock()
	t.ws = ws
	t.cork = cork
	if cork != nil {
		cork.onPending = t.kickPending
	}
	t.mu.Unlock()
}

// stop kills the transport and waits until no writer runs.
func (t *transport) stop() {
	t.mu.Lock()
	t.deadLocked()
	t.mu.Unlock()
	t.cancel()
	_ = t.ws.CloseNow()
	t.writers.Wait()
}

// drain writes queued frames and flushes what the corkConn buffered; once
// there is nothing left it ends (where writes cannot be tried without
// blocking, it first lingers for writerLinger). A requested close is sent
// once everything before it is written.
func (t *transport) drain() {
	defer t.writers.Done()
	var idle *time.Timer
	defer func() {
		if idle != nil {
			idle.Stop()
		}
	}()
	wd := writeDeadline{parent: t.ctx}
	defer wd.stop()
	var scratch []byte // a frame with its sequence id
	for {
		t.mu.Lock()
		batch := t.queue
		t.queue = nil
		cl := t.closing
		dead := t.dead
		t.mu.Unlock()
		switch {
		case dead:
			t.finish()
			return
		case len(batch) > 0:
			// Several frames go out with one system call (see cork.go).
			corked := t.cork != nil && len(batch) > 1
			if corked {
				t.cork.cork()
			}
			for i := range batch {
				wctx := wd.context()
				data := batch[i].data
				if batch[i].seq != 0 {
					scratch = formats[batch[i].format].appendSequenceID(scratch[:0], data, batch[i].seq)
					data = scratch
				}
				if err := t.ws.Write(wctx, batch[i].typ, data); err != nil {
					t.writeFailed(err, wctx.Err() != nil || isTimeout(err))
					return
				}
				t.mu.Lock()
				if !t.dead {
					t.qFrames--
					t.qBytes -= len(batch[i].data)
				}
				t.mu.Unlock()
				batch[i] = outFrame{}
			}
			if corked {
				if err := t.cork.flush(); err != nil {
					t.writeFailed(err, isTimeout(err))
					return
				}
			}
			continue
		case t.cork != nil && t.cork.pending():
			if err := t.cork.flush(); err != nil {
				t.writeFailed(err, isTimeout(err))
				return
			}
			continue
		case cl != nil:
			_ = t.ws.Close(cl.code, cl.reason)
			t.finish()
			return
		}
		if t.cork != nil && t.cork.nonblocking() {
			// Senders write to an idle transport themselves: no linger.
			t.mu.Lock()
			if len(t.queue) == 0 && t.closing == nil && !t.cork.pending() {
				t.writing = false
				t.mu.Unlock()
				return
			}
			t.mu.Unlock()
			continue
		}
		if idle == nil {
			idle = time.NewTimer(writerLinger)
		} else {
			idle.Reset(writerLinger)
		}
		select {
		case <-t.wake:
		case <-t.ctx.Done():
			t.finish()
			return
		case <-idle.C:
			t.mu.Lock()
			if len(t.queue) == 0 && t.closing == nil {
				t.writing = false
				t.mu.Unlock()
				return
			}
			t.mu.Unlock()
		}
	}
}

// writeDeadline hands out the contexts of a writer's writes. One context
// serves many writes (a context per write would cost a timer per frame); it
// is renewed once less than half of writeTimeout is left, so that each write
// gets between writeTimeout/2 and writeTimeout.
type writeDeadline struct {
	parent   context.Context
	ctx      context.Context
	cancel   context.CancelFunc
	deadline time.Time
}

// context returns the context for the next write.
func (w *writeDeadline) context() context.Context {
	if now := time.Now(); w.ctx == nil || w.deadline.Sub(now) < writeTimeout/2 {
		w.stop()
		w.deadline = now.Add(writeTimeout)
		w.ctx, w.cancel = context.WithDeadline(w.parent, w.deadline)
	}
	return w.ctx
}

// stop releases the current context.
func (w *writeDeadline) stop() {
	if w.cancel != nil {
		w.cancel()
	}
}

// writeFailed ends the writer after a failed write; timedOut says the write
// ran into writeTimeout (the client does not read), which is logged.
func (t *transport) writeFailed(err error, timedOut bool) {
	t.mu.Lock()
	killed := t.killed
	t.mu.Unlock()
	if timedOut && !killed {
		t.log.Debug("emulator: a write did not finish in time (the client does not read); aborting the connection", "timeout", writeTimeout, "err", err)
	}
	t.finish()
}

// isTimeout reports whether err is a deadline error.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// finish ends the writer for good after a failed write or a close.
func (t *transport) finish() {
	t.mu.Lock()
	t.deadLocked()
	t.writing = false
	t.mu.Unlock()
	t.cancel()
}

// truncateReason shortens a close reason to the 123 bytes a close frame can
// carry, without splitting a UTF-8 sequence.
func truncateReason(s string) string {
	const limit = 123
	if len(s) <= limit {
		return s
	}
	i := limit
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i]
}
