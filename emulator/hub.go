package emulator

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

// maxGroupsPerConnection is how many groups one connection can be in (and
// how many groups a user can be added to through the REST API). Joining one
// more fails: a client's joinGroup is acked with BadRequest, a REST call
// answers 400, a token that names more groups is refused at the handshake.
// The bound also keeps the removal of a connection short. (A variable so
// that tests can lower it.)
var maxGroupsPerConnection = 1000

// errTooManyGroups is the error of a join over maxGroupsPerConnection.
func errTooManyGroups() error {
	return fmt.Errorf("the connection is already in %d groups, the emulator's limit per connection: leave a group before joining another", maxGroupsPerConnection)
}

// errNotRegistered is the error of a join of a connection that was removed.
var errNotRegistered = errors.New("the connection was closed")

// removeChunk is how many groups a removal leaves per hold of the hub's
// write lock, so that other hub operations interleave with a long removal.
const removeChunk = 128

// hub holds the connections, groups, users and permissions of one hub.
// Lock order: hub.mu before conn.mu.
type hub struct {
	name string
	e    *Emulator

	mu     sync.RWMutex
	conns  map[string]*conn
	groups map[string]map[string]*conn // group -> connection id -> conn
	users  map[string]map[string]*conn // user id -> connection id -> conn
	// userGroups are the groups users were added to through the REST API;
	// connections of the user that arrive later join them too.
	userGroups map[string]map[string]struct{}
}

func newHub(e *Emulator, name string) *hub {
	return &hub{
		name:       name,
		e:          e,
		conns:      make(map[string]*conn),
		groups:     make(map[string]map[string]*conn),
		users:      make(map[string]map[string]*conn),
		userGroups: make(map[string]map[string]struct{}),
	}
}

// add registers c and joins it to groups and to the groups its user belongs
// to, up to maxGroupsPerConnection (the handshake refuses a token with more
// groups, see serveClient).
func (h *hub) add(c *conn, groups []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.conns[c.id] = c
	if c.userID != "" {
		m := h.users[c.userID]
		if m == nil {
			m = make(map[string]*conn)
			h.users[c.userID] = m
		}
		m[c.id] = c
		for g := range h.userGroups[c.userID] {
			_ = h.joinLocked(c, g)
		}
	}
	for _, g := range groups {
		_ = h.joinLocked(c, g)
	}
}

// remove unregisters c and removes it from every group. It reports whether c
// was registered. The groups are left removeChunk at a time, releasing the
// hub's lock in between; once unregistered, c can join no group again.
func (h *hub) remove(c *conn) bool {
	h.mu.Lock()
	if h.conns[c.id] != c {
		h.mu.Unlock()
		return false
	}
	delete(h.conns, c.id)
	if c.userID != "" {
		if m := h.users[c.userID]; m != nil {
			delete(m, c.id)
			if len(m) == 0 {
				delete(h.users, c.userID)
			}
		}
	}
	for {
		n := 0
		for g := range c.groups {
			h.leaveLocked(c, g)
			if n++; n == removeChunk {
				break
			}
		}
		if len(c.groups) == 0 {
			h.mu.Unlock()
			return true
		}
		h.mu.Unlock()
		h.mu.Lock()
	}
}

// join adds c to group. It fails with errNotRegistered if c was removed and
// with errTooManyGroups if c is in maxGroupsPerConnection groups already.
func (h *hub) join(c *conn, group string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conns[c.id] != c {
		return errNotRegistered
	}
	return h.joinLocked(c, group)
}

// joinLocked adds c to group unless that would put it over
// maxGroupsPerConnection. h.mu must be held.
func (h *hub) joinLocked(c *conn, group string) error {
	if _, ok := c.groups[group]; ok {
		return nil
	}
	if len(c.groups) >= maxGroupsPerConnection {
		return errTooManyGroups()
	}
	m := h.groups[group]
	if m == nil {
		m = make(map[string]*conn)
		h.groups[group] = m
	}
	if _, in := c.groups[group]; !in {
		h.e.traceGroup(c, group, true)
		h.groupChanged(c, group, true)
	}
	m[c.id] = c
	c.groups[group] = struct{}{}
	return nil
}

// leave removes c from group.
func (h *hub) leave(c *conn, group string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.leaveLocked(c, group)
}

