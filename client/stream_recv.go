package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Defaults of GroupStreamSubscriptionOptions.
const (
	// DefaultStreamIdleTimeout is how long a received stream may go without
	// a fragment before it fails with a *StreamError named "IdleTimeout"
	// (the JS client's default).
	DefaultStreamIdleTimeout = 300 * time.Second
	// DefaultStreamReadBuffer bounds the fragments of one received stream
	// that arrived but were not read yet.
	DefaultStreamReadBuffer = 1000
	// DefaultStreamReadBufferBytes bounds the payload bytes of the fragments
	// that arrived on a subscription's streams and were not read yet.
	DefaultStreamReadBufferBytes = 16 << 20
	// DefaultPendingStreams bounds the new streams of a subscription that
	// were not taken with Next yet.
	DefaultPendingStreams = 100
	// maxTrackedStreams bounds the streams a subscription tracks at once
	// (active ones, and ignored ones waiting for their end); further new
	// streams are ignored.
	maxTrackedStreams = 10000
)

// ErrStreamReaderTooSlow fails a received stream whose reader let
// GroupStreamSubscriptionOptions.ReadBuffer fragments pile up, or whose
// fragment found the subscription's ReadBufferBytes used up by unread
// fragments.
var ErrStreamReaderTooSlow = errors.New("client: stream failed because its reader fell behind (read buffer full)")

// ErrStreamGap fails a received stream when fragments are missing (the
// connection was replaced by a new one and the service could not resend
// them).
var ErrStreamGap = errors.New("client: stream failed because fragments are missing")

// ErrSubscriptionClosed is returned by Next of a closed subscription.
var ErrSubscriptionClosed = errors.New("client: the group stream subscription is closed")

// GroupStreamInfo is the stream metadata of a group message that is a
// fragment of a group stream.
type GroupStreamInfo struct {
	// StreamID names the stream (unique per sender; streams are keyed by
	// group and StreamID).
	StreamID string
	// StreamSequenceID is the fragment's number in the stream, from 1.
	StreamSequenceID uint64
	// EndOfStream marks the terminal frame; it carries no fragment when its
	// payload is empty.
	EndOfStream bool
	// Error, on the terminal frame, says why the stream failed.
	Error *StreamError
}

// GroupStreamSubscriptionOptions are the options of SubscribeGroupStreams.
// The zero value is ready to use.
type GroupStreamSubscriptionOptions struct {
	// Groups limits the subscription to these groups; nil means every group.
	Groups []string
	// IdleTimeout fails a stream with no fragment for this long (error name
	// "IdleTimeout"). 0 means DefaultStreamIdleTimeout.
	IdleTimeout time.Duration
	// HandleFromStart ignores a stream first seen at a fragment other than
	// 1 (one that started before the subscription or the connection).
	HandleFromStart bool
	// ReadBuffer bounds the unread fragments of one stream; one more fails
	// the stream with ErrStreamReaderTooSlow. 0 means
	// DefaultStreamReadBuffer.
	ReadBuffer int
	// ReadBufferBytes bounds the payload bytes of the unread fragments of
	// all the subscription's streams together: a fragment that would exceed
	// it fails its stream with ErrStreamReaderTooSlow (a fragment larger
	// than the bound is let in when nothing is unread). A failed stream's
	// fragments count until they are read. 0 means
	// DefaultStreamReadBufferBytes. With ReadBuffer and PendingStreams it
	// bounds the memory a subscription holds for readers that fall behind.
	ReadBufferBytes int64
	// PendingStreams bounds the new streams not yet taken with Next; further
	// new streams are ignored until Next is called. 0 means
	// DefaultPendingStreams. (At most 10,000 streams are tracked at once.)
	PendingStreams int
}

// StreamFragment is one fragment of a received group stream.
type StreamFragment struct {
	// DataType is the type of Data.
	DataType DataType
	// Data is the UTF-8 text, JSON text or raw bytes of the fragment.
	Data []byte
	// StreamSequenceID is the fragment's number in the stream, from 1.
	StreamSequenceID uint64
	// SequenceID is the message's sequence id on a reliable connection,
	// else 0.
	SequenceID uint64
}

