package core

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// ConnSpec describes a connection to register.
type ConnSpec struct {
	// ID identifies the connection in its hub: a fresh random id, or a
	// client's own (an MQTT client id).
	ID     string
	UserID string
	// Protocol names the connection's wire for observers: a WebSocket
	// subprotocol, "" for a simple WebSocket.
	Protocol string
	// Recoverable connections outlive their sockets: their messages carry
	// sequence ids and stay in a resend buffer until acknowledged, and a
	// dropped one waits RecoveryWindow to be recovered.
	Recoverable bool
	// RecoveryWindow overrides Limits.RecoveryWindow when not zero (see
	// Conn.SetRecoveryWindow to change it later).
	RecoveryWindow time.Duration
	// Offline, when set on a recoverable connection, makes the adapter
	// keep the connection's messages instead of the core: the core adds no
	// sequence ids and keeps no resend buffer, and while the connection has
	// no socket (between a drop and a recovery) it delivers to Offline,
	// which queues what the wire keeps for an absent client (an MQTT
	// session's messages). On recovery the adapter's greet sends what the
	// client must get again. Offline is never closed or aborted by the core.
	Offline Link
	// Roles are the permissions the connection starts with; Groups the
	// groups it joins (with the groups its user was added to).
	Roles  []string
	Groups []string
	// Link is the connection's first socket. Frames queue on it until the
	// adapter starts the socket.
	Link Link
	// Size returns how many bytes m counts against the resend buffer's
	// limit on this connection (its encoding for the wire), or an error if
	// m cannot be encoded for it (it is then not delivered). Recoverable
	// connections need it.
	Size func(m *Message) (int, error)
	// Adapter is the adapter's own data for the connection (Conn.Adapter).
	Adapter any
	// OnRemove, if set, runs once when the connection is removed for good
	// (not on Reset or Close), with no lock held, before observers hear of
	// it: the adapter ends what the connection had going (its streams,
	// invocations).
	OnRemove func(c *Conn)
}

// Conn is a logical connection. A recoverable one outlives its sockets: it
// keeps its id, groups, permissions and unacknowledged messages while the
// client is away.
type Conn struct {
	hub         *Hub
	id          string
	userID      string
	protocol    string
	recoverable bool
	window      time.Duration
	size        func(*Message) (int, error)
	adapter     any
	offline     Link
	onRemove    func(*Conn)
	values      [maxKeys]atomic.Pointer[box]
	inbox       inbox

	// Guarded by hub.mu.
	groups      map[string]any // group -> the membership's option
	roles       map[string]struct{}
	established bool

	mu       sync.Mutex
	link     Link
	seq      uint64
	buf      []pending
	bufBytes int
	gone     bool   // removed or abandoned
	failure  string // why the connection must end, once it went over a limit
	timer    *time.Timer
	dropGen  uint64 // counts socket losses; guards stale recovery timers
	acks     ackCache
}

