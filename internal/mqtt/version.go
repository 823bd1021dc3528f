package mqtt

import "fmt"

// Version is an MQTT protocol level, as carried in the CONNECT packet.
type Version byte

// The protocol levels a broker built on this package accepts.
const (
	// V311 is MQTT 3.1.1 (OASIS standard, protocol level 4).
	V311 Version = 4
	// V5 is MQTT 5.0 (OASIS standard, protocol level 5).
	V5 Version = 5
)

// Valid reports whether v is a protocol level this package encodes.
func (v Version) Valid() bool { return v == V311 || v == V5 }

// String returns "3.1.1", "5.0" or "level N".
func (v Version) String() string {
	switch v {
	case V311:
		return "3.1.1"
	case V5:
		return "5.0"
	}
	return fmt.Sprintf("level %d", byte(v))
}

// Type is a control packet type: the high nibble of the first byte.
type Type byte

// Control packet types (MQTT 5.0 §2.1.2; 3.1.1 §2.2.1, where 15 is reserved).
const (
	CONNECT     Type = 1
	CONNACK     Type = 2
	PUBLISH     Type = 3
	PUBACK      Type = 4
	PUBREC      Type = 5
	PUBREL      Type = 6
	PUBCOMP     Type = 7
	SUBSCRIBE   Type = 8
	SUBACK      Type = 9
	UNSUBSCRIBE Type = 10
	UNSUBACK    Type = 11
	PINGREQ     Type = 12
	PINGRESP    Type = 13
	DISCONNECT  Type = 14
	AUTH        Type = 15 // MQTT 5.0 only
)

var typeNames = [...]string{"reserved(0)", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
	"SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"}

// String returns the packet type's name as the specifications spell it.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", byte(t))
}

// QoS is a delivery quality of service: 0 at most once, 1 at least once,
// 2 exactly once.
type QoS byte

// Qualities of service.
const (
	QoS0 QoS = 0
	QoS1 QoS = 1
	QoS2 QoS = 2
)
