package core

import (
	"errors"
	"sort"
	"sync"
)

// Errors of the core's operations.
var (
	// ErrClosed: the core was closed or the hub reset.
	ErrClosed = errors.New("the emulator is shutting down")
	// ErrExists: a connection with that id is registered already.
	ErrExists = errors.New("a connection with this id exists")
	// ErrGone: the connection was removed.
	ErrGone = errors.New("the connection was closed")
)

// Config configures a Core.
type Config struct {
	// Limits are the budgets; the zero value means DefaultLimits.
	Limits Limits
	// Observers learn what happens, in this order.
	Observers []Observer
	// Go runs f on a goroutine its owner waits for before it is closed,
	// and reports false (not running f) once it is closing. Nil runs plain
	// goroutines.
	Go func(f func()) bool
}

// Core holds the hubs. Its methods are safe for concurrent use.
type Core struct {
	limits Limits
	events *dispatcher
	goFn   func(func()) bool

	mu     sync.Mutex
	hubs   map[string]*Hub // by NormalizeHub key
	closed bool
}

// New returns an empty core.
func New(cfg Config) *Core {
	k := &Core{limits: cfg.Limits, events: newDispatcher(cfg.Observers), goFn: cfg.Go, hubs: make(map[string]*Hub)}
	if k.limits == (Limits{}) {
		k.limits = DefaultLimits()
	}
	if k.goFn == nil {
		k.goFn = func(f func()) bool { go f(); return true }
	}
	return k
}

// Limits returns the core's budgets.
func (k *Core) Limits() Limits { return k.limits }

// Hub returns the hub named name (in any case: see NormalizeHub), creating
// it on first use. It returns nil once the core is closed.
func (k *Core) Hub(name string) *Hub {
	key := NormalizeHub(name)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil
	}
	h := k.hubs[key]
	if h == nil {
		h = newHub(k, key)
		k.hubs[key] = h
	}
	return h
}

// LookupHub returns the hub named name (in any case), or nil if it was
// never used.
func (k *Core) LookupHub(name string) *Hub {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.hubs[NormalizeHub(name)]
}

// Hubs returns every hub, ordered by name.
func (k *Core) Hubs() []*Hub {
	k.mu.Lock()
	out := make([]*Hub, 0, len(k.hubs))
	for _, h := range k.hubs {
		out = append(out, h)
	}
	k.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// Reset forgets every hub and connection, like a restart of the service:
// sockets are aborted, nothing can be recovered, and observers hear
// OnReset only (no OnRemoved).
func (k *Core) Reset() {
	k.mu.Lock()
	hubs := k.hubs
	k.hubs = make(map[string]*Hub)
	k.mu.Unlock()
	for _, h := range hubs {
		h.abandon()
	}
	k.events.reset()
}

// Close forgets every hub like Reset, without OnReset, and makes Hub
// return nil from then on. It does not wait for the background work the
// core started through Config.Go; its owner does.
func (k *Core) Close() {
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return
	}
	k.closed = true
	hubs := k.hubs
	k.hubs = make(map[string]*Hub)
	k.mu.Unlock()
	for _, h := range hubs {
		h.abandon()
	}
}

// Closed reports whether Close was called.
func (k *Core) Closed() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.closed
}