// Register adds a connection to the hub and joins it to spec.Groups and to
// the groups its user was added to (up to the groups limit). It fails with
// ErrClosed once the hub was reset or the core closed, and with ErrExists
// if the id is taken.
func (h *Hub) Register(spec ConnSpec) (*Conn, error) {
	c := &Conn{
		hub:         h,
		id:          spec.ID,
		userID:      spec.UserID,
		protocol:    spec.Protocol,
		recoverable: spec.Recoverable,
		window:      spec.RecoveryWindow,
		size:        spec.Size,
		adapter:     spec.Adapter,
		offline:     spec.Offline,
		onRemove:    spec.OnRemove,
		groups:      make(map[string]any),
		roles:       make(map[string]struct{}, len(spec.Roles)),
		link:        spec.Link,
	}
	if c.window <= 0 {
		c.window = h.core.limits.RecoveryWindow
	}
	if !c.recoverable {
		c.offline = nil
	}
	if c.size == nil {
		c.size = func(m *Message) (int, error) { return len(m.Data.Data), nil }
	}
	for _, r := range spec.Roles {
		c.roles[r] = struct{}{}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.dead {
		return nil, ErrClosed
	}
	if _, ok := h.conns[c.id]; ok {
		return nil, ErrExists
	}
	h.conns[c.id] = c
	if c.userID != "" {
		m := h.users[c.userID]
		if m == nil {
			m = make(map[string]*Conn)
			h.users[c.userID] = m
		}
		m[c.id] = c
		for g := range h.userGroups[c.userID] {
			_ = h.joinLocked(c, g, nil)
		}
	}
	for _, g := range spec.Groups {
		_ = h.joinLocked(c, g, nil)
	}
	return c, nil
}

// ID returns the connection's id.
func (c *Conn) ID() string { return c.id }

// UserID returns the connection's user ("" = anonymous).
func (c *Conn) UserID() string { return c.userID }

// Hub returns the connection's hub.
func (c *Conn) Hub() *Hub { return c.hub }

// Protocol returns the connection's wire name (ConnSpec.Protocol).
func (c *Conn) Protocol() string { return c.protocol }

// Recoverable reports whether the connection outlives its sockets.
func (c *Conn) Recoverable() bool { return c.recoverable }

// Adapter returns ConnSpec.Adapter.
func (c *Conn) Adapter() any { return c.adapter }

// Groups returns the groups the connection is in, sorted.
func (c *Conn) Groups() []string {
	c.hub.mu.RLock()
	defer c.hub.mu.RUnlock()
	return sortedGroups(c)
}

// Option returns the option c joined group with, and whether it is in the
// group.
func (c *Conn) Option(group string) (any, bool) {
	c.hub.mu.RLock()
	defer c.hub.mu.RUnlock()
	opt, ok := c.groups[group]
	return opt, ok
}

// Grant gives c role (a plain role or one scoped with ".group"). It
// reports false if c was removed.
func (c *Conn) Grant(role string) bool {
	h := c.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.registered(c) {
		return false
	}
	c.roles[role] = struct{}{}
	return true
}

// Revoke takes role from c.
func (c *Conn) Revoke(role string) {
	c.hub.mu.Lock()
	defer c.hub.mu.Unlock()
	delete(c.roles, role)
}

// Allowed reports whether c may use role on group: it holds the plain
// role or the role scoped to group (with group "": the plain role).
func (c *Conn) Allowed(role, group string) bool {
	c.hub.mu.RLock()
	defer c.hub.mu.RUnlock()
	return allows(func(r string) bool { _, ok := c.roles[r]; return ok }, role, group)
}

// Roles returns c's roles, sorted.
func (c *Conn) Roles() []string {
	c.hub.mu.RLock()
	defer c.hub.mu.RUnlock()
	out := make([]string, 0, len(c.roles))
	for r := range c.roles {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// maxKeys bounds the components that keep data on connections (Key).
const maxKeys = 4

// keys counts the keys made so far.
var keys atomic.Int32

// Key names one component's data on connections (Conn.Value): the
// upstream caller's session, for one. Make each with NewKey once, at
// package initialisation.
type Key struct{ i int }

// NewKey returns a new key; it panics past the fixed number a connection
// has room for.
func NewKey() Key {
	i := int(keys.Add(1)) - 1
	if i >= maxKeys {
		panic("core: too many keys; raise maxKeys")
	}
	return Key{i}
}

// box holds a value of any type for an atomic pointer.
type box struct{ v any }

// Value returns the value stored under k, or nil.
func (c *Conn) Value(k Key) any {
	if b := c.values[k.i].Load(); b != nil {
		return b.v
	}
	return nil
}

// SetValue stores v under k.
func (c *Conn) SetValue(k Key, v any) { c.values[k.i].Store(&box{v}) }

// ackCache remembers the ackIds a connection's operations succeeded with,
// up to a bound, forgetting the oldest first.
type ackCache struct {
	ids    map[uint64]struct{}
	order  []uint64
	cursor int
}

// Duplicate reports whether an operation with ackID already succeeded.
func (c *Conn) Duplicate(ackID uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.acks.ids[ackID]
	return ok
}

// RecordAckID remembers that the operation with ackID succeeded.
func (c *Conn) RecordAckID(ackID uint64) {
	limit := c.hub.core.limits.MaxAckIDs
	c.mu.Lock()
	defer c.mu.Unlock()
	a := &c.acks
	if _, ok := a.ids[ackID]; ok {
		return
	}
	if a.ids == nil {
		a.ids = make(map[uint64]struct{})
	}
	if len(a.order) < limit {
		a.order = append(a.order, ackID)
	} else {
		delete(a.ids, a.order[a.cursor])
		a.order[a.cursor] = ackID
		a.cursor = (a.cursor + 1) % limit
	}
	a.ids[ackID] = struct{}{}
}
