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
	limits  Limits
	budgets budgets
	events  *dispatcher
	goFn    func(func()) bool

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
	k.budgets = newBudgets(k.limits)
	return k
}

// Limits returns the core's budgets.
func (k *Core) Limits() Limits { return k.limits }

// budgets are the core's emulator-wide budgets (Limits.Total...).
type budgets struct {
	queue   *OutboundBudget
	unacked *SharedBudget[unackedKey]
	invoke  *Budget
	groups  *Budget
}

// unackedKey is a message in one encoding (told apart by its size) held by
// resend buffers.
type unackedKey struct {
	m    *Message
	size int
}

func newBudgets(l Limits) budgets {
	b := budgets{
		unacked: NewSharedBudget[unackedKey](NewBudget("unacknowledged messages", l.TotalUnackedBytes, BudgetFloor)),
		invoke:  NewBudget("invocations in flight", l.TotalInvokeBytes, 0),
		groups:  NewBudget("group memberships", l.TotalGroupBytes, 0),
	}
	if q := NewBudget("messages queued for clients", l.TotalQueueBytes, BudgetFloor); q != nil {
		b.queue = &OutboundBudget{s: NewSharedBudget[*byte](q)}
	}
	return b
}

// Outbound returns the budget of the bytes queued for client sockets
// (Limits.TotalQueueBytes), for the adapters' sockets; nil when there is
// none.
func (k *Core) Outbound() *OutboundBudget { return k.budgets.queue }

// Invocations returns the budget of the invocations in flight
// (Limits.TotalInvokeBytes); nil when there is none. Adapters take an
// invocation's bytes before they start it and give them back when it ends.
func (k *Core) Invocations() *Budget { return k.budgets.invoke }

// BudgetUse returns the bytes each emulator-wide budget holds now, by
// name: "queue", "unacked", "invoke" and "groups".
func (k *Core) BudgetUse() map[string]int {
	return map[string]int{
		"queue":   k.budgets.queue.Budget().Used(),
		"unacked": k.budgets.unacked.Budget().Used(),
		"invoke":  k.budgets.invoke.Used(),
		"groups":  k.budgets.groups.Used(),
	}
}

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
