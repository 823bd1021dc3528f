package mqtt

// Subscribe is a SUBSCRIBE packet (MQTT 5.0 §3.8, 3.1.1 §3.8).
type Subscribe struct {
	// PacketID is non-zero.
	PacketID uint16
	// Properties are the 5.0 properties (subscription identifier, user
	// properties).
	Properties Properties
	// Subscriptions are the requested subscriptions, at least one and at
	// most Limits.MaxTopicFilters.
	Subscriptions []Subscription
}

// Subscription is one topic filter of a SUBSCRIBE with its options.
type Subscription struct {
	// Filter is the topic filter.
	Filter string
	// QoS is the maximum QoS requested.
	QoS QoS
	// NoLocal, RetainAsPublished and RetainHandling (0-2) are 5.0 options;
	// zero on 3.1.1.
	NoLocal           bool
	RetainAsPublished bool
	RetainHandling    byte
}

// Type returns SUBSCRIBE.
func (*Subscribe) Type() Type { return SUBSCRIBE }

func decodeSubscribe(d *dec, v Version, l *Limits) (*Subscribe, error) {
	s := &Subscribe{}
	var err error
	if s.PacketID, err = packetID(d); err != nil {
		return nil, err
	}
	if v == V5 {
		if s.Properties, err = readProperties(d, SUBSCRIBE, l); err != nil {
			return nil, err
		}
	}
	for d.left() > 0 {
		if len(s.Subscriptions) >= l.MaxTopicFilters {
			return nil, overLimit(SUBSCRIBE, "more than %d topic filters", l.MaxTopicFilters)
		}
		var sub Subscription
		if sub.Filter, err = d.str("topic filter"); err != nil {
			return nil, err
		}
		opts, err := d.u8("subscription options")
		if err != nil {
			return nil, err
		}
		if err := sub.setOptions(opts, v); err != nil {
			return nil, err
		}
		s.Subscriptions = append(s.Subscriptions, sub)
	}
	if len(s.Subscriptions) == 0 {
		return nil, protocolErr(SUBSCRIBE, "no topic filter")
	}
	return s, nil
}

// setOptions reads the options byte (5.0 §3.8.3.1; 3.1.1 §3.8.3: the
// requested QoS alone).
func (s *Subscription) setOptions(b byte, v Version) error {
	reserved := byte(0xC0)
	if v == V311 {
		reserved = 0xFC
	}
	if b&reserved != 0 {
		return malformed(SUBSCRIBE, "reserved subscription option bits are set (0x%02X)", b)
	}
	s.QoS = QoS(b & 3)
	if s.QoS == 3 {
		return malformed(SUBSCRIBE, "requested QoS 3")
	}
	s.NoLocal = b&4 != 0
	s.RetainAsPublished = b&8 != 0
	s.RetainHandling = (b >> 4) & 3
	if s.RetainHandling == 3 {
		return protocolErr(SUBSCRIBE, "retain handling 3")
	}
	return nil
}

func (s *Subscription) options() byte {
	b := byte(s.QoS&3) | (s.RetainHandling&3)<<4
	if s.NoLocal {
		b |= 4
	}
	if s.RetainAsPublished {
		b |= 8
	}
	return b
}

func (s *Subscribe) appendTo(dst []byte, v Version) ([]byte, error) {
	return appendPacket(dst, SUBSCRIBE, 2, func(e *enc) {
		if s.PacketID == 0 || len(s.Subscriptions) == 0 {
			e.fail("packet identifier %d with %d subscriptions", s.PacketID, len(s.Subscriptions))
		}
		e.u16(s.PacketID)
		if v == V5 {
			appendProperties(e, &s.Properties, SUBSCRIBE)
		}
		for i := range s.Subscriptions {
			sub := &s.Subscriptions[i]
			e.str("topic filter", sub.Filter)
			if sub.QoS > QoS2 || sub.RetainHandling > 2 {
				e.fail("QoS %d, retain handling %d", sub.QoS, sub.RetainHandling)
			}
			o := sub.options()
			if v == V311 && o&^3 != 0 {
				e.fail("5.0 subscription options on 3.1.1")
			}
			e.u8(o)
		}
	})
}

// packetID reads a packet identifier that must not be 0.
func packetID(d *dec) (uint16, error) {
	id, err := d.u16("packet identifier")
	if err == nil && id == 0 {
		return 0, protocolErr(d.t, "packet identifier 0")
	}
	return id, err
}

// Suback is a SUBACK packet (MQTT 5.0 §3.9, 3.1.1 §3.9).
type Suback struct {
	// PacketID is the SUBSCRIBE's.
	PacketID uint16
	// Properties are the 5.0 properties.
	Properties Properties
	// ReasonCodes has one code per subscription, in order.
	ReasonCodes []ReasonCode
}

// Type returns SUBACK.
func (*Suback) Type() Type { return SUBACK }

func decodeSuback(d *dec, v Version, l *Limits) (*Suback, error) {
	s := &Suback{}
	var err error
	if s.PacketID, err = packetID(d); err != nil {
		return nil, err
	}
	if v == V5 {
		if s.Properties, err = readProperties(d, SUBACK, l); err != nil {
			return nil, err
		}
	}
	if s.ReasonCodes, err = readCodes(d, v, l); err != nil {
		return nil, err
	}
	return s, nil
}

// readCodes reads the rest of d as reason codes (SUBACK, UNSUBACK).
func readCodes(d *dec, v Version, l *Limits) ([]ReasonCode, error) {
	n := d.left()
	if n > l.MaxTopicFilters {
		return nil, overLimit(d.t, "%d reason codes, more than %d", n, l.MaxTopicFilters)
	}
	if n == 0 {
		return nil, protocolErr(d.t, "no reason code")
	}
	out := make([]ReasonCode, n)
	for i := range out {
		out[i] = ReasonCode(d.b[d.off+i])
		if err := d.checkCode(v, out[i]); err != nil {
			return nil, err
		}
	}
	d.off += n
	return out, nil
}

func (s *Suback) appendTo(dst []byte, v Version) ([]byte, error) {
	return appendPacket(dst, SUBACK, 0, func(e *enc) {
		appendCodes(e, v, s.PacketID, &s.Properties, s.ReasonCodes)
	})
}

// appendCodes writes the body of a SUBACK or UNSUBACK.
func appendCodes(e *enc, v Version, id uint16, p *Properties, cs []ReasonCode) {
	if id == 0 || len(cs) == 0 {
		e.fail("packet identifier %d with %d reason codes", id, len(cs))
	}
	e.u16(id)
	if v == V5 {
		appendProperties(e, p, e.t)
	}
	for _, c := range cs {
		e.checkCode(v, c)
		e.u8(byte(c))
	}
}
