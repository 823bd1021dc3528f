package client

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
)

// dispatcher runs event handlers one at a time, in order, on a goroutine of
// its own; a handler may call any Client method.
//
// The data messages in its queue are bounded (Options.MaxQueuedMessages and
// MaxQueuedBytes): postData blocks the connection's read loop while the queue
// is full, which is the client's back-pressure. Lifecycle events (connected,
// disconnected, stopped, rejoin failures) are few and never wait. While a
// handler is blocked in a client operation that needs the read loop (an
// acknowledged send waits for its ack, which arrives behind the messages the
// service sent before it), the bound is lifted, or the handler and the read
// loop would wait for each other for ever.
type dispatcher struct {
	maxLen   int
	maxBytes int64

	mu        sync.Mutex
	cond      *sync.Cond
	queue     []dispatchItem
	n         int           // data messages in queue
	bytes     int64         // their sizes
	highWater int           // the largest n so far (for tests)
	space     chan struct{} // closed and replaced when room may have been made
	inCall    int           // handlers blocked in a client operation
	closed    bool
	done      chan struct{}

	running atomic.Bool   // a handler is running
	gid     atomic.Uint64 // the id of the dispatcher goroutine
}

// dispatchItem is a queued handler call.
type dispatchItem struct {
	f    func()
	data bool  // a data message, counted against the bound
	size int64 // its size in bytes
}

// newDispatcher starts a dispatcher whose data messages are bounded by
// maxLen and maxBytes. Its first handler runs only after prev (the previous
// session's dispatcher, or nil) has run all of its handlers, so that the
// events of a restarted client stay in order.
func newDispatcher(prev *dispatcher, maxLen int, maxBytes int64) *dispatcher {
	d := &dispatcher{maxLen: maxLen, maxBytes: maxBytes, done: make(chan struct{}), space: make(chan struct{})}
	d.cond = sync.NewCond(&d.mu)
	go d.run(prev)
	return d
}

// post queues the lifecycle event f without waiting. It reports false if the
// dispatcher is closed.
func (d *dispatcher) post(f func()) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	d.queue = append(d.queue, dispatchItem{f: f})
	d.cond.Signal()
	return true
}

// postData queues the handler call f of a data message of size bytes,
// waiting while the queue is full (see dispatcher) until there is room or
// stop is closed. paused, if not nil, is called with true before such a
// wait and with false after it. postData reports whether f was queued.
func (d *dispatcher) postData(f func(), size int64, stop <-chan struct{}, paused func(bool)) bool {
	d.mu.Lock()
	for !d.closed && d.inCall == 0 && d.full(size) {
		space := d.space
		d.mu.Unlock()
		if paused != nil {
			paused(true)
		}
		select {
		case <-space:
		case <-stop:
			if paused != nil {
				paused(false)
			}
			return false
		}
		if paused != nil {
			paused(false)
		}
		d.mu.Lock()
	}
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	d.queue = append(d.queue, dispatchItem{f: f, data: true, size: size})
	d.n++
	d.bytes += size
	d.highWater = max(d.highWater, d.n)
	d.cond.Signal()
	return true
}

// full reports whether a data message of size bytes must wait. A message
// larger than maxBytes is let in when no other data message is queued.
// d.mu must be held.
func (d *dispatcher) full(size int64) bool {
	return d.n >= d.maxLen || (d.n > 0 && d.bytes+size > d.maxBytes)
}

// wakeLocked wakes a postData waiting for room. d.mu must be held.
func (d *dispatcher) wakeLocked() {
	close(d.space)
	d.space = make(chan struct{})
}

// enterCall is called by client operations that may wait for the read loop.
// When called from a handler it lifts the bound of the queue until the
// returned function is called; otherwise it returns nil.
func (d *dispatcher) enterCall() (leave func()) {
	if !d.running.Load() || goroutineID() != d.gid.Load() {
		return nil
	}
	d.mu.Lock()
	d.inCall++
	d.wakeLocked()
	d.mu.Unlock()
	return func() {
		d.mu.Lock()
		d.inCall--
		d.mu.Unlock()
	}
}

// close lets the dispatcher finish the queued handlers and exit.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.cond.Signal()
	d.wakeLocked()
	d.mu.Unlock()
}

func (d *dispatcher) run(prev *dispatcher) {
	defer close(d.done)
	if prev != nil {
		<-prev.done
	}
	d.gid.Store(goroutineID())
	for {
		d.mu.Lock()
		for len(d.queue) == 0 && !d.closed {
			d.cond.Wait()
		}
		if len(d.queue) == 0 {
			d.mu.Unlock()
			return
		}
		it := d.queue[0]
		d.queue[0] = dispatchItem{}
		d.queue = d.queue[1:]
		if it.data {
			d.n--
			d.bytes -= it.size
			d.wakeLocked()
		}
		d.mu.Unlock()
		d.running.Store(true)
		it.f()
		d.running.Store(false)
	}
}

// goroutineID returns the id of the calling goroutine, from the first line of
// its stack trace ("goroutine 42 [running]:"). The dispatcher uses it only to
// tell whether a client operation is called from one of its handlers.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		id, _ := strconv.ParseUint(string(b[:i]), 10, 64)
		return id
	}
	return 0
}
