package mqttlink

import (
	"context"
	"sync"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
)

// session is an MQTT session: the adapter's state of one core connection
// (core.Conn.Adapter), kept while the client is away (up to its expiry) and
// carried to the next network connection that resumes it. It is also the
// connection's core.Link while it has no socket (ConnSpec.Offline).
type session struct {
	a        *Adapter
	clientID string
	// id is the session id (ce-sessionId).
	id string
	// ctx ends when the session does: its user events are cancelled.
	ctx    context.Context
	cancel context.CancelFunc
	// events bounds the user events in flight (Limits.MaxInvocations).
	events chan struct{}
	conn   *core.Conn // set at registration, read-only afterwards

	mu   sync.Mutex // a leaf lock: taken with or without the core's
	link *link      // the socket; nil while the client is away
	gen  uint64     // counts the links the session was attached to
	v    mqtt.Version
	// subs mirror the options of the groups the client subscribed to (the
	// core's membership options), so that a delivery, made with the
	// core's locks held, can read them. A group joined otherwise (REST,
	// token, connect answer) has none: QoS 0, the documented default.
	subs map[string]subscription
	// serverQoS is the QoS of $webpubsub/server/messages: 1, or the QoS of
	// the client's subscription to it.
	serverQoS mqtt.QoS
	out       *mqtt.Outbound
	in        *mqtt.Inbound
	// pending are QoS 1 and 2 messages waiting for a slot of the client's
	// receive window or for the client to come back. With the messages in
	// flight they are bounded by Limits.MaxUnackedMessages and
	// MaxUnackedBytes: over either, the session ends (0x97).
	pending      []queued
	pendingBytes int
	// expiry is how long the session outlives its socket.
	expiry time.Duration
	// wills are the wills of the session's ended links waiting for their
	// delay (at most one per link that ended while the session lives).
	wills map[*pendingWill]struct{}
	gone  bool
}

// subscription is the option of a subscribed group (core.Hub.Join).
type subscription struct {
	qos     mqtt.QoS
	id      uint32 // subscription identifier (5.0); 0 = none
	noLocal bool   // 5.0: the client's own messages are not delivered back
}

// queued is a message waiting in the session.
type queued struct {
	p       *mqtt.Publish
	expires time.Time // zero: never
}

func newSession(a *Adapter, clientID, id string, v mqtt.Version) *session {
	ctx, cancel := context.WithCancel(a.base)
	return &session{
		a: a, clientID: clientID, id: id, ctx: ctx, cancel: cancel,
		events: make(chan struct{}, max(a.limits.MaxInvocations, 1)),
		v:      v, subs: make(map[string]subscription), serverQoS: mqtt.QoS1,
		out: mqtt.NewOutbound(v, 0), in: mqtt.NewInbound(v, 0),
		wills: make(map[*pendingWill]struct{}),
	}
}

// state returns the session of c, or nil if c is no MQTT connection.
func state(c *core.Conn) *session {
	if c == nil {
		return nil
	}
	s, _ := c.Adapter().(*session)
	return s
}

// isLink reports whether l is the session's socket.
func (s *session) isLink(l *link) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.link == l
}

// subscription returns the option of group.
func (s *session) subscription(group string) (subscription, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.subs[group]
	return sub, ok
}

// setSubscription records the option of group and returns the one it
// replaces.
func (s *session) setSubscription(group string, sub subscription) (subscription, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had := s.subs[group]
	s.subs[group] = sub
	return old, had
}

// forget drops the option of a group the connection left.
func (s *session) forget(group string) {
	s.mu.Lock()
	delete(s.subs, group)
	s.mu.Unlock()
}

// setServerQoS sets the QoS of $webpubsub/server/messages.
func (s *session) setServerQoS(q mqtt.QoS) {
	s.mu.Lock()
	s.serverQoS = q
	s.mu.Unlock()
}

// setExpiry sets how long the session outlives its socket.
func (s *session) setExpiry(d time.Duration) {
	s.mu.Lock()
	s.expiry = d
	s.mu.Unlock()
	s.conn.SetRecoveryWindow(d)
}

// Deliver implements core.Link for the session while it has no socket.
func (s *session) Deliver(m *core.Message, _ uint64) bool { return s.deliver(m, nil) }

// Close implements core.Link: the core never closes the offline link.
func (s *session) Close(core.CloseReason) {}

// Abort implements core.Link: the core never aborts the offline link.
func (s *session) Abort() {}

// Flush implements core.Link: the offline link keeps messages in the
// session; there is nothing to write.
func (s *session) Flush() {}

// sessionEnded runs when the session ends for good (ConnSpec.OnRemove): its
// waiting wills are published now (5.0 §3.1.3.2: at the latest when the
// session ends), its user events cancelled and its messages dropped.
func (a *Adapter) sessionEnded(c *core.Conn) {
	s := state(c)
	s.mu.Lock()
	s.gone = true
	wills := s.wills
	for p := range wills {
		p.timer.Stop()
	}
	s.wills = nil
	s.pending, s.pendingBytes = nil, 0
	s.mu.Unlock()
	s.cancel()
	for w := range wills {
		w.fire()
	}
}
