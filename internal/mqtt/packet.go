package mqtt

import "fmt"

// Packet is a decoded MQTT control packet: *Connect, *Connack, *Publish,
// *Ack (PUBACK, PUBREC, PUBREL, PUBCOMP), *Subscribe, *Suback,
// *Unsubscribe, *Unsuback, Pingreq, Pingresp, *Disconnect or *Auth.
type Packet interface {
	// Type returns the packet type.
	Type() Type
	appendTo(dst []byte, v Version) ([]byte, error)
}

// Encode appends p, encoded for protocol version v, to dst and returns the
// extended slice. A CONNECT is encoded for its own Version. It refuses what
// the receiver would refuse: a string over 65,535 bytes or not valid UTF-8,
// a property the packet may not carry, a reason code the packet may not
// carry on v, 5.0 fields on 3.1.1. It does not check a maximum packet size:
// compare the length with the peer's.
func Encode(dst []byte, p Packet, v Version) ([]byte, error) {
	if _, ok := p.(*Connect); !ok && !v.Valid() {
		return dst, fmt.Errorf("mqtt: encoding %s for %s: not a supported version", p.Type(), v)
	}
	return p.appendTo(dst, v)
}

// Decode reads the packet at the front of b, for a connection of version v
// (0 until its CONNECT is read: then only CONNECT decodes). It returns the
// packet and the number of bytes it took, or ErrIncomplete when b holds
// only part of it, or an *Error saying what was wrong and which reason code
// to answer with. A decoded packet's byte slices (payloads, correlation
// data, passwords) alias b: copy them before reusing b. Decode allocates
// only for the packet's fields: strings copied out of b, and one slice
// entry per user property, subscription, filter or code, whose counts lim
// bounds as it bounds the packet's length (lim may be nil: defaults).
//
// For a CONNECT of another protocol or level the error's code is
// UnsupportedProtocolVersion and the packet is a *Connect holding the name
// and level read, so the broker can answer in the client's form.
func Decode(b []byte, v Version, lim *Limits) (Packet, int, error) {
	l := lim.withDefaults()
	h, n, err := parseHeader(b, v, l.MaxPacketSize)
	if err != nil {
		return nil, 0, err
	}
	if len(b)-n < h.RemainingLength {
		return nil, 0, ErrIncomplete
	}
	end := n + h.RemainingLength
	p, err := decodeBody(h, b[n:end:end], v, &l)
	if err != nil {
		return p, 0, err
	}
	return p, end, nil
}

// DecodeBody decodes a packet whose fixed header was read by ParseHeader
// and whose body (exactly h.RemainingLength bytes) is body. It is Decode
// for callers that read the header and the body apart (see Reader).
func DecodeBody(h FixedHeader, body []byte, v Version, lim *Limits) (Packet, error) {
	if len(body) != h.RemainingLength {
		return nil, fmt.Errorf("mqtt: DecodeBody got %d bytes for a remaining length of %d", len(body), h.RemainingLength)
	}
	l := lim.withDefaults()
	return decodeBody(h, body, v, &l)
}

func decodeBody(h FixedHeader, body []byte, v Version, l *Limits) (Packet, error) {
	d := &dec{b: body, t: h.Type}
	if h.Type == CONNECT {
		c, err := decodeConnect(d, l)
		if c == nil {
			return nil, err // a nil *Connect is not a nil Packet
		}
		return c, err
	}
	if !v.Valid() {
		return nil, protocolErr(h.Type, "the first packet of a connection must be CONNECT")
	}
	switch h.Type {
	case CONNACK:
		return nilOr(decodeConnack(d, v, l))
	case PUBLISH:
		return nilOr(decodePublish(d, h.Flags, v, l))
	case PUBACK, PUBREC, PUBREL, PUBCOMP:
		return nilOr(decodeAck(d, h.Type, v, l))
	case SUBSCRIBE:
		return nilOr(decodeSubscribe(d, v, l))
	case SUBACK:
		return nilOr(decodeSuback(d, v, l))
	case UNSUBSCRIBE:
		return nilOr(decodeUnsubscribe(d, v, l))
	case UNSUBACK:
		return nilOr(decodeUnsuback(d, v, l))
	case PINGREQ:
		return nilOr(Pingreq{}, d.end())
	case PINGRESP:
		return nilOr(Pingresp{}, d.end())
	case DISCONNECT:
		c, p, err := decodeCodeAndProps(d, v, l)
		return nilOr(&Disconnect{ReasonCode: c, Properties: p}, err)
	default: // AUTH: the header refused it on 3.1.1
		c, p, err := decodeCodeAndProps(d, v, l)
		return nilOr(&Auth{ReasonCode: c, Properties: p}, err)
	}
}

// nilOr returns a nil Packet with an error, so that a typed nil pointer
// never hides in the interface.
func nilOr[P Packet](p P, err error) (Packet, error) {
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Pingreq is a PINGREQ packet: no body.
type Pingreq struct{}

// Type returns PINGREQ.
func (Pingreq) Type() Type { return PINGREQ }

func (Pingreq) appendTo(dst []byte, _ Version) ([]byte, error) { return append(dst, 0xC0, 0), nil }

// Pingresp is a PINGRESP packet: no body.
type Pingresp struct{}

// Type returns PINGRESP.
func (Pingresp) Type() Type { return PINGRESP }

func (Pingresp) appendTo(dst []byte, _ Version) ([]byte, error) { return append(dst, 0xD0, 0), nil }
