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
	// DefaultSubscriberQueue is how many updates wait for a subscriber when
	// Options.SubscriberQueue is zero.
	DefaultSubscriberQueue = 4096
	// DefaultMaxGoneConnections is how many gone connections the table keeps
	// when Options.MaxGoneConnections is zero.
	DefaultMaxGoneConnections = 1000
	// maxHubs bounds the hub list (the emulator creates hubs on first use).
	maxHubs = 10000
)

// Options configures a Recorder. The zero value is ready to use.
type Options struct {
	// Capacity is how many of the latest events are kept; older ones are
	// forgotten. Default DefaultCapacity (10,000).
	Capacity int
	// SubscriberQueue is how many updates may wait for one subscriber; when
	// its queue is full further updates are dropped for that subscriber and
	// counted. Default DefaultSubscriberQueue.
	SubscriberQueue int
	// MaxGoneConnections is how many connections that are gone stay in the
	// connection table (the oldest are forgotten first). Live connections
	// always stay. Default DefaultMaxGoneConnections.
	MaxGoneConnections int
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
	opts Options
	red  *redactor

	mu      sync.Mutex
	ring    []Event // circular, len(ring) == cap once full
	next    int     // index of the next write once the ring is full
	seq     uint64
	conns   map[connKey]*Connection
	gone    []connKey // gone connections, oldest first
	hubs    map[string]struct{}
	subs    map[*Subscription]struct{}
	stopped bool
}

// New returns an empty Recorder.
func New(opts Options) *Recorder {
	if opts.Capacity <= 0 {
		opts.Capacity = DefaultCapacity
	}
	if opts.SubscriberQueue <= 0 {
		opts.SubscriberQueue = DefaultSubscriberQueue
	}
	if opts.MaxGoneConnections <= 0 {
		opts.MaxGoneConnections = DefaultMaxGoneConnections
	}
	return &Recorder{
		opts:  opts,
		red:   newRedactor(opts.Secrets),
		conns: make(map[connKey]*Connection),
		hubs:  make(map[string]struct{}),
		subs:  make(map[*Subscription]struct{}),
	}
}

// Record stores ev (its Seq and, if zero, Time are set here), updates the
// connection table and offers the update to every subscriber. Strings are
// redacted first. It never blocks.
func (r *Recorder) Record(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	r.red.event(&ev)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	r.seq++
	ev.Seq = r.seq
	if len(r.ring) < r.opts.Capacity {
		r.ring = append(r.ring, ev)
	} else {
		r.ring[r.next] = ev
		r.next = (r.next + 1) % len(r.ring)
	}
	if ev.Hub != "" && len(r.hubs) < maxHubs {
		r.hubs[ev.Hub] = struct{}{}
	}
	u := Update{Event: ev, Connection: r.applyLocked(ev)}
	for s := range r.subs {
		s.offer(u)
	}
}

// applyLocked updates the connection table for ev and returns a copy of the
// changed row, or nil.
func (r *Recorder) applyLocked(ev Event) *Connection {
	if ev.Kind == KindReset {
		for k, c := range r.conns {
			if c.State != StateGone && (ev.Hub == "" || ev.Hub == k.hub) {
				r.goneLocked(k, c, ev.Time, "the emulator was reset")
			}
		}
		return nil
	}
	if ev.ConnectionID == "" {
		return nil
	}
	k := connKey{ev.Hub, ev.ConnectionID}
	c := r.conns[k]
	switch ev.Kind {
	case KindConnected:
		if c != nil && c.State == StateGone {
			r.forgetGoneLocked(k)
		}
		c = &Connection{
			Hub: ev.Hub, ConnectionID: ev.ConnectionID, UserID: ev.UserID, Subprotocol: ev.Subprotocol,
			Groups: sortedCopy(ev.Groups), State: StateConnected, Since: ev.Time,
		}
		r.conns[k] = c
	case KindDropped, KindRecovered:
		if c == nil || c.State == StateGone {
			return nil
		}
		c.State, c.Since = StateConnected, ev.Time
		if ev.Kind == KindDropped {
			c.State = StateRecovering
		}
	case KindDisconnected:
		if c == nil || c.State == StateGone {
			return nil
		}
		r.goneLocked(k, c, ev.Time, ev.Reason)
	case KindJoined, KindLeft:
		if c == nil || c.State == StateGone {
			return nil
		}
		c.Groups = withGroup(c.Groups, ev.Group, ev.Kind == KindJoined)
	default:
		return nil
	}
	cp := *c
	cp.Groups = append([]string{}, c.Groups...)
	return &cp
}