func (h *hub) leaveLocked(c *conn, group string) {
	if m := h.groups[group]; m != nil {
		delete(m, c.id)
		if len(m) == 0 {
			delete(h.groups, group)
		}
	}
	if _, in := c.groups[group]; in {
		h.e.traceGroup(c, group, false)
		h.groupChanged(c, group, false)
	}
	delete(c.groups, group)
}

// leaveAll removes c from every group.
func (h *hub) leaveAll(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for g := range c.groups {
		h.leaveLocked(c, g)
	}
}

// addUserToGroup adds user (its current and future connections) to group.
// It fails with errTooManyGroups if the user was added to
// maxGroupsPerConnection groups already; a connection of the user that is in
// that many groups already does not join (it returns how many did not).
func (h *hub) addUserToGroup(user, group string) (skipped int, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.userGroups[user]
	if _, ok := m[group]; !ok && len(m) >= maxGroupsPerConnection {
		return 0, fmt.Errorf("the user was already added to %d groups, the emulator's limit: remove the user from a group first", maxGroupsPerConnection)
	}
	if m == nil {
		m = make(map[string]struct{})
		h.userGroups[user] = m
	}
	m[group] = struct{}{}
	for _, c := range h.users[user] {
		if h.joinLocked(c, group) != nil {
			skipped++
		}
	}
	return skipped, nil
}

// removeUserFromGroup removes user (its current and future connections) from group.
func (h *hub) removeUserFromGroup(user, group string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if m := h.userGroups[user]; m != nil {
		delete(m, group)
		if len(m) == 0 {
			delete(h.userGroups, user)
		}
	}
	for _, c := range h.users[user] {
		h.leaveLocked(c, group)
	}
}

// removeUserFromAllGroups removes user (its current and future connections)
// from every group.
func (h *hub) removeUserFromAllGroups(user string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.userGroups, user)
	for _, c := range h.users[user] {
		for g := range c.groups {
			h.leaveLocked(c, g)
		}
	}
}

// connection returns the connection with id or nil.
func (h *hub) connection(id string) *conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.conns[id]
}

// all returns every connection.
func (h *hub) all() []*conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]*conn, 0, len(h.conns))
	for _, c := range h.conns {
		out = append(out, c)
	}
	return out
}

// group returns the connections in group.
func (h *hub) group(group string) []*conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	m := h.groups[group]
	out := make([]*conn, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	return out
}

// groupSorted returns the connections in group ordered by connection id.
func (h *hub) groupSorted(group string) []*conn {
	out := h.group(group)
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// user returns the connections of user.
func (h *hub) user(user string) []*conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	m := h.users[user]
	out := make([]*conn, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	return out
}

// hasGroup reports whether group has at least one connection.
func (h *hub) hasGroup(group string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.groups[group]) > 0
}

// hasUser reports whether user has at least one connection.
func (h *hub) hasUser(user string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.users[user]) > 0
}

// groupsOf returns the groups c is in.
func (h *hub) groupsOf(c *conn) []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]string, 0, len(c.groups))
	for g := range c.groups {
		out = append(out, g)
	}
	return out
}

// grant gives c the role (a plain role or one scoped with ".group"). It
// reports false if c is no longer registered.
func (h *hub) grant(c *conn, role string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conns[c.id] != c {
		return false
	}
	c.roles[role] = struct{}{}
	return true
}

// revoke takes role from c.
func (h *hub) revoke(c *conn, role string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(c.roles, role)
}

// hasRole reports whether c holds role exactly.
func (h *hub) hasRole(c *conn, role string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	_, ok := c.roles[role]
	return ok
}

// allowed reports whether c may use permission role on group: it holds the
// plain role or the role scoped to group.
func (h *hub) allowed(c *conn, role, group string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if _, ok := c.roles[role]; ok {
		return true
	}
	_, ok := c.roles[role+"."+group]
	return ok
}

// abandon forgets every connection and drops their transports abruptly
// without calling hooks (used by Reset and Close).
func (h *hub) abandon() {
	h.mu.Lock()
	conns := h.conns
	h.conns = make(map[string]*conn)
	h.groups = make(map[string]map[string]*conn)
	h.users = make(map[string]map[string]*conn)
	h.userGroups = make(map[string]map[string]struct{})
	h.mu.Unlock()
	for _, c := range conns {
		c.abandon()
	}
}
