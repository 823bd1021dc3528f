package mqtt

import (
	"errors"
	"fmt"
)

// Error is a packet the codec or a protocol rule refused. It says what was
// wrong and which MQTT 5.0 reason code a broker answers with: in a CONNACK
// while the CONNECT is being handled, else in a DISCONNECT; on a 3.1.1
// connection the broker closes the network connection instead (3.1.1 §4.8),
// except where ConnackCode gives a 3.1.1 return code for a refused CONNECT.
//
// Decoders return codes MalformedPacket (the bytes break the format),
// ProtocolError (well formed but forbidden), PacketTooLarge (over
// Limits.MaxPacketSize), QuotaExceeded (over another limit of Limits) and
// UnsupportedProtocolVersion (a CONNECT of another protocol).
type Error struct {
	// Packet is the packet being read; 0 when the fixed header itself was
	// wrong.
	Packet Type
	// Code is the reason code the broker answers with.
	Code ReasonCode
	// Msg says what was wrong, without the packet's contents.
	Msg string
}

// Error returns e.g. "mqtt: malformed PUBLISH: topic name contains U+0000
// (reason 0x81 malformed packet)".
func (e *Error) Error() string {
	what := "refused"
	switch e.Code {
	case MalformedPacket:
		what = "malformed"
	case ProtocolError:
		what = "protocol error in"
	case PacketTooLarge:
		what = "too large"
	}
	pkt := "packet"
	if e.Packet != 0 {
		pkt = e.Packet.String()
	}
	return fmt.Sprintf("mqtt: %s %s: %s (reason %s)", what, pkt, e.Msg, e.Code)
}

// ErrIncomplete is returned by Decode when the buffer ends before the packet
// does: read more bytes and call it again.
var ErrIncomplete = errors.New("mqtt: incomplete packet: more bytes are needed")

func malformed(t Type, format string, args ...any) *Error {
	return &Error{Packet: t, Code: MalformedPacket, Msg: fmt.Sprintf(format, args...)}
}

func protocolErr(t Type, format string, args ...any) *Error {
	return &Error{Packet: t, Code: ProtocolError, Msg: fmt.Sprintf(format, args...)}
}

func overLimit(t Type, format string, args ...any) *Error {
	return &Error{Packet: t, Code: QuotaExceeded, Msg: fmt.Sprintf(format, args...)}
}

// AsError returns err as an *Error when it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
