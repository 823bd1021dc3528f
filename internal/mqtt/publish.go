package mqtt

// Publish is a PUBLISH packet (MQTT 5.0 §3.3, 3.1.1 §3.3).
type Publish struct {
	// Dup is set on a redelivery (QoS 1 and 2 only).
	Dup bool
	// QoS is the delivery quality of service.
	QoS QoS
	// Retain asks the server to keep the message for future subscribers.
	Retain bool
	// Topic is the topic name; on 5.0 it may be empty when Properties
	// carries a topic alias.
	Topic string
	// PacketID identifies a QoS 1 or 2 message (non-zero); 0 on QoS 0.
	PacketID uint16
	// Properties are the PUBLISH properties (5.0).
	Properties Properties
	// Payload is the application message; it aliases the decoded buffer.
	Payload []byte
}

// Type returns PUBLISH.
func (*Publish) Type() Type { return PUBLISH }

// decodePublish reads a PUBLISH with the fixed header's flags. Every topic
// name rule of the format is applied (UTF-8, no wildcard, not empty unless
// a 5.0 topic alias stands for it); the service's own rules are in
// CheckTopicName.
func decodePublish(d *dec, flags byte, v Version, l *Limits) (*Publish, error) {
	p := &Publish{Dup: flags&8 != 0, QoS: QoS((flags >> 1) & 3), Retain: flags&1 != 0}
	if p.Dup && p.QoS == QoS0 {
		return nil, malformed(PUBLISH, "DUP is set on a QoS 0 message")
	}
	var err error
	if p.Topic, err = d.str("topic name"); err != nil {
		return nil, err
	}
	if hasWildcard(p.Topic) {
		return nil, malformed(PUBLISH, "the topic name contains a wildcard")
	}
	if p.QoS > QoS0 {
		if p.PacketID, err = d.u16("packet identifier"); err != nil {
			return nil, err
		}
		if p.PacketID == 0 {
			return nil, protocolErr(PUBLISH, "packet identifier 0 on a QoS %d message", p.QoS)
		}
	}
	if v == V5 {
		if p.Properties, err = readProperties(d, PUBLISH, l); err != nil {
			return nil, err
		}
	}
	if p.Topic == "" && p.Properties.TopicAlias == 0 {
		if v == V5 {
			return nil, protocolErr(PUBLISH, "empty topic name without a topic alias")
		}
		return nil, malformed(PUBLISH, "empty topic name")
	}
	p.Payload = d.b[d.off:len(d.b):len(d.b)]
	d.off = len(d.b)
	return p, nil
}

func (p *Publish) appendTo(dst []byte, v Version) ([]byte, error) {
	flags := byte(p.QoS&3) << 1
	if p.Dup {
		flags |= 8
	}
	if p.Retain {
		flags |= 1
	}
	return appendPacket(dst, PUBLISH, flags, func(e *enc) {
		if p.QoS > QoS2 {
			e.fail("QoS %d", p.QoS)
		}
		if (p.QoS == QoS0) != (p.PacketID == 0) || (p.Dup && p.QoS == QoS0) {
			e.fail("packet identifier %d, DUP %v on QoS %d", p.PacketID, p.Dup, p.QoS)
		}
		e.str("topic name", p.Topic)
		if p.QoS > QoS0 {
			e.u16(p.PacketID)
		}
		if v == V5 {
			appendProperties(e, &p.Properties, PUBLISH)
		}
		e.b = append(e.b, p.Payload...)
	})
}

// hasWildcard reports whether s contains '+' or '#'.
func hasWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '+' || s[i] == '#' {
			return true
		}
	}
	return false
}
