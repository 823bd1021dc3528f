package emulator

import (
	"sort"
	"sync"
)

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

// add registers c and joins it to groups and to the groups its user belongs to.
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
			h.joinLocked(c, g)
		}
	}
	for _, g := range groups {
		h.joinLocked(c, g)
	}
}

// remove unregisters c and removes it from every group. It reports whether c
// was registered.
func (h *hub) remove(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conns[c.id] != c {
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
	for g := range c.groups {
		h.leaveLocked(c, g)
	}
	return true
}

// join adds c to group; it reports false if c is no longer registered.
func (h *hub) join(c *conn, group string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conns[c.id] != c {
		return false
	}
	h.joinLocked(c, group)
	return true
}

func (h *hub) joinLocked(c *conn, group string) {
	m := h.groups[group]
	if m == nil {
		m = make(map[string]*conn)
		h.groups[group] = m
	}
	if _, in := c.groups[group]; !in {
		h.e.traceGroup(c, group, true)
	}
	m[c.id] = c
	c.groups[group] = struct{}{}
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
func (h *hub) addUserToGroup(user, group string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.userGroups[user]
	if m == nil {
		m = make(map[string]struct{})
		h.userGroups[user] = m
	}
	m[group] = struct{}{}
	for _, c := range h.users[user] {
		h.joinLocked(c, group)
	}
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
