package core

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/permission"
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
	// Roles are the roles the connection starts with (see package
	// permission: roles that cannot apply are ignored). Grants, when set,
	// are its permissions instead: an adapter that parsed the roles itself
	// (permission.FromRoles) to log those that do not apply. Groups are the
	// groups it joins (with the groups its user was added to).
	Roles  []string
	Grants *permission.Grants
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
	// grants are the connection's group permissions; they guard
	// themselves.
	grants *permission.Grants

	// Guarded by hub.mu.
	groups      map[string]any // group -> the membership's option
	groupBytes  int            // the bytes of the names in groups
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
// the groups its user was added to (up to the groups limits). It fails with
// ErrClosed once the hub was reset or the core closed, with ErrExists if
// the id is taken, and with ErrGroupBudget (registering nothing) when
// spec.Groups do not fit in Limits.TotalGroupBytes.
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
		grants:      spec.Grants,
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
	if c.grants == nil {
		c.grants, _ = permission.FromRoles(spec.Roles)
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
		if err := h.joinLocked(c, g, nil); errors.Is(err, ErrGroupBudget) {
			h.forgetLocked(c)
			return nil, err
		}
	}
	return c, nil
}

// forgetLocked undoes the registration of c, which was never established
// (no observer heard of it). h.mu must be held.
func (h *Hub) forgetLocked(c *Conn) {
	for g := range c.groups {
		h.leaveLocked(c, g)
	}
	delete(h.conns, c.id)
	if m := h.users[c.userID]; m != nil {
		delete(m, c.id)
		if len(m) == 0 {
			delete(h.users, c.userID)
		}
	}
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

// Grant gives c permission p on group (the REST API's GrantPermission). It
// fails with ErrGone if c was removed, and with
// permission.ErrTooManyLiterals when c records as many single groups as it
// may.
func (c *Conn) Grant(p permission.Permission, group string) error {
	if !c.registered() {
		return ErrGone
	}
	return c.grants.Grant(p, group)
}

// Revoke takes permission p on group from c (the REST API's
// RevokePermission): a connection that holds p for every group keeps it for
// the others. It fails as Grant does.
func (c *Conn) Revoke(p permission.Permission, group string) error {
	if !c.registered() {
		return ErrGone
	}
	return c.grants.Revoke(p, group)
}

// Permits reports whether c has permission p on group.
func (c *Conn) Permits(p permission.Permission, group string) bool {
	return c.grants.Allows(p, group)
}

// Allowed reports whether c may use role (RoleJoinLeaveGroup or
// RoleSendToGroup) on group, by its roles and the REST API's grants and
// revocations since (see package permission). Any other role is not
// allowed.
func (c *Conn) Allowed(role, group string) bool {
	p, ok := rolePermission(role)
	return ok && c.grants.Allows(p, group)
}

// registered reports whether c is still registered in its hub.
func (c *Conn) registered() bool {
	c.hub.mu.RLock()
	defer c.hub.mu.RUnlock()
	return c.hub.registered(c)
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
