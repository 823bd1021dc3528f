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
		c.deliver(s.Message)
		s.To[n] = c
		n++
	}
	clear(s.To[n:])
	h.core.events.message(&Sent{Hub: h, From: s.From, Source: s.Source, Target: s.Target, Message: s.Message, Recipients: s.To[:n]})
	h.core.events.sync()
	return n
}

// deliver queues m for c: sequenced and kept for resending when c is
// recoverable, on its link if it has one.
func (c *Conn) deliver(m *Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone || c.failure != "" {
		return
	}
	if !c.recoverable || c.offline != nil {
		l := c.link
		if l == nil {
			l = c.offline // nil unless the adapter keeps the messages
		}
		if l != nil && !l.Deliver(m, 0) {
			c.failLocked(reasonSlowReader)
		}
		return
	}
	size, err := c.size(m)
	if err != nil {
		return // the link logs what it cannot encode; nothing to resend
	}
	lim := &c.hub.core.limits
	c.seq++
	c.buf = append(c.buf, pending{seq: c.seq, msg: m, size: size})
	c.bufBytes += size
	if len(c.buf) > lim.MaxUnackedMessages || c.bufBytes > lim.MaxUnackedBytes {
		c.failLocked(reasonUnacked)
		return
	}
	if c.link != nil && !c.link.Deliver(m, c.seq) {
		c.failLocked(reasonSlowReader)
	}
}

// Control runs queue with c's link while c is in service, with c's lock
// held, so that what it queues (an ack, a pong) is ordered with the
// connection's messages. queue must only queue; if it reports false (the
// link is over its limits), c is closed with CloseLimitExceeded. Nothing
// runs while c has no link or is closing.
func (c *Conn) Control(queue func(Link) bool) {
	c.mu.Lock()
	if c.gone || c.failure != "" || c.link == nil {
		c.mu.Unlock()
		return
	}
	if !queue(c.link) {
		c.failLocked(reasonSlowReader)
	}
	c.mu.Unlock()
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
		c.bufBytes -= c.buf[i].size
		c.buf[i] = pending{}
		i++
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
	c.buf, c.bufBytes = nil, 0
	c.hub.core.events.post(event{kind: evLimit, conn: c, text: reason})
	if c.link != nil {
		c.link.Close(CloseReason{Kind: CloseLimitExceeded, Text: reason, Final: true})
		return
	}
	c.hub.core.goFn(func() { c.Remove(CloseReason{Kind: CloseLimitExceeded, Text: reason, Final: true}) })
}
