package client

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/webpubsub-go/webpubsub/internal/names"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Defaults of OpenGroupStreamOptions.
const (
	DefaultStreamBufferFragments = 1000
	DefaultStreamBufferBytes     = 16 << 20
)

// OpenGroupStreamOptions are the options of OpenGroupStream. The zero value
// is ready to use.
type OpenGroupStreamOptions struct {
	// StreamID names the stream. Empty means a random UUID. It must not be
	// the id of another open stream of this client.
	StreamID string
	// NoEcho keeps every fragment from this client itself.
	NoEcho bool
	// IdleTimeoutMs asks the service to close the stream (error name
	// "IdleTimeout") after this many milliseconds without a frame. 0 means
	// the service's default.
	IdleTimeoutMs uint64
	// MaxBufferedFragments bounds the fragments written but not yet
	// acknowledged by the service (kept to be re-sent after a recovered
	// drop). Write blocks while the buffer is full. 0 means
	// DefaultStreamBufferFragments.
	MaxBufferedFragments int
	// MaxBufferedBytes bounds the payload bytes of those fragments; a single
	// fragment larger than the bound is accepted when the buffer is empty.
	// 0 means DefaultStreamBufferBytes.
	MaxBufferedBytes int
}

// GroupStreamWriter sends an ordered stream of fragments to a group (the JS
// client's openGroupStream). Fragments are numbered and kept until the
// service acknowledges them; after a recovered drop the unacknowledged ones
// are re-sent, and the service delivers each exactly once, in order. A new
// connection, an unrecoverable drop or Stop fails the stream
// (ErrStreamConnectionLost, ErrStreamClientStopping). Its methods are safe
// for concurrent use.
type GroupStreamWriter struct {
	c        *Client
	sess     *session
	id       string
	group    string
	maxFrags int
	maxBytes int
	openAck  chan struct{} // closed by the opening streamAck
	done     chan struct{} // closed when the stream is over
	wake     chan struct{} // cap 1: there is something to send

	mu       sync.Mutex
	conn     *connection // the connection the stream is sent on
	connID   string
	opened   bool
	buf      []protocol.Payload // unacknowledged fragments; buf[0] is number acked
	bufBytes int
	acked    uint64 // oldest unacknowledged number (what the service expects)
	next     uint64 // next number to assign
	sent     uint64 // next number to send on conn
	ended    bool   // End or Abort was called
	endErr   *protocol.StreamError
	endSent  bool
	finished bool
	err      error         // why the stream is over; nil after a clean end
	space    chan struct{} // closed and replaced when buffer space frees
}

// StreamID returns the stream's id.
func (w *GroupStreamWriter) StreamID() string { return w.id }

// Group returns the group the stream is sent to.
func (w *GroupStreamWriter) Group() string { return w.group }

// Done is closed when the stream is over: closed by the service after End
// or Abort, or failed.
func (w *GroupStreamWriter) Done() <-chan struct{} { return w.done }

// Err returns why the stream failed once Done is closed (nil after a clean
// End), or nil while it is open.
func (w *GroupStreamWriter) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// OpenGroupStream opens a stream to group and waits until the service
// accepts it (ctx bounds the wait; there is no timeout of its own). The
// client needs permission to send to the group: a refusal is a *StreamError
// named after the service's error (e.g. "Forbidden").
func (c *Client) OpenGroupStream(ctx context.Context, group string, opts *OpenGroupStreamOptions) (*GroupStreamWriter, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	if err := names.ValidateGroup(group); err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	var o OpenGroupStreamOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxBufferedFragments <= 0 {
		o.MaxBufferedFragments = DefaultStreamBufferFragments
	}
	if o.MaxBufferedBytes <= 0 {
		o.MaxBufferedBytes = DefaultStreamBufferBytes
	}
	if o.StreamID == "" {
		o.StreamID = newStreamID()
	}
	conn, sess, err := c.waitConn(ctx, nil, nil)
	if err != nil {
		return nil, err
	}
	w := &GroupStreamWriter{
		c: c, sess: sess, id: o.StreamID, group: group,
		maxFrags: o.MaxBufferedFragments, maxBytes: o.MaxBufferedBytes,
		openAck: make(chan struct{}), done: make(chan struct{}), wake: make(chan struct{}, 1),
		space: make(chan struct{}), conn: conn, acked: 1, next: 1, sent: 1,
	}
	conn.mu.Lock()
	w.connID = conn.id
	conn.mu.Unlock()
	if !c.preview.outbound.add(w) {
		return nil, fmt.Errorf("client: stream %q already exists", w.id)
	}
	b, err := c.cfg.codec.Encode(protocol.SendToGroupMessage{Group: group, NoEcho: o.NoEcho, Stream: &protocol.StreamOpen{StreamID: w.id, IdleTimeoutMs: o.IdleTimeoutMs}})
	if err != nil {
		w.fail(err)
		return nil, err
	}
	if err := c.write(conn, b); err != nil {
		w.fail(ErrConnectionLost)
		return nil, fmt.Errorf("client: opening stream %q: %w", w.id, ErrConnectionLost)
	}
	select {
	case <-w.openAck:
	case <-w.done:
		return nil, w.Err()
	case <-conn.ctx.Done():
		// A drop while opening fails the open, as in the JS client.
		w.fail(ErrStreamConnectionLost)
		return nil, fmt.Errorf("client: opening stream %q: the connection closed before the service accepted it: %w", w.id, ErrStreamConnectionLost)
	case <-sess.ctx.Done():
		w.fail(ErrStreamClientStopping)
		return nil, ErrStopped
	case <-ctx.Done():
		w.fail(ctx.Err())
		w.sendEnd(conn, &protocol.StreamError{Message: "the sender gave up opening the stream"})
		return nil, ctx.Err()
	}
	if !c.trackSession(sess) {
		w.fail(ErrStreamClientStopping)
		return nil, ErrStopped
	}
	go w.run()
	return w, nil
}

