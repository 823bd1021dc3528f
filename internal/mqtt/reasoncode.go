package mqtt

import "fmt"

// ReasonCode is a one-byte MQTT 5.0 reason code (MQTT 5.0 §2.4). On a 3.1.1
// connection the same byte carries the CONNACK return code (see ReturnCode)
// or the SUBACK return code (0x00-0x02 granted QoS, 0x80 failure); the
// codec writes the byte it is given and the session rules (codes.go) choose
// the byte per version.
type ReasonCode byte

// MQTT 5.0 reason codes (§2.4, Table 2-6). Several share a value: the name
// says which packet uses it.
const (
	Success                             ReasonCode = 0x00
	NormalDisconnection                 ReasonCode = 0x00
	GrantedQoS0                         ReasonCode = 0x00
	GrantedQoS1                         ReasonCode = 0x01
	GrantedQoS2                         ReasonCode = 0x02
	DisconnectWithWillMessage           ReasonCode = 0x04
	NoMatchingSubscribers               ReasonCode = 0x10
	NoSubscriptionExisted               ReasonCode = 0x11
	ContinueAuthentication              ReasonCode = 0x18
	ReAuthenticate                      ReasonCode = 0x19
	UnspecifiedError                    ReasonCode = 0x80
	MalformedPacket                     ReasonCode = 0x81
	ProtocolError                       ReasonCode = 0x82
	ImplementationSpecificError         ReasonCode = 0x83
	UnsupportedProtocolVersion          ReasonCode = 0x84
	ClientIdentifierNotValid            ReasonCode = 0x85
	BadUserNameOrPassword               ReasonCode = 0x86
	NotAuthorized                       ReasonCode = 0x87
	ServerUnavailable                   ReasonCode = 0x88
	ServerBusy                          ReasonCode = 0x89
	Banned                              ReasonCode = 0x8A
	ServerShuttingDown                  ReasonCode = 0x8B
	BadAuthenticationMethod             ReasonCode = 0x8C
	KeepAliveTimeout                    ReasonCode = 0x8D
	SessionTakenOver                    ReasonCode = 0x8E
	TopicFilterInvalid                  ReasonCode = 0x8F
	TopicNameInvalid                    ReasonCode = 0x90
	PacketIdentifierInUse               ReasonCode = 0x91
	PacketIdentifierNotFound            ReasonCode = 0x92
	ReceiveMaximumExceeded              ReasonCode = 0x93
	TopicAliasInvalid                   ReasonCode = 0x94
	PacketTooLarge                      ReasonCode = 0x95
	MessageRateTooHigh                  ReasonCode = 0x96
	QuotaExceeded                       ReasonCode = 0x97
	AdministrativeAction                ReasonCode = 0x98
	PayloadFormatInvalid                ReasonCode = 0x99
	RetainNotSupported                  ReasonCode = 0x9A
	QoSNotSupported                     ReasonCode = 0x9B
	UseAnotherServer                    ReasonCode = 0x9C
	ServerMoved                         ReasonCode = 0x9D
	SharedSubscriptionsNotSupported     ReasonCode = 0x9E
	ConnectionRateExceeded              ReasonCode = 0x9F
	MaximumConnectTime                  ReasonCode = 0xA0
	SubscriptionIdentifiersNotSupported ReasonCode = 0xA1
	WildcardSubscriptionsNotSupported   ReasonCode = 0xA2
)

// SubackFailure is the 3.1.1 SUBACK return code for a refused topic filter
// (3.1.1 §3.9.3). It has the value of UnspecifiedError.
const SubackFailure ReasonCode = 0x80

var reasonNames = map[ReasonCode]string{
	0x00: "success", 0x01: "granted QoS 1", 0x02: "granted QoS 2", 0x04: "disconnect with will message",
	0x10: "no matching subscribers", 0x11: "no subscription existed", 0x18: "continue authentication",
	0x19: "re-authenticate", 0x80: "unspecified error", 0x81: "malformed packet", 0x82: "protocol error",
	0x83: "implementation specific error", 0x84: "unsupported protocol version",
	0x85: "client identifier not valid", 0x86: "bad user name or password", 0x87: "not authorized",
	0x88: "server unavailable", 0x89: "server busy", 0x8A: "banned", 0x8B: "server shutting down",
	0x8C: "bad authentication method", 0x8D: "keep alive timeout", 0x8E: "session taken over",
	0x8F: "topic filter invalid", 0x90: "topic name invalid", 0x91: "packet identifier in use",
	0x92: "packet identifier not found", 0x93: "receive maximum exceeded", 0x94: "topic alias invalid",
	0x95: "packet too large", 0x96: "message rate too high", 0x97: "quota exceeded",
	0x98: "administrative action", 0x99: "payload format invalid", 0x9A: "retain not supported",
	0x9B: "QoS not supported", 0x9C: "use another server", 0x9D: "server moved",
	0x9E: "shared subscriptions not supported", 0x9F: "connection rate exceeded",
	0xA0: "maximum connect time", 0xA1: "subscription identifiers not supported",
	0xA2: "wildcard subscriptions not supported",
}

// String returns the code in hex with its MQTT 5.0 name, e.g.
// "0x87 not authorized".
func (c ReasonCode) String() string {
	if n, ok := reasonNames[c]; ok {
		return fmt.Sprintf("0x%02X %s", byte(c), n)
	}
	return fmt.Sprintf("0x%02X", byte(c))
}

// IsError reports whether c is an error code (0x80 or above).
func (c ReasonCode) IsError() bool { return c >= 0x80 }

// ReturnCode is an MQTT 3.1.1 CONNACK return code (3.1.1 §3.2.2.3).
type ReturnCode byte

// MQTT 3.1.1 CONNACK return codes.
const (
	ReturnAccepted                    ReturnCode = 0
	ReturnUnacceptableProtocolVersion ReturnCode = 1
	ReturnIdentifierRejected          ReturnCode = 2
	ReturnServerUnavailable           ReturnCode = 3
	ReturnBadUsernameOrPassword       ReturnCode = 4
	ReturnNotAuthorized               ReturnCode = 5
)

var returnNames = [...]string{"connection accepted", "unacceptable protocol version", "identifier rejected",
	"server unavailable", "bad user name or password", "not authorized"}

// String returns the code with its 3.1.1 name, e.g. "5 not authorized".
func (c ReturnCode) String() string {
	if int(c) < len(returnNames) {
		return fmt.Sprintf("%d %s", byte(c), returnNames[c])
	}
	return fmt.Sprintf("%d (not a 3.1.1 return code)", byte(c))
}

// Valid reports whether c is one of the six codes 3.1.1 defines.
func (c ReturnCode) Valid() bool { return c <= ReturnNotAuthorized }
