package mqtt

// Disconnect is a DISCONNECT packet (MQTT 5.0 §3.14, 3.1.1 §3.14: empty).
type Disconnect struct {
	// ReasonCode is the 5.0 reason code; NormalDisconnection on 3.1.1.
	ReasonCode ReasonCode
	// Properties are the 5.0 properties.
	Properties Properties
}

// Type returns DISCONNECT.
func (*Disconnect) Type() Type { return DISCONNECT }

// Auth is an AUTH packet (MQTT 5.0 §3.15; not in 3.1.1).
type Auth struct {
	// ReasonCode is Success, ContinueAuthentication or ReAuthenticate.
	ReasonCode ReasonCode
	// Properties are the authentication properties.
	Properties Properties
}

// Type returns AUTH.
func (*Auth) Type() Type { return AUTH }

// decodeCodeAndProps reads the body shared by DISCONNECT and AUTH on 5.0:
// an empty body means code 0 without properties; a one-byte body a code
// without properties (§3.14.2.1, §3.15.2.1).
func decodeCodeAndProps(d *dec, v Version, l *Limits) (ReasonCode, Properties, error) {
	var p Properties
	if v == V311 || d.left() == 0 {
		return 0, p, d.end()
	}
	c, _ := d.u8("reason code")
	if err := d.checkCode(v, ReasonCode(c)); err != nil {
		return 0, p, err
	}
	if d.left() > 0 {
		var err error
		if p, err = readProperties(d, d.t, l); err != nil {
			return 0, p, err
		}
	}
	return ReasonCode(c), p, d.end()
}

// appendCodeAndProps writes the shortest DISCONNECT or AUTH body.
func appendCodeAndProps(e *enc, v Version, c ReasonCode, p *Properties) {
	if v != V5 {
		if c != 0 || !p.empty() {
			e.fail("reason code %s or properties on %s", c, v)
		}
		return
	}
	e.checkCode(v, c)
	if c == 0 && p.empty() {
		return
	}
	e.u8(byte(c))
	if !p.empty() {
		appendProperties(e, p, e.t)
	}
}

func (p *Disconnect) appendTo(dst []byte, v Version) ([]byte, error) {
	return appendPacket(dst, DISCONNECT, 0, func(e *enc) { appendCodeAndProps(e, v, p.ReasonCode, &p.Properties) })
}

func (p *Auth) appendTo(dst []byte, v Version) ([]byte, error) {
	return appendPacket(dst, AUTH, 0, func(e *enc) {
		if v != V5 {
			e.fail("AUTH on %s", v)
		}
		appendCodeAndProps(e, v, p.ReasonCode, &p.Properties)
	})
}
