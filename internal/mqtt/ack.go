package mqtt

// Ack is one of the four QoS acknowledgements, PUBACK, PUBREC, PUBREL or
// PUBCOMP (MQTT 5.0 §3.4-§3.7, 3.1.1 §3.4-§3.7), which share a shape: a
// packet identifier, and on 5.0 a reason code and properties.
type Ack struct {
	// Kind is PUBACK, PUBREC, PUBREL or PUBCOMP.
	Kind Type
	// PacketID is the acknowledged packet identifier (non-zero).
	PacketID uint16
	// ReasonCode is the 5.0 reason code; always Success on 3.1.1.
	ReasonCode ReasonCode
	// Properties are the 5.0 properties (reason string, user properties).
	Properties Properties
}

// Type returns a.Kind.
func (a *Ack) Type() Type { return a.Kind }

// decodeAck reads an acknowledgement. On 5.0 a remaining length of 2 means
// Success without properties, and of 3 a reason code without properties
// (§3.4.2.1).
func decodeAck(d *dec, t Type, v Version, l *Limits) (*Ack, error) {
	a := &Ack{Kind: t}
	var err error
	if a.PacketID, err = d.u16("packet identifier"); err != nil {
		return nil, err
	}
	if a.PacketID == 0 {
		return nil, protocolErr(t, "packet identifier 0")
	}
	if v == V5 && d.left() > 0 {
		code, err := d.u8("reason code")
		if err != nil {
			return nil, err
		}
		a.ReasonCode = ReasonCode(code)
		if err := d.checkCode(v, a.ReasonCode); err != nil {
			return nil, err
		}
		if d.left() > 0 {
			if a.Properties, err = readProperties(d, t, l); err != nil {
				return nil, err
			}
		}
	}
	return a, d.end()
}

// appendTo writes the shortest form the version allows.
func (a *Ack) appendTo(dst []byte, v Version) ([]byte, error) {
	var flags byte
	if a.Kind == PUBREL {
		flags = 2
	}
	return appendPacket(dst, a.Kind, flags, func(e *enc) {
		if a.Kind < PUBACK || a.Kind > PUBCOMP {
			e.fail("Ack of kind %s", a.Kind)
		}
		if a.PacketID == 0 {
			e.fail("packet identifier 0")
		}
		e.u16(a.PacketID)
		if v != V5 {
			if a.ReasonCode != Success || !a.Properties.empty() {
				e.fail("reason code %s or properties on %s", a.ReasonCode, v)
			}
			return
		}
		e.checkCode(v, a.ReasonCode)
		if a.ReasonCode == Success && a.Properties.empty() {
			return
		}
		e.u8(byte(a.ReasonCode))
		if !a.Properties.empty() {
			appendProperties(e, &a.Properties, a.Kind)
		}
	})
}

// empty reports whether p carries no property.
func (p *Properties) empty() bool {
	if len(p.User) > 0 || len(p.SubscriptionIdentifiers) > 0 {
		return false
	}
	for i := range propCodecs {
		if c := &propCodecs[i]; c.has != nil && c.has(p) {
			return false
		}
	}
	return true
}
