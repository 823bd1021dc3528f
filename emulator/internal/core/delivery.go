package core

// Reasons a connection is closed for going over a limit.
const (
	reasonSlowReader = "the client does not read its messages fast enough"
	reasonUnacked    = "too many unacknowledged messages"
)

// pending is a message a recoverable connection has not acknowledged yet.
type pending struct {
	seq  uint64
	msg  *Message
	size int
}

// Send is one message to deliver with Hub.Send.
type Send struct {
	Message *Message
	// From is the sending connection; nil for the server.
	From *Conn
	// Source ("rest", "upstream", "connection") and Target ("hub",
	// "group NAME", "user ID", "connection ID") describe the send for
	// observers.
	Source, Target string
	// To are the candidate recipients. Send takes the slice over.
	To []*Conn
	// Skip, if set, leaves out the candidates it reports true for.
	Skip func(*Conn) bool
}

// Send queues s.Message for each candidate not skipped and returns how
// many it was queued for. It never blocks on a socket: a recipient that
// cannot take the message is closed instead (see Link.Deliver).
func (h *Hub) Send(s *Send) int {
	n := 0
	for _, c := range s.To {
		if s.Skip != nil && s.Skip(c) {
			continue
		}
		if l := c.deliver(s.Message); l != nil {
			l.Flush()
		}
		s.To[n] = c
		n++
	}
	clear(s.To[n:])
	h.core.events.message(&Sent{Hub: h, From: s.From, Source: s.Source, Target: s.Target, Message: s.Message, Recipients: s.To[:n]})
	h.core.events.sync()
	return n
}

// deliver queues m for c: sequenced and kept for resending when c is
// recoverable, on its link if it has one. It returns the link m was queued
// on, for the caller to flush once it holds no lock; nil when none.
func (c *Conn) deliver(m *Message) Link {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone || c.failure != "" {
		return nil
	}
	if !c.recoverable || c.offline != nil {
		if c.link == nil && c.offline != nil {
			// The adapter keeps the messages of an absent client.
			if !c.offline.Deliver(m, 0) {
				c.failLocked(c.slowReason())
			}
			return nil
		}
		return c.queueLocked(m, 0)
	}
	size, err := c.size(m)
	if err != nil {
		return nil // the link logs what it cannot encode; nothing to resend
	}
	// The budget counts what the buffered message holds: its encoding for
	// this connection and its payload.
	unacked := c.hub.core.budgets.unacked
	if !unacked.Take(unackedKey{m, size}, size+len(m.Data.Data), c.bufBytes) {
		c.failLocked(reasonUnacked + ": " + unacked.Budget().Refusal())
		return nil
	}
	lim := &c.hub.core.limits
	c.seq++
	c.buf = append(c.buf, pending{seq: c.seq, msg: m, size: size})
	c.bufBytes += size
	if len(c.buf) > lim.MaxUnackedMessages || c.bufBytes > lim.MaxUnackedBytes {
		c.failLocked(reasonUnacked)
		return nil
	}
	return c.queueLocked(m, c.seq)
}

// queueLocked queues m with sequence id seq on c's link and returns the
// link; nil when c has none or the link refused (c is then closed). c.mu
// must be held.
func (c *Conn) queueLocked(m *Message, seq uint64) Link {
	if c.link == nil {
		return nil
	}
	if !c.link.Deliver(m, seq) {
		c.failLocked(c.slowReason())
		return nil
	}
	return c.link
}

// slowReason says why a link refused a frame: its own queue is over its
// limits, or the emulator-wide budget of queued bytes is exhausted.
func (c *Conn) slowReason() string {
	if q := c.hub.core.budgets.queue.Budget(); q.Exhausted() {
		return reasonSlowReader + ": " + q.Refusal()
	}
	return reasonSlowReader
}

// release gives back the budget of resend buffer entries ps, which leave
// the buffer.
func (c *Conn) release(ps []pending) {
	unacked := c.hub.core.budgets.unacked
	if unacked == nil {
		return
	}
	for _, p := range ps {
		unacked.Give(unackedKey{p.msg, p.size})
	}
}

// clearBufLocked empties the resend buffer. c.mu must be held.
func (c *Conn) clearBufLocked() {
	c.release(c.buf)
	c.buf, c.bufBytes = nil, 0
}

// Control runs queue with c's link while c is in service, with c's lock
// held, so that what it queues (an ack, a pong) is ordered with the
// connection's messages; the link is flushed after, with no lock held.
// queue must only queue; if it reports false (the link is over its
// limits), c is closed with CloseLimitExceeded. Nothing runs while c has no
// link or is closing.
func (c *Conn) Control(queue func(Link) bool) {
	c.mu.Lock()
	l := c.link
	if c.gone || c.failure != "" || l == nil {
		c.mu.Unlock()
		return
	}
	ok := queue(l)
	if !ok {
		c.failLocked(c.slowReason())
	}
	c.mu.Unlock()
	if ok {
		l.Flush()
	}
	c.hub.core.events.sync()
}

// AckUpTo drops every message up to seq from the resend buffer (a
// cumulative ack, as the WebSocket subprotocols send). An ack beyond the
// last sequence id sent is ignored and reports false: it cannot
// acknowledge anything, and honouring it would empty the buffer and defeat
// its limits.
func (c *Conn) AckUpTo(seq uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq > c.seq {
		return false
	}
	i := 0
	for i < len(c.buf) && c.buf[i].seq <= seq {
		i++
	}
	c.release(c.buf[:i])
	for j := range c.buf[:i] {
		c.bufBytes -= c.buf[j].size
		c.buf[j] = pending{}
	}
	if i > 0 {
		c.buf = append(c.buf[:0], c.buf[i:]...)
	}
	return true
}

// AckOne drops the message with sequence id seq from the resend buffer (a
// per-message ack, as MQTT's PUBACK). It reports false if no message with
// that id waits.
func (c *Conn) AckOne(seq uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.buf {
		if c.buf[i].seq == seq {
			c.release(c.buf[i : i+1])
			c.bufBytes -= c.buf[i].size
			last := len(c.buf) - 1
			copy(c.buf[i:], c.buf[i+1:])
			c.buf[last] = pending{}
			c.buf = c.buf[:last]
			return true
		}
		if c.buf[i].seq > seq {
			break
		}
	}
	return false
}

// Unacked returns how many messages and bytes wait for an ack.
func (c *Conn) Unacked() (messages, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.buf), c.bufBytes
}

// failLocked closes c for good because it went over a limit: its link is
// closed at once (the adapter then reports the link's end, which removes
// c); without a link c is removed in the background. c.mu must be held.
func (c *Conn) failLocked(reason string) {
	c.failure = reason
	c.clearBufLocked()
	c.hub.core.events.post(event{kind: evLimit, conn: c, text: reason})
	if c.link != nil {
		c.link.Close(CloseReason{Kind: CloseLimitExceeded, Text: reason, Final: true})
		return
	}
	c.hub.core.goFn(func() { c.Remove(CloseReason{Kind: CloseLimitExceeded, Text: reason, Final: true}) })
}
