package mqttlink

import (
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Extras the adapter puts in core.Message.Extra.
type (
	// published marks a message an MQTT client published: its QoS (the
	// most a subscriber gets) and the properties forwarded unchanged to
	// 5.0 subscribers (5.0 §3.3.2.3).
	published struct {
		qos   mqtt.QoS
		props mqtt.Properties
	}
	// eventAnswer is the upstream's answer to a user event, for the one
	// client that sent it: its topic, QoS and properties.
	eventAnswer struct {
		topic string
		qos   mqtt.QoS
		props mqtt.Properties
	}
)

// deliver hands m to the session, on its socket l (nil: the client is
// away). It runs with the core's connection lock held and only stages (the
// core flushes l after).
//   - QoS: a client's message at its QoS, other messages at QoS 1 (the
//     reference: "published at QoS 1"), each lowered to the QoS the client
//     subscribed with (0 for a group joined otherwise); REST sends to all,
//     a user or a connection go to $webpubsub/server/messages at QoS 1 or
//     the QoS of a subscription to it;
//   - QoS 0 is sent at once, or dropped while the client is away (MQTT
//     allows either; the service's choice is not documented);
//   - QoS 1 and 2 go out within the client's receive window and wait in the
//     session beyond it and while the client is away. It reports false when
//     they are over the session's bounds: the core then ends the session.
func (s *session) deliver(m *core.Message, l *link) bool {
	now := time.Now()
	if m.Expired(now) {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone {
		return true
	}
	if l != nil && s.link != l {
		l = nil // a socket being replaced: the session keeps the message
	}
	p := s.publishFor(m, now)
	if p.QoS == mqtt.QoS0 {
		if l == nil {
			return true
		}
		return l.stageShared(m, p)
	}
	if l != nil && len(s.pending) == 0 && s.out.Send(p) == nil {
		return l.stage(p)
	}
	return s.keepLocked(queued{p: p, expires: m.Expires})
}

// publishFor returns the PUBLISH carrying m to this session's client.
// s.mu must be held.
func (s *session) publishFor(m *core.Message, now time.Time) *mqtt.Publish {
	p := &mqtt.Publish{QoS: mqtt.QoS1, Payload: m.Data.Data}
	switch x := m.Extra.(type) {
	case *eventAnswer:
		p.Topic, p.QoS, p.Properties = x.topic, x.qos, x.props
	case *published:
		p.Topic, p.Properties = m.Group, x.props
		s.applySubscription(p, min(x.qos, mqtt.QoS2))
	default:
		p.Properties.ContentType = mqtt.ContentTypeOf(protocolType(m.Data.Type))
		if m.Origin == core.FromServer && m.Group == "" {
			p.Topic, p.QoS = mqtt.ServerMessagesTopic, min(mqtt.QoS1, s.serverQoS)
		} else {
			p.Topic = m.Group
			s.applySubscription(p, mqtt.QoS1)
		}
	}
	if !m.Expires.IsZero() {
		left := uint32((m.Expires.Sub(now) + time.Second - 1) / time.Second)
		p.Properties.MessageExpiryInterval = &left
	}
	return p
}

// applySubscription lowers p's QoS from pub to the subscription's and adds
// its subscription identifier. s.mu must be held.
func (s *session) applySubscription(p *mqtt.Publish, pub mqtt.QoS) {
	sub := s.subs[p.Topic]
	p.QoS = min(pub, sub.qos)
	if sub.id != 0 {
		p.Properties.SubscriptionIdentifiers = []uint32{sub.id}
	}
}

// keepLocked queues q in the session, within its bounds. s.mu must be
// held.
func (s *session) keepLocked(q queued) bool {
	lim := &s.a.limits
	if s.out.Len()+len(s.pending) >= lim.MaxUnackedMessages || s.pendingBytes+len(q.p.Payload) > lim.MaxUnackedBytes {
		return false
	}
	s.pending = append(s.pending, q)
	s.pendingBytes += len(q.p.Payload)
	return true
}

// drainLocked sends the waiting messages that fit the client's receive
// window on l, dropping those that expired (5.0 §3.3.2.3.3). It reports
// false when l's socket is over its limits. s.mu must be held.
func (s *session) drainLocked(l *link) bool {
	now := time.Now()
	n := 0
	defer func() {
		clear(s.pending[:n])
		s.pending = s.pending[n:]
	}()
	for ; n < len(s.pending); n++ {
		q := s.pending[n]
		if !q.expires.IsZero() {
			if !now.Before(q.expires) {
				s.pendingBytes -= len(q.p.Payload)
				continue
			}
			left := uint32((q.expires.Sub(now) + time.Second - 1) / time.Second)
			q.p.Properties.MessageExpiryInterval = &left
		}
		if s.out.Send(q.p) != nil {
			return true
		}
		s.pendingBytes -= len(q.p.Payload)
		if !l.queue(q.p) {
			n++
			return false
		}
	}
	return true
}

// attach makes l the session's socket (a new session, or a resumed one
// when resumed) and queues what its client gets first: the CONNACK, then,
// for a resumed session, every QoS 1 and 2 message in flight again (DUP
// set, 5.0 §4.4), and the messages that waited. It may run with the core's
// connection lock held (core.Conn.Takeover's greet).
func (s *session) attach(l *link, connack *mqtt.Connack, resumed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.link = l
	s.gen++
	l.gen = s.gen
	s.v = l.v
	s.out.Reconnected(l.v, l.recvMax)
	s.in.Reconnected(l.v)
	l.queue(connack)
	l.tracePacket(connack, false, connack.ReasonCode)
	if resumed {
		s.cancelWillsLocked()
		for _, p := range s.out.Resend() {
			l.queue(p)
		}
	}
	s.drainLocked(l)
}

// acked applies the client's PUBACK, PUBREC or PUBCOMP: the PUBREL of a
// PUBREC goes back, and a completed message frees a slot of the window for
// a waiting one.
func (l *link) acked(a *mqtt.Ack) {
	s := l.sess
	var refused *mqtt.Refusal
	l.c().Control(func(cl core.Link) bool {
		if cl != core.Link(l) {
			return true
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		reply, completed, r := s.out.Ack(a)
		if r != nil {
			refused = r
			return true
		}
		if reply != nil && !l.queue(reply) {
			return false
		}
		return !completed || s.drainLocked(l)
	})
	if refused != nil {
		l.protocolError(refused)
	}
}

// protocolError ends the link for a packet a rule refused.
func (l *link) protocolError(r *mqtt.Refusal) {
	l.a.log.Warn("emulator: mqtt client broke a protocol rule; closing", "hub", l.hub, "clientId", l.clientID(), "reason", r.Error())
	l.serverDisconnect(r.Code, "")
}

// protocolType converts a core data type to the protocol's.
func protocolType(t core.DataType) protocol.DataType { return protocol.DataType(t) }
