package core

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

// removeChunk is how many groups a removal leaves per hold of the hub's
// lock, so that other hub operations interleave with a long removal.
const removeChunk = 128

// Hub holds the connections, groups, users and permissions of one hub.
type Hub struct {
	core *Core
	name string

	mu     sync.RWMutex
	dead   bool             // abandoned by Reset or Close
	conns  map[string]*Conn // by connection id
	groups map[string]map[string]*Conn
	users  map[string]map[string]*Conn
	// userGroups are the groups users were added to through the REST API;
	// connections of the user that arrive later join them too.
	userGroups map[string]map[string]struct{}
}

func newHub(k *Core, name string) *Hub {
	return &Hub{
		core:       k,
		name:       name,
		conns:      make(map[string]*Conn),
		groups:     make(map[string]map[string]*Conn),
		users:      make(map[string]map[string]*Conn),
		userGroups: make(map[string]map[string]struct{}),
	}
}

// Name returns the hub's name.
func (h *Hub) Name() string { return h.name }

// Core returns the core the hub belongs to.
func (h *Hub) Core() *Core { return h.core }

// registered reports whether c is the hub's connection with its id. h.mu
// must be held.
func (h *Hub) registered(c *Conn) bool { return h.conns[c.id] == c }

// Conn returns the connection with id, or nil.
func (h *Hub) Conn(id string) *Conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.conns[id]
}

// Conns returns every connection, in no order.
func (h *Hub) Conns() []*Conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]*Conn, 0, len(h.conns))
	for _, c := range h.conns {
		out = append(out, c)
	}
	return out
}

// Group returns the connections in group, in no order.
func (h *Hub) Group(group string) []*Conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return values(h.groups[group])
}

// User returns the connections of user, in no order.
func (h *Hub) User(user string) []*Conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return values(h.users[user])
}

func values(m map[string]*Conn) []*Conn {
	out := make([]*Conn, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	return out
}

// HasGroup reports whether group has at least one connection.
func (h *Hub) HasGroup(group string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.groups[group]) > 0
}

// HasUser reports whether user has at least one connection.
func (h *Hub) HasUser(user string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.users[user]) > 0
}

// Join adds c to group with opt, an option of the adapter's for this
// membership (such as an MQTT subscription's QoS; nil for none). Joining a
// group c is in already changes nothing, except that a non-nil opt
// replaces the option. It fails with ErrGone if c was
// removed, with ErrTooManyGroups if c is in Limits.MaxGroupsPerConnection
// groups already or their names would take more than
// Limits.MaxGroupBytesPerConnection, and with ErrGroupBudget when the
// memberships of all connections take Limits.TotalGroupBytes.
func (h *Hub) Join(c *Conn, group string, opt any) error {
	h.mu.Lock()
	if !h.registered(c) {
		h.mu.Unlock()
		return ErrGone
	}
	err := h.joinLocked(c, group, opt)
	h.mu.Unlock()
	h.core.events.sync()
	return err
}

// ErrTooManyGroups is the error of a join over a per-connection group
// limit: Limit groups (Limits.MaxGroupsPerConnection), or, when Bytes is
// set, Bytes bytes of group names (Limits.MaxGroupBytesPerConnection).
type ErrTooManyGroups struct{ Limit, Bytes int }

// Error implements error.
func (e *ErrTooManyGroups) Error() string {
	if e.Bytes > 0 {
		return fmt.Sprintf("the names of the connection's groups would take more than %d bytes, the emulator's limit per connection: leave a group before joining another", e.Bytes)
	}
	return fmt.Sprintf("the connection is already in %d groups, the emulator's limit per connection: leave a group before joining another", e.Limit)
}

// ErrGroupBudget is the error of a join refused because the group
// memberships of all connections take Limits.TotalGroupBytes.
var ErrGroupBudget = errors.New("the emulator's budget for group memberships across all connections is exhausted (emulator.Options.Budgets.GroupBytes): leave groups or close connections first")

// membershipCost is what a membership of group counts against
// Limits.TotalGroupBytes.
func membershipCost(group string) int { return len(group) + MembershipOverhead }

// CheckGroups reports whether a connection may be in groups (a token's or
// an upstream's list, before the connection exists): at most
// Limits.MaxGroupsPerConnection distinct groups whose names take at most
// Limits.MaxGroupBytesPerConnection bytes.
func (l Limits) CheckGroups(groups []string) error {
	seen := make(map[string]struct{}, len(groups))
	bytes := 0
	for _, g := range groups {
		if _, ok := seen[g]; ok {
			continue
		}
		seen[g] = struct{}{}
		bytes += len(g)
	}
	if len(seen) > l.MaxGroupsPerConnection {
		return fmt.Errorf("the connection would join %d groups; the emulator's limit per connection is %d", len(seen), l.MaxGroupsPerConnection)
	}
	if max := l.MaxGroupBytesPerConnection; max > 0 && bytes > max {
		return fmt.Errorf("the names of the connection's %d groups take %d bytes; the emulator's limit per connection is %d bytes", len(seen), bytes, max)
	}
	return nil
}

