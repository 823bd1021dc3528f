package mqtt

// codeSet is a set of reason codes.
type codeSet [256 / 64]uint64

func codes(cs ...ReasonCode) codeSet {
	var s codeSet
	for _, c := range cs {
		s[c/64] |= 1 << (c % 64)
	}
	return s
}

func (s *codeSet) has(c ReasonCode) bool { return s[c/64]&(1<<(c%64)) != 0 }

// The reason codes each MQTT 5.0 packet may carry (§3.2.2.2, §3.4.2.1,
// §3.5.2.1, §3.6.2.1, §3.7.2.1, §3.9.3, §3.11.3, §3.14.2.1, §3.15.2.1).
var (
	connackCodes = codes(0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C,
		0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F)
	pubackCodes = codes(0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99)
	pubrelCodes = codes(0x00, 0x92)
	subackCodes = codes(0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2)
	unsubCodes  = codes(0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91)
	discoCodes  = codes(0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93,
		0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2)
	authCodes = codes(0x00, 0x18, 0x19)
	// The 3.1.1 codes: CONNACK return codes and SUBACK return codes.
	connackCodesV3 = codes(0, 1, 2, 3, 4, 5)
	subackCodesV3  = codes(0x00, 0x01, 0x02, 0x80)
)

// allowedCodes returns the codes packet type t may carry on version v.
func allowedCodes(t Type, v Version) *codeSet {
	switch t {
	case CONNACK:
		if v == V311 {
			return &connackCodesV3
		}
		return &connackCodes
	case PUBACK, PUBREC:
		return &pubackCodes
	case PUBREL, PUBCOMP:
		return &pubrelCodes
	case SUBACK:
		if v == V311 {
			return &subackCodesV3
		}
		return &subackCodes
	case UNSUBACK:
		return &unsubCodes
	case DISCONNECT:
		return &discoCodes
	case AUTH:
		return &authCodes
	}
	return &codeSet{}
}

// ValidCode reports whether packet type t may carry code c on version v.
func ValidCode(t Type, v Version, c ReasonCode) bool { return allowedCodes(t, v).has(c) }

// checkCode refuses a code the packet may not carry (ProtocolError).
func (d *dec) checkCode(v Version, c ReasonCode) error {
	if !ValidCode(d.t, v, c) {
		return protocolErr(d.t, "reason code 0x%02X is not one %s carries", byte(c), d.t)
	}
	return nil
}

// checkCode fails the encoding of a code the packet may not carry.
func (e *enc) checkCode(v Version, c ReasonCode) {
	if !ValidCode(e.t, v, c) {
		e.fail("reason code 0x%02X is not one %s carries on %s", byte(c), e.t, v)
	}
}