// trackSession adds one goroutine to sess's wait group if sess is still the
// live session (Stop then waits for it).
func (c *Client) trackSession(sess *session) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != sess || c.state == StateStopped || sess.ctx.Err() != nil {
		return false
	}
	sess.wg.Add(1)
	return true
}

// Write queues one fragment. It returns once the fragment is in the replay
// buffer (it is sent in order by the stream's own goroutine), blocking while
// the buffer is full until the service acknowledges earlier fragments or
// ctx ends. It fails once the stream is ended or over. data must not be
// changed after the call.
func (w *GroupStreamWriter) Write(ctx context.Context, data Data) error {
	if err := data.check(); err != nil {
		return err
	}
	size := len(data.payload.Data)
	w.mu.Lock()
	for {
		if w.finished {
			err := w.err
			w.mu.Unlock()
			if err == nil {
				err = ErrStreamClosed
			}
			return err
		}
		if w.ended {
			w.mu.Unlock()
			return ErrStreamClosed
		}
		if len(w.buf) == 0 || (len(w.buf) < w.maxFrags && w.bufBytes+size <= w.maxBytes) {
			break
		}
		space := w.space
		w.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			return ctx.Err()
		}
		w.mu.Lock()
	}
	w.buf = append(w.buf, data.payload)
	w.bufBytes += size
	w.next++
	w.mu.Unlock()
	w.kick()
	return nil
}

// End ends the stream after the fragments written so far and waits until
// the service closed it (every fragment delivered) or it failed. It returns
// nil after a clean close; ctx bounds only the wait.
func (w *GroupStreamWriter) End(ctx context.Context) error {
	return w.end(ctx, nil)
}

// Abort ends the stream with an error the receivers see: its message, and
// its UserErrorCode when err is (or wraps) a *StreamError. It waits like
// End.
func (w *GroupStreamWriter) Abort(ctx context.Context, err error) error {
	se := &protocol.StreamError{Message: "aborted"}
	if err != nil {
		se.Message = err.Error()
		var user *StreamError
		if errors.As(err, &user) {
			se.Message, se.UserErrorCode = user.Message, user.UserErrorCode
		}
	}
	return w.end(ctx, se)
}