// goneLocked marks c gone and forgets the oldest gone rows past the bound.
func (r *Recorder) goneLocked(k connKey, c *Connection, at time.Time, reason string) {
	c.State, c.Since, c.Reason = StateGone, at, reason
	r.gone = append(r.gone, k)
	for len(r.gone) > r.opts.MaxGoneConnections {
		old := r.gone[0]
		r.gone = r.gone[1:]
		if oc := r.conns[old]; oc != nil && oc.State == StateGone {
			delete(r.conns, old)
		}
	}
}

// forgetGoneLocked removes k from the gone list (a connection id reused).
func (r *Recorder) forgetGoneLocked(k connKey) {
	for i, g := range r.gone {
		if g == k {
			r.gone = append(r.gone[:i], r.gone[i+1:]...)
			return
		}
	}
}

// Snapshot returns the recorded events, the connection table and the hubs.
func (r *Recorder) Snapshot() Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.snapshotLocked(r.opts.Capacity)
}

// snapshotLocked returns a snapshot with at most the last maxEvents events.
func (r *Recorder) snapshotLocked(maxEvents int) Snapshot {
	n := min(len(r.ring), max(maxEvents, 0))
	s := Snapshot{Events: make([]Event, 0, n)}
	// The newest event is just before r.next; take the n before it in order.
	for i := len(r.ring) - n; i < len(r.ring); i++ {
		s.Events = append(s.Events, r.ring[(r.next+i)%len(r.ring)])
	}
	s.Connections = make([]Connection, 0, len(r.conns))
	for _, c := range r.conns {
		cp := *c
		cp.Groups = append([]string{}, c.Groups...)
		s.Connections = append(s.Connections, cp)
	}
	sort.Slice(s.Connections, func(i, j int) bool {
		a, b := s.Connections[i], s.Connections[j]
		if a.Hub != b.Hub {
			return a.Hub < b.Hub
		}
		return a.ConnectionID < b.ConnectionID
	})
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
	return r.snapshotLocked(0).Connections
}

// Clear forgets every recorded event (not the connection table).
func (r *Recorder) Clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ring, r.next = nil, 0
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

// Subscription delivers updates to one subscriber through a bounded queue.
type Subscription struct {
	r       *Recorder
	c       chan Update
	done    chan struct{}
	dropped uint64 // guarded by r.mu
}

// offer queues u or counts it as dropped. r.mu must be held.
func (s *Subscription) offer(u Update) {
	select {
	case s.c <- u:
	default:
		s.dropped++
	}
}

// Updates is the queue of updates.
func (s *Subscription) Updates() <-chan Update { return s.c }

// Done is closed when the subscription ends (Close or Recorder.Close).
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Dropped is how many updates this subscriber missed because its queue was full.
func (s *Subscription) Dropped() uint64 {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	return s.dropped
}

// Close ends the subscription. It is safe to call more than once.
func (s *Subscription) Close() {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if _, ok := s.r.subs[s]; ok {
		delete(s.r.subs, s)
		close(s.done)
	}
}

func sortedCopy(list []string) []string {
	out := append([]string{}, list...)
	sort.Strings(out)
	return out
}

// withGroup returns groups with g added (join) or removed, sorted.
func withGroup(groups []string, g string, join bool) []string {
	i := sort.SearchStrings(groups, g)
	has := i < len(groups) && groups[i] == g
	switch {
	case join && !has:
		groups = append(groups, "")
		copy(groups[i+1:], groups[i:])
		groups[i] = g
	case !join && has:
		groups = append(groups[:i], groups[i+1:]...)
	}
	return groups
}
