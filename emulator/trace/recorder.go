package trace

import (
	"sort"
	"sync"
	"time"
)

// Defaults of Options.
const (
	// DefaultCapacity is how many events a Recorder keeps when
	// Options.Capacity is zero.
	DefaultCapacity = 10000
	// DefaultMaxBytes is the ceiling of the events' memory when
	// Options.MaxBytes is zero: 32 MiB. An ordinary event holds well under
	// 1 KiB, so the ceiling is met only by events full of long names.
	DefaultMaxBytes = 32 << 20
	// DefaultSubscriberQueue is how many updates wait for a subscriber when
	// Options.SubscriberQueue is zero.
	DefaultSubscriberQueue = 4096
	// DefaultMaxGoneConnections is how many gone connections the table keeps
	// when Options.MaxGoneConnections is zero.
	DefaultMaxGoneConnections = 1000
	// DefaultMaxGoneBytes is the ceiling of the gone connections' rows when
	// Options.MaxGoneBytes is zero: 4 MiB.
	DefaultMaxGoneBytes = 4 << 20
)

// Options configures a Recorder. The zero value is ready to use.
//
// The recorder's memory is bounded by MaxBytes for the events, MaxGoneBytes
// for the rows of gone connections, the subscribers' queues, and one row per
// live connection (each at most MaxGroups names of MaxFieldBytes), whose
// number the emulator bounds. The hub list holds only hubs of kept events and
// rows.
type Options struct {
	// Capacity is how many of the latest events are kept; older ones are
	// forgotten. Default DefaultCapacity (10,000).
	Capacity int
	// MaxBytes is the most memory the kept events may hold, as estimated
	// from their strings and fixed size; the oldest events are forgotten
	// first. Default DefaultMaxBytes (32 MiB).
	MaxBytes int
	// SubscriberQueue is how many updates may wait for one subscriber; when
	// its queue is full further updates are dropped for that subscriber and
	// counted. Default DefaultSubscriberQueue.
	SubscriberQueue int
	// MaxGoneConnections is how many connections that are gone stay in the
	// connection table (the oldest are forgotten first). Live connections
	// always stay. Default DefaultMaxGoneConnections.
	MaxGoneConnections int
	// MaxGoneBytes is the most memory the rows of gone connections may hold
	// (the oldest are forgotten first). Default DefaultMaxGoneBytes (4 MiB).
	MaxGoneBytes int
	// Secrets are strings (access keys) replaced by "[redacted]" wherever
	// they appear in an event. Tokens are redacted without being listed.
	Secrets []string
}

// connKey identifies a connection across hubs.
type connKey struct{ hub, id string }

// Recorder keeps the latest events and the connection table, and fans
// updates out to subscribers. Its methods are safe for concurrent use and
// never block on a subscriber.
type Recorder struct {
	opts  Options
	red   *redactor
	codes *signInCodes

	mu      sync.Mutex
	events  ring
	seq     uint64
	conns   map[connKey]*Connection
	gone    []connKey // gone connections, oldest first
	goneMem int       // estimated bytes of the gone rows
	hubs    map[string]int
	subs    map[*Subscription]struct{}
	stopped bool
}

