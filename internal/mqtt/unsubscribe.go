package mqtt

// Unsubscribe is an UNSUBSCRIBE packet (MQTT 5.0 §3.10, 3.1.1 §3.10).
type Unsubscribe struct {
	// PacketID is non-zero.
	PacketID uint16
	// Properties are the 5.0 properties (user properties).
	Properties Properties
	// Filters are the topic filters, at least one and at most
	// Limits.MaxTopicFilters.
	Filters []string
}

// Type returns UNSUBSCRIBE.
func (*Unsubscribe) Type() Type { return UNSUBSCRIBE }

func decodeUnsubscribe(d *dec, v Version, l *Limits) (*Unsubscribe, error) {
	u := &Unsubscribe{}
	var err error
	if u.PacketID, err = packetID(d); err != nil {
		return nil, err
	}
	if v == V5 {
		if u.Properties, err = readProperties(d, UNSUBSCRIBE, l); err != nil {
			return nil, err
		}
	}
	for d.left() > 0 {
		if len(u.Filters) >= l.MaxTopicFilters {
			return nil, overLimit(UNSUBSCRIBE, "more than %d topic filters", l.MaxTopicFilters)
		}
		f, err := d.str("topic filter")
		if err != nil {
			return nil, err
		}
		u.Filters = append(u.Filters, f)
	}
	if len(u.Filters) == 0 {
		return nil, protocolErr(UNSUBSCRIBE, "no topic filter")
	}
	return u, nil
}

func (u *Unsubscribe) appendTo(dst []byte, v Version) ([]byte, error) {
	return appendPacket(dst, UNSUBSCRIBE, 2, func(e *enc) {
		if u.PacketID == 0 || len(u.Filters) == 0 {
			e.fail("packet identifier %d with %d filters", u.PacketID, len(u.Filters))
		}
		e.u16(u.PacketID)
		if v == V5 {
			appendProperties(e, &u.Properties, UNSUBSCRIBE)
		}
		for _, f := range u.Filters {
			e.str("topic filter", f)
		}
	})
}

// Unsuback is an UNSUBACK packet (MQTT 5.0 §3.11, 3.1.1 §3.11). On 3.1.1
// it carries the packet identifier alone.
type Unsuback struct {
	// PacketID is the UNSUBSCRIBE's.
	PacketID uint16
	// Properties are the 5.0 properties.
	Properties Properties
	// ReasonCodes has one 5.0 code per topic filter; nil on 3.1.1.
	ReasonCodes []ReasonCode
}

// Type returns UNSUBACK.
func (*Unsuback) Type() Type { return UNSUBACK }

func decodeUnsuback(d *dec, v Version, l *Limits) (*Unsuback, error) {
	u := &Unsuback{}
	var err error
	if u.PacketID, err = packetID(d); err != nil {
		return nil, err
	}
	if v == V311 {
		return u, d.end()
	}
	if u.Properties, err = readProperties(d, UNSUBACK, l); err != nil {
		return nil, err
	}
	if u.ReasonCodes, err = readCodes(d, v, l); err != nil {
		return nil, err
	}
	return u, nil
}

func (u *Unsuback) appendTo(dst []byte, v Version) ([]byte, error) {
	return appendPacket(dst, UNSUBACK, 0, func(e *enc) {
		if v == V311 {
			if u.PacketID == 0 || len(u.ReasonCodes) > 0 {
				e.fail("packet identifier %d with reason codes on 3.1.1", u.PacketID)
			}
			e.u16(u.PacketID)
			return
		}
		appendCodes(e, v, u.PacketID, &u.Properties, u.ReasonCodes)
	})
}
