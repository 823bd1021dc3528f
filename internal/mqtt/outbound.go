package mqtt

import "errors"

// Bounds of the messages a broker has sent to one client at QoS 1 or 2 and
// not yet seen completed (kept with the session, so also while the client
// is away).
const (
	// DefaultMaxOutboundInflight bounds their count. A 5.0 client's
	// Receive Maximum lowers it (5.0 §4.9); 3.1.1 has no such
	// negotiation. Mosquitto's default is 20; 100 keeps a fast subscriber
	// busy over a loopback WebSocket.
	DefaultMaxOutboundInflight = 100
	// DefaultMaxOutboundInflightBytes bounds their payloads together; one
	// message is always allowed, however large.
	DefaultMaxOutboundInflightBytes = 8 << 20
)

// ErrInflightFull is Outbound.Send's answer when the window is full: keep
// the message queued and send it after an acknowledgement.
var ErrInflightFull = errors.New("mqtt: the client's receive window is full")

type outState byte

const (
	awaitPuback  outState = iota // QoS 1 sent
	awaitPubrec                  // QoS 2 sent
	awaitPubcomp                 // QoS 2, PUBREL sent
)

type outFlight struct {
	p     *Publish
	state outState
}

// Outbound is the server-to-client half of a session's QoS 1 and 2 flows
// (5.0 §4.3, §4.4, §4.9; 3.1.1 §4.3, §4.4): it assigns packet identifiers,
// applies the client's Receive Maximum, answers PUBREC with PUBREL and
// lists what to send again, with DUP set, when the session resumes on a
// new connection. It is not safe for concurrent use: the session's owner
// calls it.
type Outbound struct {
	v        Version
	maxCount int
	maxBytes int
	next     uint16
	msgs     map[uint16]*outFlight
	order    []uint16 // packet ids in the order sent
	bytes    int
}

// NewOutbound returns the outbound state of a session on a connection of
// version v whose client sent receiveMaximum (0: absent, 65,535).
func NewOutbound(v Version, receiveMaximum uint16) *Outbound {
	o := &Outbound{msgs: map[uint16]*outFlight{}, maxBytes: DefaultMaxOutboundInflightBytes}
	o.Reconnected(v, receiveMaximum)
	return o
}

// Reconnected applies a new connection's version and Receive Maximum to
// a resumed session.
func (o *Outbound) Reconnected(v Version, receiveMaximum uint16) {
	o.v = v
	o.maxCount = DefaultMaxOutboundInflight
	if v == V5 && receiveMaximum != 0 && int(receiveMaximum) < o.maxCount {
		o.maxCount = int(receiveMaximum)
	}
}

// Len returns the number of messages in flight.
func (o *Outbound) Len() int { return len(o.order) }

// Send records p (QoS 1 or 2) as sent and sets its packet identifier; it
// takes ownership of p. It returns ErrInflightFull when the window has no
// room. A QoS 0 message is not tracked.
func (o *Outbound) Send(p *Publish) error {
	if p.QoS == QoS0 {
		return nil
	}
	if len(o.order) >= o.maxCount || (len(o.order) > 0 && o.bytes+len(p.Payload) > o.maxBytes) {
		return ErrInflightFull
	}
	for {
		o.next++
		if o.next != 0 && o.msgs[o.next] == nil {
			break
		}
	}
	p.PacketID, p.Dup = o.next, false
	st := awaitPuback
	if p.QoS == QoS2 {
		st = awaitPubrec
	}
	o.msgs[p.PacketID] = &outFlight{p: p, state: st}
	o.order = append(o.order, p.PacketID)
	o.bytes += len(p.Payload)
	return nil
}

// Ack applies the client's PUBACK, PUBREC or PUBCOMP a. It returns the
// PUBREL to send (for a PUBREC), whether a message completed (its window
// slot is free), or a refusal for an acknowledgement of the wrong kind
// (protocol error: DISCONNECT 0x82). An acknowledgement of an unknown
// identifier is ignored (a late duplicate), except a PUBREC, which gets a
// PUBREL with 0x92 on 5.0 (5.0 §4.3.3).
func (o *Outbound) Ack(a *Ack) (reply *Ack, completed bool, r *Refusal) {
	f := o.msgs[a.PacketID]
	switch {
	case a.Kind == PUBREC && f == nil:
		rel := &Ack{Kind: PUBREL, PacketID: a.PacketID}
		if o.v == V5 {
			rel.ReasonCode = PacketIdentifierNotFound
		}
		return rel, false, nil
	case f == nil:
		return nil, false, nil
	case a.Kind == PUBACK && f.state == awaitPuback, a.Kind == PUBCOMP && f.state == awaitPubcomp:
		o.remove(a.PacketID)
		return nil, true, nil
	case a.Kind == PUBREC && f.state == awaitPubrec && a.ReasonCode.IsError():
		o.remove(a.PacketID) // the client refused it: the flow ends (5.0 §4.3.3)
		return nil, true, nil
	case a.Kind == PUBREC && f.state != awaitPuback:
		f.state = awaitPubcomp
		return &Ack{Kind: PUBREL, PacketID: a.PacketID}, false, nil
	}
	return nil, false, refuse(ProtocolError, "%s for packet %d, which awaits another acknowledgement", a.Kind, a.PacketID)
}

func (o *Outbound) remove(id uint16) {
	o.bytes -= len(o.msgs[id].p.Payload)
	delete(o.msgs, id)
	for i, v := range o.order {
		if v == id {
			o.order = append(o.order[:i], o.order[i+1:]...)
			break
		}
	}
}

// Resend returns what to send again, in the original order, when the
// session resumes on a new connection (5.0 §4.4, 3.1.1 §4.4): each
// unacknowledged PUBLISH with DUP set and its original identifier, and a
// PUBREL for each message whose PUBREC arrived.
func (o *Outbound) Resend() []Packet {
	out := make([]Packet, 0, len(o.order))
	for _, id := range o.order {
		f := o.msgs[id]
		if f.state == awaitPubcomp {
			out = append(out, &Ack{Kind: PUBREL, PacketID: id})
			continue
		}
		f.p.Dup = true
		out = append(out, f.p)
	}
	return out
}
