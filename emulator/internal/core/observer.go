package core

import (
	"sync"
	"sync/atomic"
)

// Observer learns what happens in the core: the live trace, the upstream
// caller and the log implement it. See the package documentation for when
// and how its methods are called.
type Observer interface {
	// OnConnected: c was established (its handshake succeeded); groups are
	// the groups it is in at that moment, sorted. Later changes arrive as
	// OnJoined and OnLeft.
	OnConnected(c *Conn, groups []string)
	// OnDropped: recoverable c lost its socket and waits to be recovered.
	OnDropped(c *Conn)
	// OnRecovered: c was recovered on a new socket.
	OnRecovered(c *Conn)
	// OnRemoved: c was removed for good, for reason (not on Reset or
	// Close). It left its groups without OnLeft.
	OnRemoved(c *Conn, reason string)
	// OnJoined and OnLeft: established c joined or left group.
	OnJoined(c *Conn, group string)
	OnLeft(c *Conn, group string)
	// OnLimit: c went over one of its limits and is being closed.
	OnLimit(c *Conn, reason string)
	// OnMessage: a message was queued for its recipients.
	OnMessage(s *Sent)
	// OnReset: Core.Reset forgot every connection.
	OnReset()
}

// Sent describes a message sent with Hub.Send, for observers.
type Sent struct {
	Hub *Hub
	// From is the sending connection; nil for the server.
	From *Conn
	// Source and Target describe the send as Send does.
	Source, Target string
	Message        *Message
	// Recipients are the connections the message was queued for.
	Recipients []*Conn
}

// eventKind names an ordered event.
type eventKind uint8

const (
	evConnected eventKind = iota
	evDropped
	evRecovered
	evRemoved
	evJoined
	evLeft
	evLimit
)

// event is one ordered event waiting for the observers.
type event struct {
	kind   eventKind
	conn   *Conn
	text   string // group or reason
	groups []string
}

// dispatcher delivers ordered events to the observers. Events are posted
// under the lock that orders them (a hub's or a connection's) and
// delivered by sync, which the poster calls once it holds no lock: one
// goroutine at a time delivers everything posted so far, and sync returns
// once the caller's events were delivered. Queued events are therefore
// bounded by the goroutines inside the core.
type dispatcher struct {
	obs []Observer

	mu      sync.Mutex
	done    sync.Cond // signalled when a delivery round ends
	queue   []event
	running bool
	// posted and delivered count the events; they change with mu held and
	// are read without it by sync's fast path.
	posted    atomic.Uint64
	delivered atomic.Uint64
}

func newDispatcher(obs []Observer) *dispatcher {
	d := &dispatcher{obs: obs}
	d.done.L = &d.mu
	return d
}

// post queues ev. It only takes the dispatcher's lock, so callers may hold
// core locks.
func (d *dispatcher) post(ev event) {
	if len(d.obs) == 0 {
		return
	}
	d.mu.Lock()
	d.queue = append(d.queue, ev)
	d.posted.Add(1)
	d.mu.Unlock()
}

// sync returns once every event posted before the call was delivered,
// delivering them itself unless another goroutine is doing so. The caller
// must hold no core lock. When everything posted was delivered it returns
// without taking the dispatcher's lock: every change of the core calls it,
// and a lock shared by every connection would serialise them (the caller's
// own post, made before, is counted in posted).
func (d *dispatcher) sync() {
	if len(d.obs) == 0 || d.delivered.Load() == d.posted.Load() {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	target := d.posted.Load()
	for d.delivered.Load() < target {
		if d.running {
			d.done.Wait()
			continue
		}
		d.running = true
		batch := d.queue
		d.queue = nil
		d.mu.Unlock()
		for i := range batch {
			d.deliver(&batch[i])
		}
		d.mu.Lock()
		d.delivered.Add(uint64(len(batch)))
		d.running = false
		d.done.Broadcast()
	}
}

// deliver hands one event to every observer.
func (d *dispatcher) deliver(ev *event) {
	for _, o := range d.obs {
		switch ev.kind {
		case evConnected:
			o.OnConnected(ev.conn, ev.groups)
		case evDropped:
			o.OnDropped(ev.conn)
		case evRecovered:
			o.OnRecovered(ev.conn)
		case evRemoved:
			o.OnRemoved(ev.conn, ev.text)
		case evJoined:
			o.OnJoined(ev.conn, ev.text)
		case evLeft:
			o.OnLeft(ev.conn, ev.text)
		case evLimit:
			o.OnLimit(ev.conn, ev.text)
		}
	}
}

// message tells the observers about s, on the caller's goroutine.
func (d *dispatcher) message(s *Sent) {
	for _, o := range d.obs {
		o.OnMessage(s)
	}
}

// reset tells the observers about a reset.
func (d *dispatcher) reset() {
	for _, o := range d.obs {
		o.OnReset()
	}
}
