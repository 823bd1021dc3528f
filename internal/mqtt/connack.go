package mqtt

// Connack is a CONNACK packet (MQTT 5.0 §3.2, 3.1.1 §3.2).
type Connack struct {
	// SessionPresent tells the client the server resumed its session.
	SessionPresent bool
	// ReasonCode is the 5.0 reason code, or on 3.1.1 the return code
	// (ReasonCode(ReturnCode)).
	ReasonCode ReasonCode
	// Properties are the CONNACK properties (5.0).
	Properties Properties
}

// Type returns CONNACK.
func (*Connack) Type() Type { return CONNACK }

func decodeConnack(d *dec, v Version, l *Limits) (*Connack, error) {
	flags, err := d.u8("acknowledge flags")
	if err != nil {
		return nil, err
	}
	if flags&^1 != 0 {
		return nil, malformed(CONNACK, "reserved acknowledge flags are set (0x%02X)", flags)
	}
	c := &Connack{SessionPresent: flags == 1}
	code, err := d.u8("reason code")
	if err != nil {
		return nil, err
	}
	c.ReasonCode = ReasonCode(code)
	if err := d.checkCode(v, c.ReasonCode); err != nil {
		return nil, err
	}
	if v == V5 {
		if c.Properties, err = readProperties(d, CONNACK, l); err != nil {
			return nil, err
		}
	}
	return c, d.end()
}

func (c *Connack) appendTo(dst []byte, v Version) ([]byte, error) {
	return appendPacket(dst, CONNACK, 0, func(e *enc) {
		e.checkCode(v, c.ReasonCode)
		if c.SessionPresent {
			e.u8(1)
		} else {
			e.u8(0)
		}
		e.u8(byte(c.ReasonCode))
		if v == V5 {
			appendProperties(e, &c.Properties, CONNACK)
		}
	})
}

// end refuses bytes after the last field.
func (d *dec) end() error {
	if d.left() != 0 {
		return malformed(d.t, "%d bytes after the last field", d.left())
	}
	return nil
}
