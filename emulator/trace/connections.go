package trace

import (
	"sort"
	"time"
)

// This file keeps the connection table: a row per live connection, and the
// latest gone ones within Options.MaxGoneConnections and
// Options.MaxGoneBytes.

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
		if c != nil {
			r.dropRowLocked(k, c)
		}
		c = &Connection{
			Hub: ev.Hub, ConnectionID: ev.ConnectionID, UserID: ev.UserID, Subprotocol: ev.Subprotocol,
			Groups: sortedCopy(ev.Groups), State: StateConnected, Since: ev.Time,
		}
		r.conns[k] = c
		r.hubRefLocked(k.hub, 1)
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
		withGroup(c, ev.Group, ev.Kind == KindJoined)
	default:
		return nil
	}
	cp := *c
	cp.Groups = append([]string{}, c.Groups...)
	return &cp
}

// goneLocked marks c gone and forgets the oldest gone rows past the bounds.
func (r *Recorder) goneLocked(k connKey, c *Connection, at time.Time, reason string) {
	c.State, c.Since, c.Reason = StateGone, at, reason
	r.gone = append(r.gone, k)
	r.goneMem += connBytes(c)
	for len(r.gone) > 0 && (len(r.gone) > r.opts.MaxGoneConnections || r.goneMem > r.opts.MaxGoneBytes) {
		old := r.gone[0]
		r.gone = r.gone[1:]
		if oc := r.conns[old]; oc != nil && oc.State == StateGone {
			r.goneMem -= connBytes(oc)
			delete(r.conns, old)
			r.hubRefLocked(old.hub, -1)
		}
	}
	if len(r.gone) == 0 {
		r.gone = nil // let the backing array go
	}
}

// dropRowLocked removes the row of k before its id is used again.
func (r *Recorder) dropRowLocked(k connKey, c *Connection) {
	if c.State == StateGone {
		r.goneMem -= connBytes(c)
		for i, g := range r.gone {
			if g == k {
				r.gone = append(r.gone[:i], r.gone[i+1:]...)
				break
			}
		}
	}
	delete(r.conns, k)
	r.hubRefLocked(k.hub, -1)
}

// connectionsLocked returns a copy of the table, ordered by hub and id.
func (r *Recorder) connectionsLocked() []Connection {
	out := make([]Connection, 0, len(r.conns))
	for _, c := range r.conns {
		cp := *c
		cp.Groups = append([]string{}, c.Groups...)
		out = append(out, cp)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Hub != b.Hub {
			return a.Hub < b.Hub
		}
		return a.ConnectionID < b.ConnectionID
	})
	return out
}

func sortedCopy(list []string) []string {
	out := append([]string{}, list...)
	sort.Strings(out)
	return out
}

// withGroup adds g to (join) or removes it from c's sorted groups. Past
// MaxGroups a join is not listed and c.GroupsTruncated is set.
func withGroup(c *Connection, g string, join bool) {
	i := sort.SearchStrings(c.Groups, g)
	has := i < len(c.Groups) && c.Groups[i] == g
	switch {
	case join && !has && len(c.Groups) >= MaxGroups:
		c.GroupsTruncated = true
	case join && !has:
		c.Groups = append(c.Groups, "")
		copy(c.Groups[i+1:], c.Groups[i:])
		c.Groups[i] = g
	case !join && has:
		c.Groups = append(c.Groups[:i], c.Groups[i+1:]...)
	}
}
