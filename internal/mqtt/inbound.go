package mqtt

// inState is where a client's QoS 1 or 2 PUBLISH is in the broker.
type inState byte

const (
	inProcessing  inState = iota // received, not acknowledged yet
	inAwaitPubrel                // QoS 2: PUBREC sent
)

// Inbound is the client-to-server half of a session's QoS 1 and 2 flows:
// it enforces the broker's Receive Maximum (5.0 §4.9: more unacknowledged
// QoS 1 and 2 PUBLISHes is DISCONNECT 0x93; applied to 3.1.1 clients too,
// as a bound) and delivers a QoS 2 message once however often the client
// sends it before PUBREL (5.0 §4.3.3 method B). It keeps packet
// identifiers only, never payloads. It is not safe for concurrent use.
type Inbound struct {
	v   Version
	max int
	ids map[uint16]inState
	// qos remembers whether an identifier in ids is QoS 1 or 2.
	qos map[uint16]QoS
}

// NewInbound returns the inbound state of a session on a connection of
// version v with the broker's Receive Maximum max (0:
// DefaultServerReceiveMaximum).
func NewInbound(v Version, max uint16) *Inbound {
	if max == 0 {
		max = DefaultServerReceiveMaximum
	}
	return &Inbound{v: v, max: int(max), ids: map[uint16]inState{}, qos: map[uint16]QoS{}}
}

// Reconnected applies a new connection's version to a resumed session.
func (in *Inbound) Reconnected(v Version) { in.v = v }

// Len returns the number of QoS 1 and 2 messages not yet completed.
func (in *Inbound) Len() int { return len(in.ids) }

// Receive admits a client's PUBLISH p. deliver says whether to deliver it:
// false for a QoS 2 message already received (a resend), for which resend
// is the PUBREC to send again (nil while the first copy is still being
// processed). A refusal means too many unacknowledged messages
// (DISCONNECT 0x93 on 5.0, a close on 3.1.1).
func (in *Inbound) Receive(p *Publish) (deliver bool, resend *Ack, r *Refusal) {
	if p.QoS == QoS0 {
		return true, nil, nil
	}
	if st, ok := in.ids[p.PacketID]; ok {
		if in.qos[p.PacketID] == QoS1 || p.QoS == QoS1 {
			return true, nil, nil // QoS 1 may be delivered again (at least once)
		}
		if st == inAwaitPubrel {
			return false, &Ack{Kind: PUBREC, PacketID: p.PacketID}, nil
		}
		return false, nil, nil
	}
	if len(in.ids) >= in.max {
		return false, nil, refuse(ReceiveMaximumExceeded, "more than %d QoS 1 and 2 messages unacknowledged", in.max)
	}
	in.ids[p.PacketID] = inProcessing
	in.qos[p.PacketID] = p.QoS
	return true, nil, nil
}

// Acknowledge returns the PUBACK (QoS 1) or PUBREC (QoS 2) for a message
// Receive admitted, with code (a 5.0 reason code; dropped on 3.1.1, where
// a refused message is acknowledged as accepted). A QoS 1 message, and a
// QoS 2 one refused with an error code, completes; a QoS 2 one then waits
// for PUBREL.
func (in *Inbound) Acknowledge(p *Publish, code ReasonCode) *Ack {
	if p.QoS == QoS0 {
		return nil
	}
	if in.v != V5 {
		code = Success
	}
	a := &Ack{Kind: PUBACK, PacketID: p.PacketID, ReasonCode: code}
	if p.QoS == QoS2 {
		a.Kind = PUBREC
		if !code.IsError() {
			in.ids[p.PacketID] = inAwaitPubrel
			return a
		}
	}
	delete(in.ids, p.PacketID)
	delete(in.qos, p.PacketID)
	return a
}

// Release applies the client's PUBREL and returns the PUBCOMP: Success for
// a message awaiting it, 0x92 packet identifier not found on 5.0 for
// another (5.0 §4.3.3; a resend after the PUBCOMP was lost).
func (in *Inbound) Release(rel *Ack) *Ack {
	comp := &Ack{Kind: PUBCOMP, PacketID: rel.PacketID}
	if st, ok := in.ids[rel.PacketID]; ok && st == inAwaitPubrel {
		delete(in.ids, rel.PacketID)
		delete(in.qos, rel.PacketID)
		return comp
	}
	if in.v == V5 {
		comp.ReasonCode = PacketIdentifierNotFound
	}
	return comp
}
