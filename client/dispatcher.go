package client

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// maxPendingEvents bounds the lifecycle events (Connected, Disconnected,
// RejoinGroupFailed, Stopped) that wait for a handler before the client
// stops opening new connections: each new connection adds at most two of
// them plus one per group that cannot be rejoined, so while this many wait
// the supervisor does not reconnect until a handler returns (or Stop).
const maxPendingEvents = 64

// dispatcher runs the event handlers of one run (Start..Stop) of a client,
// one at a time and in order, on a goroutine of its own.
//
// Posting never blocks: the read loop hands over data messages with
// tryPostData, which refuses a message when the queue holds maxLen data
// messages or maxBytes of them (a single message larger than maxBytes is let
// in when no other is queued); the caller then applies the overflow policy
// (see Client.queueFull). Lifecycle events are few (see maxPendingEvents)
// and always accepted.
type dispatcher struct {
	ctx      context.Context // handlers' ctx: canceled when the run ends
	maxLen   int
	maxBytes int64

	mu        sync.Mutex
	queue     []dispatchItem
	n         int           // data messages in queue
	bytes     int64         // their sizes
	events    int           // lifecycle events in queue
	highWater int           // the largest n so far (for tests)
	room      chan struct{} // closed and replaced when an item leaves the queue
	closed    bool
	running   string    // the handler running now, "" between handlers
	since     time.Time // when it started

	wake chan struct{} // cap 1: the queue changed or the dispatcher closed
	done chan struct{} // closed when the last handler has returned
}

// dispatchItem is a queued handler call.
type dispatchItem struct {
	name string // the Options field of the handler, for Stop's error
	f    func(ctx context.Context)
	data bool  // a data message, counted against the bounds
	size int64 // its size in bytes
}

// handlerKey marks the ctx given to handlers, so that Stop can tell that a
// handler called it (see Client.Stop).
type handlerKey struct{}

// newDispatcher starts the dispatcher of a run. Its handlers get a ctx
// derived from runCtx. It does not wait for the dispatcher of an earlier
// run: a handler of that run which is still stuck must not hold back the
// events of this one.
func newDispatcher(runCtx context.Context, maxLen int, maxBytes int64) *dispatcher {
	d := &dispatcher{maxLen: maxLen, maxBytes: maxBytes, room: make(chan struct{}),
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	d.ctx = context.WithValue(runCtx, handlerKey{}, d)
	go d.run()
	return d
}

// postEvent queues the lifecycle event handler f. It never blocks.
func (d *dispatcher) postEvent(name string, f func(ctx context.Context)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.queue = append(d.queue, dispatchItem{name: name, f: f})
	d.events++
	d.signal()
}

// tryPostData queues the handler call f of a data message of size bytes if
// the bounds allow it, and reports whether it did. It never blocks.
func (d *dispatcher) tryPostData(name string, f func(ctx context.Context), size int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.n >= d.maxLen || (d.n > 0 && d.bytes+size > d.maxBytes) {
		return false
	}
	d.queue = append(d.queue, dispatchItem{name: name, f: f, data: true, size: size})
	d.n++
	d.bytes += size
	d.highWater = max(d.highWater, d.n)
	d.signal()
	return true
}

// signal wakes the run loop. d.mu must be held.
func (d *dispatcher) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// drained reports whether the queue holds at most half of each bound, and
// otherwise returns a channel that is closed when an item leaves it.
func (d *dispatcher) drained() (bool, <-chan struct{}) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || (d.n <= d.maxLen/2 && d.bytes <= d.maxBytes/2) {
		return true, nil
	}
	return false, d.room
}

// eventRoom reports whether fewer than maxPendingEvents lifecycle events
// wait, and otherwise returns a channel that is closed when an item leaves
// the queue.
func (d *dispatcher) eventRoom() (bool, <-chan struct{}) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.events < maxPendingEvents {
		return true, nil
	}
	return false, d.room
}

// close lets the dispatcher run the queued handlers and exit; later posts
// are dropped.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.signal()
	close(d.room)
	d.room = make(chan struct{})
	d.mu.Unlock()
}

// wait waits until every handler of the run has returned, or until ctx ends;
// its error then names the handler still running.
func (d *dispatcher) wait(ctx context.Context) error {
	select {
	case <-d.done:
		return nil
	case <-ctx.Done():
	}
	d.mu.Lock()
	running, since, queued := d.running, d.since, len(d.queue)
	d.mu.Unlock()
	if running == "" {
		select {
		case <-d.done:
			return nil
		default:
		}
		return fmt.Errorf("client: Stop gave up waiting for the event handlers (%d events still queued): %w", queued, ctx.Err())
	}
	return fmt.Errorf("client: Stop gave up waiting for the event handlers: %s has been running for %s and %d events are still queued: %w",
		running, time.Since(since).Round(time.Millisecond), queued, ctx.Err())
}

func (d *dispatcher) run() {
	defer close(d.done)
	for {
		it, ok := d.next()
		if !ok {
			return
		}
		it.f(d.ctx)
		d.mu.Lock()
		d.running = ""
		d.mu.Unlock()
	}
}

// next takes the next item from the queue, waiting for one; it reports false
// once the dispatcher is closed and the queue empty.
func (d *dispatcher) next() (dispatchItem, bool) {
	for {
		d.mu.Lock()
		if len(d.queue) > 0 {
			it := d.queue[0]
			d.queue[0] = dispatchItem{}
			d.queue = d.queue[1:]
			if len(d.queue) == 0 {
				d.queue = nil // let the backing array go
			}
			if it.data {
				d.n--
				d.bytes -= it.size
			} else {
				d.events--
			}
			d.running, d.since = it.name, time.Now()
			close(d.room)
			d.room = make(chan struct{})
			d.mu.Unlock()
			return it, true
		}
		closed := d.closed
		d.mu.Unlock()
		if closed {
			return dispatchItem{}, false
		}
		<-d.wake
	}
}
