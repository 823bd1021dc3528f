package client

import "sync"

// dispatcher runs event handlers one at a time, in order, on a goroutine of
// its own. Its queue is unbounded so that the connection's read loop never
// waits for a handler; a handler may call any Client method.
type dispatcher struct {
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []func()
	closed bool
	done   chan struct{}
}

// newDispatcher starts a dispatcher. Its first handler runs only after prev
// (the previous session's dispatcher, or nil) has run all of its handlers, so
// that the events of a restarted client stay in order.
func newDispatcher(prev *dispatcher) *dispatcher {
	d := &dispatcher{done: make(chan struct{})}
	d.cond = sync.NewCond(&d.mu)
	go d.run(prev)
	return d
}

// post queues f. It reports false if the dispatcher is closed.
func (d *dispatcher) post(f func()) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	d.queue = append(d.queue, f)
	d.cond.Signal()
	return true
}

// close lets the dispatcher finish the queued handlers and exit.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.cond.Signal()
	d.mu.Unlock()
}

func (d *dispatcher) run(prev *dispatcher) {
	defer close(d.done)
	if prev != nil {
		<-prev.done
	}
	for {
		d.mu.Lock()
		for len(d.queue) == 0 && !d.closed {
			d.cond.Wait()
		}
		if len(d.queue) == 0 {
			d.mu.Unlock()
			return
		}
		f := d.queue[0]
		d.queue[0] = nil
		d.queue = d.queue[1:]
		d.mu.Unlock()
		f()
	}
}
