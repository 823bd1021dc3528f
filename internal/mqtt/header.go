package mqtt

import "fmt"

// FixedHeader is the first part of every packet (MQTT 5.0 §2.1, 3.1.1
// §2.2): the type, the four flag bits and the length of the rest.
type FixedHeader struct {
	// Type is the packet type.
	Type Type
	// Flags are the low four bits of the first byte.
	Flags byte
	// RemainingLength is the length of the variable header and payload.
	RemainingLength int
}

// requiredFlags are the flag bits each type must carry (MQTT 5.0 Table
// 2-2); PUBLISH's flags are DUP, QoS and RETAIN and are checked apart.
var requiredFlags = [16]byte{PUBREL: 2, SUBSCRIBE: 2, UNSUBSCRIBE: 2}

// ParseHeader reads the fixed header at the front of b and returns it with
// the number of bytes it took. It returns ErrIncomplete when b ends inside
// the header, and an *Error for a reserved type, wrong flags, a remaining
// length longer than four bytes (or not in its shortest form on v5) or a
// packet larger than lim.MaxPacketSize (code PacketTooLarge). v is the
// connection's version, 0 before its CONNECT was read. lim may be nil.
func ParseHeader(b []byte, v Version, lim *Limits) (FixedHeader, int, error) {
	l := lim.withDefaults()
	return parseHeader(b, v, l.MaxPacketSize)
}

func parseHeader(b []byte, v Version, maxSize int) (FixedHeader, int, error) {
	if len(b) < 1 {
		return FixedHeader{}, 0, ErrIncomplete
	}
	h := FixedHeader{Type: Type(b[0] >> 4), Flags: b[0] & 0x0F}
	if err := checkFlags(h, v); err != nil {
		return h, 0, err
	}
	rl, n, err := parseVarint(b[1:], v == V5)
	if err == ErrIncomplete {
		return h, 0, ErrIncomplete
	}
	if err != nil {
		return h, 0, malformed(h.Type, "remaining length: %v", err)
	}
	h.RemainingLength = int(rl)
	if size := 1 + n + h.RemainingLength; size > maxSize {
		return h, 0, &Error{Packet: h.Type, Code: PacketTooLarge,
			Msg: fmt.Sprintf("the packet is %d bytes, more than the maximum packet size %d", size, maxSize)}
	}
	return h, 1 + n, nil
}

// checkFlags refuses a reserved type and flags the type does not allow.
func checkFlags(h FixedHeader, v Version) error {
	if h.Type == 0 || (h.Type == AUTH && v == V311) {
		return malformed(0, "reserved packet type %d", byte(h.Type))
	}
	if h.Type == PUBLISH {
		if (h.Flags>>1)&3 == 3 {
			return malformed(PUBLISH, "QoS 3 in the fixed header")
		}
		return nil
	}
	if h.Flags != requiredFlags[h.Type] {
		return malformed(h.Type, "fixed header flags are 0x%X, must be 0x%X", h.Flags, requiredFlags[h.Type])
	}
	return nil
}

// appendPacket appends a whole packet: the fixed header byte, the
// remaining length, and the body fill appends after them.
func appendPacket(dst []byte, t Type, flags byte, fill func(e *enc)) ([]byte, error) {
	e := &enc{b: append(dst, byte(t)<<4|flags), t: t}
	e.prefixed("remaining length", func() { fill(e) })
	if e.err != nil {
		return dst, e.err
	}
	return e.b, nil
}
