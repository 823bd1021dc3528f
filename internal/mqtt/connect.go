package mqtt

import "fmt"

// Connect is a CONNECT packet (MQTT 5.0 §3.1, 3.1.1 §3.1).
type Connect struct {
	// ProtocolName is "MQTT" for levels 4 and 5.
	ProtocolName string
	// Version is the protocol level.
	Version Version
	// CleanStart is "Clean Start" (5.0) or "Clean Session" (3.1.1).
	CleanStart bool
	// KeepAlive is the longest silence the client promises, in seconds; 0
	// disables the mechanism.
	KeepAlive uint16
	// Properties are the CONNECT properties (5.0).
	Properties Properties
	// ClientID may be empty (the server then assigns one, or refuses).
	ClientID string
	// Will is the will message; nil when the will flag is 0.
	Will *Will
	// Username is nil when the user name flag is 0.
	Username *string
	// Password is nil when the password flag is 0. It aliases the decoded
	// buffer.
	Password []byte
}

// Will is the will message of a CONNECT.
type Will struct {
	// QoS and Retain are the will's publish flags.
	QoS    QoS
	Retain bool
	// Properties are the will properties (5.0).
	Properties Properties
	// Topic is the will topic.
	Topic string
	// Payload aliases the decoded buffer.
	Payload []byte
}

// Type returns CONNECT.
func (*Connect) Type() Type { return CONNECT }

// connect flag bits (§3.1.2.3).
const (
	flagReserved   = 0x01
	flagCleanStart = 0x02
	flagWill       = 0x04
	flagWillRetain = 0x20
	flagPassword   = 0x40
	flagUsername   = 0x80
)

// decodeConnect reads a CONNECT body. A protocol other than "MQTT" level 4
// or 5 gives UnsupportedProtocolVersion with the *Connect holding the name
// and level read, so that the broker can answer in the client's form.
func decodeConnect(d *dec, l *Limits) (*Connect, error) {
	c := &Connect{}
	name, err := d.str("protocol name")
	if err != nil {
		return nil, err
	}
	level, err := d.u8("protocol level")
	if err != nil {
		return nil, err
	}
	c.ProtocolName, c.Version = name, Version(level)
	if name != "MQTT" || !c.Version.Valid() {
		return c, &Error{Packet: CONNECT, Code: UnsupportedProtocolVersion,
			Msg: fmt.Sprintf("protocol %q level %d is not MQTT 3.1.1 (4) or 5.0 (5)", name, level)}
	}
	flags, err := d.u8("connect flags")
	if err != nil {
		return nil, err
	}
	if err := checkConnectFlags(flags, c.Version); err != nil {
		return nil, err
	}
	c.CleanStart = flags&flagCleanStart != 0
	if c.KeepAlive, err = d.u16("keep alive"); err != nil {
		return nil, err
	}
	if c.Version == V5 {
		if c.Properties, err = readProperties(d, CONNECT, l); err != nil {
			return nil, err
		}
	}
	if c.ClientID, err = d.str("client identifier"); err != nil {
		return nil, err
	}
	if err := decodeConnectPayload(d, c, flags, l); err != nil {
		return nil, err
	}
	if d.left() != 0 {
		return nil, malformed(CONNECT, "%d bytes after the payload", d.left())
	}
	return c, nil
}

// checkConnectFlags applies §3.1.2.3-§3.1.2.9 (3.1.1: §3.1.2.3-§3.1.2.9).
func checkConnectFlags(flags byte, v Version) error {
	if flags&flagReserved != 0 {
		return malformed(CONNECT, "the reserved connect flag is 1")
	}
	qos := (flags >> 3) & 3
	if qos == 3 {
		return malformed(CONNECT, "will QoS is 3")
	}
	if flags&flagWill == 0 && (qos != 0 || flags&flagWillRetain != 0) {
		return malformed(CONNECT, "will QoS or retain set without the will flag")
	}
	if v == V311 && flags&flagPassword != 0 && flags&flagUsername == 0 {
		return malformed(CONNECT, "password flag without the user name flag (3.1.1 §3.1.2.9)")
	}
	return nil
}

// decodeConnectPayload reads the will, user name and password.
func decodeConnectPayload(d *dec, c *Connect, flags byte, l *Limits) error {
	var err error
	if flags&flagWill != 0 {
		w := &Will{QoS: QoS((flags >> 3) & 3), Retain: flags&flagWillRetain != 0}
		if c.Version == V5 {
			if w.Properties, err = readProperties(d, scopeWill, l); err != nil {
				return err
			}
		}
		if w.Topic, err = d.str("will topic"); err != nil {
			return err
		}
		if w.Payload, err = d.bin("will payload"); err != nil {
			return err
		}
		c.Will = w
	}
	if flags&flagUsername != 0 {
		u, err := d.str("user name")
		if err != nil {
			return err
		}
		c.Username = &u
	}
	if flags&flagPassword != 0 {
		if c.Password, err = d.bin("password"); err != nil {
			return err
		}
	}
	return nil
}

// appendTo writes c; the version written is c.Version (v is ignored).
func (c *Connect) appendTo(dst []byte, _ Version) ([]byte, error) {
	var flags byte
	if c.CleanStart {
		flags |= flagCleanStart
	}
	if c.Will != nil {
		flags |= flagWill | byte(c.Will.QoS&3)<<3
		if c.Will.Retain {
			flags |= flagWillRetain
		}
	}
	if c.Username != nil {
		flags |= flagUsername
	}
	if c.Password != nil {
		flags |= flagPassword
	}
	name := c.ProtocolName
	if name == "" {
		name = "MQTT"
	}
	return appendPacket(dst, CONNECT, 0, func(e *enc) {
		if c.Will != nil && c.Will.QoS > QoS2 {
			e.fail("will QoS %d", c.Will.QoS)
		}
		e.str("protocol name", name)
		e.u8(byte(c.Version))
		e.u8(flags)
		e.u16(c.KeepAlive)
		if c.Version == V5 {
			appendProperties(e, &c.Properties, CONNECT)
		}
		e.str("client identifier", c.ClientID)
		if w := c.Will; w != nil {
			if c.Version == V5 {
				appendProperties(e, &w.Properties, scopeWill)
			}
			e.str("will topic", w.Topic)
			e.bin("will payload", w.Payload)
		}
		if c.Username != nil {
			e.str("user name", *c.Username)
		}
		if c.Password != nil {
			e.bin("password", c.Password)
		}
	})
}
