package core

import "time"

// Reasons a connection ends without a close from the service.
const (
	ReasonClientClosed = "the client closed the connection"
	ReasonLost         = "the connection was lost"
	ReasonNotRecovered = "the connection was not recovered in time"
)

// Establish marks c established once its handshake succeeded: observers
// hear OnConnected with the groups c is in, and every later membership
// change. It reports false if c was removed meanwhile (or the hub reset).
func (c *Conn) Establish() bool {
	h := c.hub
	h.mu.Lock()
	if !h.registered(c) || c.established {
		h.mu.Unlock()
		return false
	}
	c.established = true
	h.core.events.post(event{kind: evConnected, conn: c, groups: sortedGroups(c)})
	h.mu.Unlock()
	h.core.events.sync()
	return true
}

// Serves reports whether l is the link of a connection still in service:
// frames read from it may take effect.
func (c *Conn) Serves(l Link) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.gone && c.failure == "" && c.link == l
}

// LinkEnded tells the core that socket l of c ended, closed by the client
// (clientClosed) or lost. A recoverable connection that lost its socket
// waits for Recover within its recovery window; any other is removed. An
// l that is not c's link any more (replaced by a recovery) changes nothing.
func (c *Conn) LinkEnded(l Link, clientClosed bool) {
	c.mu.Lock()
	if c.link != l {
		c.mu.Unlock()
		return
	}
	c.link = nil
	if c.gone {
		c.mu.Unlock()
		return
	}
	if c.failure == "" && c.recoverable && !clientClosed && c.window > 0 {
		c.dropGen++
		gen := c.dropGen
		c.timer = time.AfterFunc(c.window, func() {
			c.hub.core.goFn(func() { c.expire(gen) })
		})
		c.hub.core.events.post(event{kind: evDropped, conn: c})
		c.mu.Unlock()
		c.hub.core.events.sync()
		return
	}
	reason := c.failure
	c.mu.Unlock()
	switch {
	case reason != "":
	case clientClosed:
		reason = ReasonClientClosed
	default:
		reason = ReasonLost
	}
	c.Remove(CloseReason{Kind: CloseNormal, Text: reason, Final: true})
}

// expire removes c if it still waits for recovery after drop number gen.
func (c *Conn) expire(gen uint64) {
	c.mu.Lock()
	waiting := !c.gone && c.link == nil && c.dropGen == gen
	c.mu.Unlock()
	if waiting {
		c.Remove(CloseReason{Kind: CloseNormal, Text: ReasonNotRecovered, Final: true})
	}
}

// Recover makes l the link of recoverable c. It first lets greet queue
// what the wire sends a recovered client first, then queues every
// unacknowledged message that has not expired, in order; live messages
// follow; l is flushed once c's lock is released. The previous link, if
// any, is aborted. It reports false if c cannot be recovered (removed, or
// over a limit).
func (c *Conn) Recover(l Link, greet func(Link)) bool {
	return c.recoverWith(l, greet, func(old Link) { old.Abort() })
}

// Takeover is Recover for a client that comes back while its previous
// socket may still be alive (an MQTT client connecting again with the same
// client id): that socket is closed with r, after what was queued on it,
// instead of being aborted, so that the wire can tell its client why
// (r.Kind is usually CloseTakenOver; r.Final is cleared).
func (c *Conn) Takeover(l Link, greet func(Link), r CloseReason) bool {
	r.Final = false
	return c.recoverWith(l, greet, func(old Link) { old.Close(r) })
}

// SetRecoveryWindow sets how long c waits to be recovered once it lost its
// socket, from its next drop on; 0 means that c ends with its socket (an
// MQTT session whose expiry interval is 0). It changes nothing for a
// connection that is not recoverable.
func (c *Conn) SetRecoveryWindow(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.window = max(d, 0)
}

// recoverWith is Recover with a way to end the previous link.
func (c *Conn) recoverWith(l Link, greet func(Link), endOld func(Link)) bool {
	c.mu.Lock()
	if c.gone || c.failure != "" || !c.recoverable {
		c.mu.Unlock()
		return false
	}
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	old := c.link
	greet(l)
	now := time.Now()
	kept := c.buf[:0]
	bytes := 0
	for _, p := range c.buf {
		if p.msg.Expired(now) {
			c.release([]pending{p})
			continue
		}
		kept = append(kept, p)
		bytes += p.size
		l.Deliver(p.msg, p.seq)
	}
	clear(c.buf[len(kept):])
	c.buf, c.bufBytes = kept, bytes
	c.link = l
	if old != nil {
		endOld(old)
	}
	c.hub.core.events.post(event{kind: evRecovered, conn: c})
	c.mu.Unlock()
	l.Flush()
	c.hub.core.events.sync()
	return true
}

// Drop aborts c's socket as a network failure would; a recoverable c can
// then be recovered. It reports whether c had a socket.
func (c *Conn) Drop() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.link == nil {
		return false
	}
	c.link.Abort()
	return true
}

// CloseLink closes c's socket with r but keeps c: a recoverable client may
// recover it. It reports whether c had a socket.
func (c *Conn) CloseLink(r CloseReason) bool {
	r.Final = false
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.link == nil || c.gone {
		return false
	}
	c.link.Close(r)
	return true
}

// Remove removes c for good: it leaves every group (without OnLeft), its
// socket is closed with r (r.Final is set), ConnSpec.OnRemove runs and
// observers hear OnRemoved with r.Text. It reports false if c was removed
// already.
func (c *Conn) Remove(r CloseReason) bool {
	r.Final = true
	c.mu.Lock()
	if c.gone {
		c.mu.Unlock()
		return false
	}
	c.gone = true
	c.clearBufLocked()
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	if c.link != nil {
		c.link.Close(r)
	}
	c.mu.Unlock()
	c.hub.unregister(c)
	if c.onRemove != nil {
		c.onRemove(c)
	}
	c.hub.core.events.post(event{kind: evRemoved, conn: c, text: r.Text})
	c.hub.core.events.sync()
	return true
}

// unregister removes c from the hub's tables and from every group, leaving
// removeChunk groups per hold of the lock. Once unregistered, c can join no
// group again.
func (h *Hub) unregister(c *Conn) {
	h.mu.Lock()
	if !h.registered(c) {
		h.mu.Unlock()
		return
	}
	delete(h.conns, c.id)
	if m := h.users[c.userID]; m != nil {
		delete(m, c.id)
		if len(m) == 0 {
			delete(h.users, c.userID)
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
			return
		}
		h.mu.Unlock()
		h.mu.Lock()
	}
}

// Discard forgets c, which was never established (its handshake failed),
// without telling anyone, and aborts its socket.
func (c *Conn) Discard() {
	c.abandon()
	c.hub.unregister(c)
}

// abandon forgets c without telling anyone and aborts its socket (Reset,
// Close).
func (c *Conn) abandon() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gone = true
	c.clearBufLocked()
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	if c.link != nil {
		c.link.Abort()
	}
}