func (w *GroupStreamWriter) end(ctx context.Context, e *protocol.StreamError) error {
	w.mu.Lock()
	if !w.ended && !w.finished {
		w.ended = true
		w.endErr = e
	}
	w.mu.Unlock()
	w.kick()
	select {
	case <-w.done:
		return w.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *GroupStreamWriter) kick() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// run sends the queued frames in order, and after a recovered drop re-sends
// the unacknowledged ones.
func (w *GroupStreamWriter) run() {
	defer w.sess.wg.Done()
	for {
		w.mu.Lock()
		if w.finished {
			w.mu.Unlock()
			return
		}
		conn := w.conn
		if w.sent < w.acked {
			w.sent = w.acked
		}
		var frames []protocol.Message
		for ; w.sent < w.next; w.sent++ {
			frames = append(frames, protocol.StreamDataMessage{StreamID: w.id, StreamSequenceID: w.sent, Data: w.buf[w.sent-w.acked]})
		}
		if w.ended && !w.endSent {
			frames = append(frames, protocol.StreamEndMessage{StreamID: w.id, Error: w.endErr})
			w.endSent = true
		}
		w.mu.Unlock()
		ok := true
		for _, m := range frames {
			b, err := w.c.cfg.codec.Encode(m)
			if err != nil {
				w.fail(fmt.Errorf("client: encoding a stream frame: %w", err))
				return
			}
			if err := w.c.write(conn, b); err != nil {
				ok = false
				break
			}
		}
		if ok {
			select {
			case <-w.wake:
				continue
			case <-w.done:
				return
			case <-w.sess.ctx.Done():
				w.fail(ErrStreamClientStopping)
				return
			case <-conn.ctx.Done():
			}
		}
		if !w.resume(conn) {
			return
		}
	}
}

// resume waits for the connection after lost. On a recovery of the same
// connection it rewinds to the oldest unacknowledged fragment; otherwise it
// fails the stream and reports false.
func (w *GroupStreamWriter) resume(lost *connection) bool {
	for {
		nc, _, err := w.c.waitConn(context.Background(), w.sess, nil)
		if err != nil {
			w.fail(ErrStreamClientStopping)
			return false
		}
		if nc == lost {
			select {
			case <-lost.ctx.Done():
			case <-w.sess.ctx.Done():
			}
			continue
		}
		select {
		case <-nc.connected:
		case <-nc.ctx.Done():
			continue
		case <-w.sess.ctx.Done():
			w.fail(ErrStreamClientStopping)
			return false
		}
		nc.mu.Lock()
		id := nc.id
		nc.mu.Unlock()
		if id != w.connID {
			w.fail(ErrStreamConnectionLost)
			return false
		}
		w.mu.Lock()
		w.conn = nc
		w.sent = w.acked
		w.endSent = false
		w.mu.Unlock()
		return true
	}
}

// onAck handles streamAck and streamNack (a nack moves the window too).
func (w *GroupStreamWriter) onAck(expected uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.finished {
		return
	}
	if !w.opened {
		if expected == 1 {
			w.opened = true
			close(w.openAck)
		}
		return
	}
	upper := w.next
	if w.ended {
		upper++ // the end takes a slot
	}
	if expected < w.acked || expected > upper {
		msg := fmt.Sprintf("the service acknowledged up to %d, outside the window [%d, %d]", expected, w.acked, upper)
		conn := w.conn
		w.finishLocked(&StreamError{Name: protocol.ErrorProtocolViolation, Message: msg})
		go w.sendEnd(conn, &protocol.StreamError{Message: msg, UserErrorCode: protocol.ErrorProtocolViolation})
		return
	}
	for w.acked < expected && len(w.buf) > 0 {
		w.bufBytes -= len(w.buf[0].Data)
		w.buf[0] = protocol.Payload{}
		w.buf = w.buf[1:]
		w.acked++
	}
	if expected > w.acked { // the end was acknowledged
		w.acked = expected
	}
	if len(w.buf) == 0 {
		w.buf = nil // let the backing array go
	}
	close(w.space)
	w.space = make(chan struct{})
}

// onClosed handles streamClosed.
func (w *GroupStreamWriter) onClosed(e *protocol.AckError) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.finished {
		return
	}
	switch {
	case e != nil:
		w.finishLocked(&StreamError{Name: e.Name, Message: e.Message})
	case w.ended:
		w.finishLocked(nil)
	default:
		w.finishLocked(ErrStreamClosed)
	}
}

// sendEnd writes a streamEnd with e on conn, best effort.
func (w *GroupStreamWriter) sendEnd(conn *connection, e *protocol.StreamError) {
	b, err := w.c.cfg.codec.Encode(protocol.StreamEndMessage{StreamID: w.id, Error: e})
	if err != nil || conn.ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(conn.ctx, cancelTimeout)
	defer cancel()
	_ = conn.ws.Write(ctx, w.c.frameType(), b)
}

func (w *GroupStreamWriter) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.finishLocked(err)
}

// finishLocked ends the stream with err (nil = clean). w.mu must be held.
func (w *GroupStreamWriter) finishLocked(err error) {
	if w.finished {
		return
	}
	w.finished = true
	w.err = err
	w.buf, w.bufBytes = nil, 0
	close(w.done)
	close(w.space)
	w.space = make(chan struct{})
	w.c.preview.outbound.remove(w)
}