// GroupStreamSubscription delivers the group streams this client receives
// (the JS client's onGroupStream). Group messages still reach
// Options.OnGroupMessage as well.
type GroupStreamSubscription struct {
	c    *Client
	opts GroupStreamSubscriptionOptions

	unread atomic.Int64 // payload bytes of unread fragments (ReadBufferBytes)

	mu      sync.Mutex
	closed  bool
	active  map[streamKey]*GroupStream
	ignored map[streamKey]struct{}
	pending []*GroupStream
	ready   chan struct{} // closed and replaced when pending grows or closed
}

type streamKey struct{ group, id string }

// SubscribeGroupStreams starts delivering received group streams; take
// them with Next. Close the subscription when done.
func (c *Client) SubscribeGroupStreams(opts *GroupStreamSubscriptionOptions) *GroupStreamSubscription {
	var o GroupStreamSubscriptionOptions
	if opts != nil {
		o = *opts
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultStreamIdleTimeout
	}
	if o.ReadBuffer <= 0 {
		o.ReadBuffer = DefaultStreamReadBuffer
	}
	if o.ReadBufferBytes <= 0 {
		o.ReadBufferBytes = DefaultStreamReadBufferBytes
	}
	if o.PendingStreams <= 0 {
		o.PendingStreams = DefaultPendingStreams
	}
	s := &GroupStreamSubscription{c: c, opts: o, active: make(map[streamKey]*GroupStream), ignored: make(map[streamKey]struct{}), ready: make(chan struct{})}
	c.preview.inbound.add(s)
	return s
}