// joinLocked adds c to group unless that would put it over a limit.
// h.mu must be held.
func (h *Hub) joinLocked(c *Conn, group string, opt any) error {
	if _, in := c.groups[group]; in {
		if opt != nil {
			c.groups[group] = opt
		}
		return nil
	}
	lim := &h.core.limits
	if len(c.groups) >= lim.MaxGroupsPerConnection {
		return &ErrTooManyGroups{Limit: lim.MaxGroupsPerConnection}
	}
	if max := lim.MaxGroupBytesPerConnection; max > 0 && c.groupBytes+len(group) > max {
		return &ErrTooManyGroups{Limit: lim.MaxGroupsPerConnection, Bytes: max}
	}
	if !h.core.budgets.groups.Take(membershipCost(group), 0) {
		return ErrGroupBudget
	}
	c.groupBytes += len(group)
	m := h.groups[group]
	if m == nil {
		m = make(map[string]*Conn)
		h.groups[group] = m
	}
	m[c.id] = c
	c.groups[group] = opt
	if c.established {
		h.core.events.post(event{kind: evJoined, conn: c, text: group})
	}
	return nil
}

// Leave removes c from group.
func (h *Hub) Leave(c *Conn, group string) {
	h.mu.Lock()
	h.leaveLocked(c, group)
	h.mu.Unlock()
	h.core.events.sync()
}

// LeaveAll removes c from every group.
func (h *Hub) LeaveAll(c *Conn) {
	h.mu.Lock()
	for g := range c.groups {
		h.leaveLocked(c, g)
	}
	h.mu.Unlock()
	h.core.events.sync()
}

// leaveLocked removes c from group; observers hear of it unless c is being
// removed. h.mu must be held.
func (h *Hub) leaveLocked(c *Conn, group string) {
	if _, in := c.groups[group]; !in {
		return
	}
	delete(c.groups, group)
	c.groupBytes -= len(group)
	h.core.budgets.groups.Give(membershipCost(group))
	if m := h.groups[group]; m != nil {
		delete(m, c.id)
		if len(m) == 0 {
			delete(h.groups, group)
		}
	}
	if c.established && h.registered(c) {
		h.core.events.post(event{kind: evLeft, conn: c, text: group})
	}
}

// AddUserToGroup adds user (its current and future connections) to group.
// It fails if the user was added to Limits.MaxGroupsPerConnection groups
// already, or to groups whose names take Limits.MaxGroupBytesPerConnection;
// it returns how many of the user's connections did not join because they
// are over a limit.
func (h *Hub) AddUserToGroup(user, group string) (skipped int, err error) {
	h.mu.Lock()
	m := h.userGroups[user]
	if _, ok := m[group]; !ok {
		if err := h.userGroupsFull(m, group); err != nil {
			h.mu.Unlock()
			return 0, err
		}
	}
	if m == nil {
		m = make(map[string]struct{})
		h.userGroups[user] = m
	}
	m[group] = struct{}{}
	for _, c := range h.users[user] {
		if h.joinLocked(c, group, nil) != nil {
			skipped++
		}
	}
	h.mu.Unlock()
	h.core.events.sync()
	return skipped, nil
}

// RemoveUserFromGroup removes user (its current and future connections)
// from group.
func (h *Hub) RemoveUserFromGroup(user, group string) {
	h.mu.Lock()
	if m := h.userGroups[user]; m != nil {
		delete(m, group)
		if len(m) == 0 {
			delete(h.userGroups, user)
		}
	}
	for _, c := range h.users[user] {
		h.leaveLocked(c, group)
	}
	h.mu.Unlock()
	h.core.events.sync()
}

// RemoveUserFromAllGroups removes user (its current and future
// connections) from every group.
func (h *Hub) RemoveUserFromAllGroups(user string) {
	h.mu.Lock()
	delete(h.userGroups, user)
	for _, c := range h.users[user] {
		for g := range c.groups {
			h.leaveLocked(c, g)
		}
	}
	h.mu.Unlock()
	h.core.events.sync()
}

// sortedGroups returns c's groups, sorted. h.mu must be held.
func sortedGroups(c *Conn) []string {
	out := make([]string, 0, len(c.groups))
	for g := range c.groups {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

// abandon forgets every connection and aborts their sockets, without
// telling the observers (Reset and Close).
func (h *Hub) abandon() {
	h.mu.Lock()
	h.dead = true
	for _, c := range h.conns {
		for g := range c.groups {
			h.core.budgets.groups.Give(membershipCost(g))
		}
		c.groups, c.groupBytes = map[string]any{}, 0
	}
	conns := h.conns
	h.conns = make(map[string]*Conn)
	h.groups = make(map[string]map[string]*Conn)
	h.users = make(map[string]map[string]*Conn)
	h.userGroups = make(map[string]map[string]struct{})
	h.mu.Unlock()
	for _, c := range conns {
		c.abandon()
	}
}

// userGroupsFull reports whether a user added to the groups of m may not
// be added to group too (the per-connection limits apply to users). h.mu
// must be held.
func (h *Hub) userGroupsFull(m map[string]struct{}, group string) error {
	lim := &h.core.limits
	if len(m) >= lim.MaxGroupsPerConnection {
		return fmt.Errorf("the user was already added to %d groups, the emulator's limit: remove the user from a group first", lim.MaxGroupsPerConnection)
	}
	bytes := len(group)
	for g := range m {
		bytes += len(g)
	}
	if max := lim.MaxGroupBytesPerConnection; max > 0 && bytes > max {
		return fmt.Errorf("the names of the groups the user was added to would take more than %d bytes, the emulator's limit: remove the user from a group first", max)
	}
	return nil
}