// New returns an empty Recorder.
func New(opts Options) *Recorder {
	if opts.Capacity <= 0 {
		opts.Capacity = DefaultCapacity
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.SubscriberQueue <= 0 {
		opts.SubscriberQueue = DefaultSubscriberQueue
	}
	if opts.MaxGoneConnections <= 0 {
		opts.MaxGoneConnections = DefaultMaxGoneConnections
	}
	if opts.MaxGoneBytes <= 0 {
		opts.MaxGoneBytes = DefaultMaxGoneBytes
	}
	return &Recorder{
		opts:  opts,
		red:   newRedactor(opts.Secrets),
		codes: newSignInCodes(),
		conns: make(map[connKey]*Connection),
		hubs:  make(map[string]int),
		subs:  make(map[*Subscription]struct{}),
	}
}

// Record stores ev (its Seq and, if zero, Time are set here), updates the
// connection table and offers the update to every subscriber. Strings are
// redacted and cut to their bounds first. It never blocks.
func (r *Recorder) Record(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	r.red.bound(&ev)
	size := eventBytes(&ev)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	r.seq++
	ev.Seq = r.seq
	if r.events.n == r.opts.Capacity {
		r.forgetOldestLocked()
	}
	r.events.push(ev, r.opts.Capacity)
	r.events.bytes += size
	r.hubRefLocked(ev.Hub, 1)
	for r.events.bytes > r.opts.MaxBytes && r.events.n > 1 {
		r.forgetOldestLocked()
	}
	u := Update{Event: ev, Connection: r.applyLocked(ev)}
	for s := range r.subs {
		s.offer(u)
	}
}

// forgetOldestLocked drops the oldest event.
func (r *Recorder) forgetOldestLocked() {
	old := r.events.pop()
	r.events.bytes -= eventBytes(&old)
	r.hubRefLocked(old.Hub, -1)
}

// hubRefLocked counts the kept events and rows of hub; a hub whose count
// drops to zero leaves the hub list.
func (r *Recorder) hubRefLocked(hub string, delta int) {
	if hub == "" {
		return
	}
	if n := r.hubs[hub] + delta; n > 0 {
		r.hubs[hub] = n
	} else {
		delete(r.hubs, hub)
	}
}

// MemoryBytes is the recorder's estimate of the memory its events and
// connection rows hold (what Options.MaxBytes and Options.MaxGoneBytes
// bound, plus the live rows).
func (r *Recorder) MemoryBytes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.events.bytes
	for _, c := range r.conns {
		n += connBytes(c)
	}
	return n
}

// Snapshot returns the recorded events, the connection table and the hubs.
func (r *Recorder) Snapshot() Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.snapshotLocked(r.opts.Capacity)
}

// snapshotLocked returns a snapshot with at most the last maxEvents events.
func (r *Recorder) snapshotLocked(maxEvents int) Snapshot {
	s := Snapshot{Events: r.events.last(max(maxEvents, 0))}
	s.Connections = r.connectionsLocked()
	s.Hubs = make([]string, 0, len(r.hubs))
	for h := range r.hubs {
		s.Hubs = append(s.Hubs, h)
	}
	sort.Strings(s.Hubs)
	return s
}

// Connections returns the connection table, ordered by hub and connection id.
func (r *Recorder) Connections() []Connection {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.connectionsLocked()
}

// Clear forgets every recorded event (not the connection table).
func (r *Recorder) Clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.events.n > 0 {
		r.forgetOldestLocked()
	}
	r.events = ring{}
}

// Subscribe returns a subscription to every update from now on and a
// snapshot taken at the same moment (with at most the last maxEvents
// events), so that nothing falls between the two. Close the subscription
// when done.
func (r *Recorder) Subscribe(maxEvents int) (*Subscription, Snapshot) {
	s := &Subscription{
		r:    r,
		c:    make(chan Update, r.opts.SubscriberQueue),
		done: make(chan struct{}),
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		close(s.done)
	} else {
		r.subs[s] = struct{}{}
	}
	return s, r.snapshotLocked(maxEvents)
}

// Close ends every subscription and stops recording.
func (r *Recorder) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	r.stopped = true
	for s := range r.subs {
		delete(r.subs, s)
		close(s.done)
	}
}

// ring is a queue of events that grows up to a capacity.
type ring struct {
	buf     []Event
	head, n int
	// bytes is the estimated memory of the n events.
	bytes int
}

// push appends ev; the caller makes room first when n == capacity.
func (q *ring) push(ev Event, capacity int) {
	if q.n == len(q.buf) {
		grown := make([]Event, min(max(2*len(q.buf), 64), capacity))
		for i := 0; i < q.n; i++ {
			grown[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = grown, 0
	}
	q.buf[(q.head+q.n)%len(q.buf)] = ev
	q.n++
}

// pop removes and returns the oldest event.
func (q *ring) pop() Event {
	ev := q.buf[q.head]
	q.buf[q.head] = Event{} // let the strings go
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return ev
}

// last returns a copy of the newest k events, oldest first.
func (q *ring) last(k int) []Event {
	k = min(k, q.n)
	out := make([]Event, 0, k)
	for i := q.n - k; i < q.n; i++ {
		out = append(out, q.buf[(q.head+i)%len(q.buf)])
	}
	return out
}