// Next returns the next new stream, waiting for one until ctx ends.
func (s *GroupStreamSubscription) Next(ctx context.Context) (*GroupStream, error) {
	for {
		s.mu.Lock()
		if len(s.pending) > 0 {
			gs := s.pending[0]
			s.pending[0] = nil
			s.pending = s.pending[1:]
			s.mu.Unlock()
			return gs, nil
		}
		if s.closed {
			s.mu.Unlock()
			return nil, ErrSubscriptionClosed
		}
		ready := s.ready
		s.mu.Unlock()
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close ends the subscription; its active streams fail with
// ErrSubscriptionClosed.
func (s *GroupStreamSubscription) Close() {
	s.c.preview.inbound.remove(s)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	active := s.active
	s.active = nil
	close(s.ready)
	s.mu.Unlock()
	for _, gs := range active {
		gs.complete(ErrSubscriptionClosed)
	}
}

func (s *GroupStreamSubscription) wants(group string) bool {
	if s.opts.Groups == nil {
		return true
	}
	for _, g := range s.opts.Groups {
		if g == group {
			return true
		}
	}
	return false
}

// handle routes one stream frame (called on the read loop, in order).
func (s *GroupStreamSubscription) handle(sess *session, m protocol.GroupDataMessage) {
	if !s.wants(m.Group) {
		return
	}
	info := m.Stream
	key := streamKey{m.Group, info.StreamID}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	if _, ok := s.ignored[key]; ok {
		if info.EndOfStream {
			delete(s.ignored, key)
		}
		s.mu.Unlock()
		return
	}
	gs := s.active[key]
	if gs == nil {
		if len(s.active)+len(s.ignored) >= maxTrackedStreams {
			s.mu.Unlock()
			return
		}
		if (s.opts.HandleFromStart && info.StreamSequenceID != 1) || len(s.pending) >= s.opts.PendingStreams {
			if !info.EndOfStream {
				s.ignored[key] = struct{}{}
			}
			s.mu.Unlock()
			return
		}
		gs = newGroupStream(s, sess, key, m.FromUserID, info.StreamSequenceID)
		s.active[key] = gs
		s.pending = append(s.pending, gs)
		close(s.ready)
		s.ready = make(chan struct{})
	}
	s.mu.Unlock()
	gs.handle(m)
}

// reserve counts n more unread bytes if ReadBufferBytes allows it.
func (s *GroupStreamSubscription) reserve(n int64) bool {
	for {
		cur := s.unread.Load()
		if cur > 0 && cur+n > s.opts.ReadBufferBytes {
			return false
		}
		if s.unread.CompareAndSwap(cur, cur+n) {
			return true
		}
	}
}

// forget removes gs from the active streams once it is over. A stream that
// failed on a fragment is ignored until its end, rather than seen again as a
// new stream starting in the middle.
func (s *GroupStreamSubscription) forget(gs *GroupStream, dropRest bool) {
	s.mu.Lock()
	if s.active[gs.key] == gs {
		delete(s.active, gs.key)
		if dropRest && !s.closed {
			s.ignored[gs.key] = struct{}{}
		}
	}
	s.mu.Unlock()
}

// GroupStream is a group stream this client receives. Read its fragments
// with Next or Fragments; the stream ends with io.EOF after the sender's
// End, or with the sender's error after an Abort (a *StreamError named
// "UserError" carrying its message and user error code, as the service
// names it), a *StreamError
// named "IdleTimeout" when no fragment arrived for the idle timeout, or
// ErrStopped when the client stops.
type GroupStream struct {
	// Group is the group the stream is sent to.
	Group string
	// StreamID names the stream.
	StreamID string
	// FromUserID is the sender's user id, if any.
	FromUserID string

	sub   *GroupStreamSubscription
	key   streamKey
	idle  time.Duration
	timer *time.Timer
	stop  func() bool // unregisters the stop-on-session-end hook

	mu    sync.Mutex
	queue []StreamFragment
	// dropRest makes the subscription ignore the stream's later frames
	// until its end: it failed on a fragment (gap, reader too slow).
	dropRest bool
	last     uint64 // number of the last fragment seen
	seen     time.Time
	done     bool
	err      error // io.EOF after a clean end
	ready    chan struct{}
}

func newGroupStream(s *GroupStreamSubscription, sess *session, key streamKey, from string, first uint64) *GroupStream {
	gs := &GroupStream{Group: key.group, StreamID: key.id, FromUserID: from, sub: s, key: key, idle: s.opts.IdleTimeout, last: first - 1, seen: time.Now(), ready: make(chan struct{})}
	gs.timer = time.AfterFunc(gs.idle, gs.checkIdle)
	gs.stop = context.AfterFunc(sess.ctx, func() { gs.complete(ErrStopped) })
	return gs
}

// handle takes one frame of the stream.
func (gs *GroupStream) handle(m protocol.GroupDataMessage) {
	info := m.Stream
	gs.mu.Lock()
	if gs.done {
		gs.mu.Unlock()
		return
	}
	gs.seen = time.Now()
	k := info.StreamSequenceID
	if k <= gs.last {
		gs.mu.Unlock()
		return // a duplicate
	}
	if k != gs.last+1 {
		gs.dropRest = !info.EndOfStream
		gs.mu.Unlock()
		gs.complete(fmt.Errorf("%w: fragment %d arrived after %d", ErrStreamGap, k, gs.last))
		return
	}
	gs.last = k
	if !info.EndOfStream || hasPayload(m.Data) {
		if len(gs.queue) >= gs.sub.opts.ReadBuffer {
			gs.dropRest = !info.EndOfStream
			gs.mu.Unlock()
			gs.complete(fmt.Errorf("%w: %d fragments unread (ReadBuffer)", ErrStreamReaderTooSlow, gs.sub.opts.ReadBuffer))
			return
		}
		if !gs.sub.reserve(int64(len(m.Data.Data))) {
			gs.dropRest = !info.EndOfStream
			gs.mu.Unlock()
			gs.complete(fmt.Errorf("%w: the subscription's streams hold %d bytes unread (ReadBufferBytes)", ErrStreamReaderTooSlow, gs.sub.opts.ReadBufferBytes))
			return
		}
		gs.queue = append(gs.queue, StreamFragment{DataType: DataType(m.Data.Type), Data: m.Data.Data, StreamSequenceID: k, SequenceID: m.SequenceID})
		close(gs.ready)
		gs.ready = make(chan struct{})
	}
	gs.mu.Unlock()
	if info.EndOfStream {
		var err error = io.EOF
		if info.Error != nil {
			err = &StreamError{Name: info.Error.Name, Message: info.Error.Message, UserErrorCode: info.Error.UserErrorCode}
		}
		gs.complete(err)
	}
}

// hasPayload reports whether a terminal frame carries a fragment.
func hasPayload(p protocol.Payload) bool {
	return len(p.Data) > 0
}

func (gs *GroupStream) checkIdle() {
	gs.mu.Lock()
	if gs.done {
		gs.mu.Unlock()
		return
	}
	if rest := gs.idle - time.Since(gs.seen); rest > 0 {
		gs.timer.Reset(rest)
		gs.mu.Unlock()
		return
	}
	gs.mu.Unlock()
	gs.complete(&StreamError{Name: protocol.ErrorIdleTimeout, Message: fmt.Sprintf("no fragment received for %s", gs.idle)})
}

// complete ends the stream with err (io.EOF for a clean end); fragments
// already queued can still be read.
func (gs *GroupStream) complete(err error) {
	gs.mu.Lock()
	if gs.done {
		gs.mu.Unlock()
		return
	}
	gs.done = true
	gs.err = err
	close(gs.ready)
	dropRest := gs.dropRest
	gs.mu.Unlock()
	gs.timer.Stop()
	gs.stop()
	gs.sub.forget(gs, dropRest)
}

// Next returns the next fragment, waiting for it until ctx ends. After the
// last fragment it returns io.EOF if the stream ended cleanly, or the
// stream's error.
func (gs *GroupStream) Next(ctx context.Context) (StreamFragment, error) {
	for {
		gs.mu.Lock()
		if len(gs.queue) > 0 {
			f := gs.queue[0]
			gs.queue[0] = StreamFragment{}
			gs.queue = gs.queue[1:]
			gs.mu.Unlock()
			gs.sub.unread.Add(-int64(len(f.Data)))
			return f, nil
		}
		if gs.done {
			err := gs.err
			gs.mu.Unlock()
			return StreamFragment{}, err
		}
		ready := gs.ready
		gs.mu.Unlock()
		select {
		case <-ready:
		case <-ctx.Done():
			return StreamFragment{}, ctx.Err()
		}
	}
}

// Fragments returns an iterator over the stream's fragments. It stops after
// the last fragment of a cleanly ended stream; otherwise its last pair
// carries the stream's (or ctx's) error.
func (gs *GroupStream) Fragments(ctx context.Context) iter.Seq2[StreamFragment, error] {
	return func(yield func(StreamFragment, error) bool) {
		for {
			f, err := gs.Next(ctx)
			if errors.Is(err, io.EOF) {
				return
			}
			if !yield(f, err) || err != nil {
				return
			}
		}
	}
}

// inboundDispatcher holds a client's stream subscriptions.
type inboundDispatcher struct {
	mu   sync.Mutex
	subs []*GroupStreamSubscription
}

func (d *inboundDispatcher) add(s *GroupStreamSubscription) {
	d.mu.Lock()
	d.subs = append(d.subs, s)
	d.mu.Unlock()
}

func (d *inboundDispatcher) remove(s *GroupStreamSubscription) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, x := range d.subs {
		if x == s {
			d.subs = append(d.subs[:i:i], d.subs[i+1:]...)
			return
		}
	}
}

// dispatch hands a stream frame to every subscription.
func (d *inboundDispatcher) dispatch(sess *session, m protocol.GroupDataMessage) {
	d.mu.Lock()
	subs := d.subs
	d.mu.Unlock()
	for _, s := range subs {
		s.handle(sess, m)
	}
}
