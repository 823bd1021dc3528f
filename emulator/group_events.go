package emulator

import (
	"sort"

	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// Group presence events (azure.webpubsub.gp.joined / gp.left) go to the
// upstream handlers whose settings ask for them (groupPresenceEvents), when a
// connection joins or leaves a group by any route: its own joinGroup and
// leaveGroup, the REST API (by connection, user or filter), its token's
// groups and the connect answer's groups. The groups a connection is in when
// it becomes established are reported right after its connected event. A
// connection that closes leaves its groups without gp.left events: its
// disconnected event says it (the service's behaviour there is not
// documented; this is the emulator's choice).

// groupChanged reports that c joined or left group. h.mu is held; the event
// is sent asynchronously. Before c is established (no session yet) nothing is
// sent: onConnected reports the groups c is in then. While c is being removed
// (no longer registered) nothing is sent either.
func (h *hub) groupChanged(c *conn, group string, joined bool) {
	if h.conns[c.id] != c {
		return
	}
	s := c.hooks.get()
	if s == nil {
		return
	}
	if joined {
		s.GroupJoined(group)
	} else {
		s.GroupLeft(group)
	}
}

// setSessionAndGroups attaches s to c and returns the groups c is in, as one
// step under the hub's lock, so that every later change is reported by
// groupChanged and every earlier one by the caller.
func (h *hub) setSessionAndGroups(c *conn, s *upstream.Session) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	c.hooks.set(s)
	groups := make([]string, 0, len(c.groups))
	for g := range c.groups {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	return groups
}
