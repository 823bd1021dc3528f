package mqtt

// PropertyID identifies an MQTT 5.0 property (§2.2.2.2, Table 2-4).
type PropertyID byte

// MQTT 5.0 property identifiers.
const (
	PropPayloadFormatIndicator          PropertyID = 0x01
	PropMessageExpiryInterval           PropertyID = 0x02
	PropContentType                     PropertyID = 0x03
	PropResponseTopic                   PropertyID = 0x08
	PropCorrelationData                 PropertyID = 0x09
	PropSubscriptionIdentifier          PropertyID = 0x0B
	PropSessionExpiryInterval           PropertyID = 0x11
	PropAssignedClientIdentifier        PropertyID = 0x12
	PropServerKeepAlive                 PropertyID = 0x13
	PropAuthenticationMethod            PropertyID = 0x15
	PropAuthenticationData              PropertyID = 0x16
	PropRequestProblemInformation       PropertyID = 0x17
	PropWillDelayInterval               PropertyID = 0x18
	PropRequestResponseInformation      PropertyID = 0x19
	PropResponseInformation             PropertyID = 0x1A
	PropServerReference                 PropertyID = 0x1C
	PropReasonString                    PropertyID = 0x1F
	PropReceiveMaximum                  PropertyID = 0x21
	PropTopicAliasMaximum               PropertyID = 0x22
	PropTopicAlias                      PropertyID = 0x23
	PropMaximumQoS                      PropertyID = 0x24
	PropRetainAvailable                 PropertyID = 0x25
	PropUserProperty                    PropertyID = 0x26
	PropMaximumPacketSize               PropertyID = 0x27
	PropWildcardSubscriptionAvailable   PropertyID = 0x28
	PropSubscriptionIdentifierAvailable PropertyID = 0x29
	PropSharedSubscriptionAvailable     PropertyID = 0x2A
)

// UserProperty is a name/value pair of UTF-8 strings. A packet may carry the
// same name more than once; order is kept.
type UserProperty struct {
	Name, Value string
}

// Properties are the MQTT 5.0 properties of a packet (or of a will). A field
// at its zero value is absent, except the pointer fields, whose zero is
// meaningful: nil is absent. The encoder writes only the properties the
// packet type allows and refuses others; the decoder refuses a property the
// packet does not allow (MalformedPacket, §2.2.2.2), a second copy of one
// that may appear once, and a value the specification forbids
// (ProtocolError). On 3.1.1 connections properties are neither read nor
// written.
type Properties struct {
	// PayloadFormatIndicator: 1 = UTF-8 text, 0 = unspecified bytes (PUBLISH, will).
	PayloadFormatIndicator byte
	// MessageExpiryInterval in seconds; nil = the message does not expire (PUBLISH, will).
	MessageExpiryInterval *uint32
	// ContentType is a MIME type, as the sender chose (PUBLISH, will).
	ContentType string
	// ResponseTopic is a topic name for a response (PUBLISH, will).
	ResponseTopic string
	// CorrelationData is opaque; nil = absent (PUBLISH, will).
	CorrelationData []byte
	// SubscriptionIdentifiers: one in a SUBSCRIBE (1 to 268,435,455); in a
	// PUBLISH from the server, one per matching subscription.
	SubscriptionIdentifiers []uint32
	// SessionExpiryInterval in seconds; 0 = the session ends with the
	// connection, 0xFFFFFFFF = never (CONNECT, CONNACK, DISCONNECT).
	SessionExpiryInterval uint32
	// AssignedClientIdentifier is the id the server chose for an empty one (CONNACK).
	AssignedClientIdentifier string
	// ServerKeepAlive overrides the client's keep alive, in seconds (CONNACK).
	ServerKeepAlive *uint16
	// AuthenticationMethod names extended authentication (CONNECT, CONNACK, AUTH).
	AuthenticationMethod string
	// AuthenticationData; nil = absent (CONNECT, CONNACK, AUTH).
	AuthenticationData []byte
	// RequestProblemInformation: 0 or 1; nil = absent, meaning 1 (CONNECT).
	RequestProblemInformation *byte
	// WillDelayInterval in seconds (will).
	WillDelayInterval uint32
	// RequestResponseInformation: 0 or 1 (CONNECT).
	RequestResponseInformation byte
	// ResponseInformation (CONNACK).
	ResponseInformation string
	// ServerReference names another server (CONNACK, DISCONNECT).
	ServerReference string
	// ReasonString is a human-readable diagnostic (acks, CONNACK, DISCONNECT, AUTH).
	ReasonString string
	// ReceiveMaximum: 0 = absent, meaning 65,535 (CONNECT, CONNACK).
	ReceiveMaximum uint16
	// TopicAliasMaximum: 0 = absent or none accepted (CONNECT, CONNACK).
	TopicAliasMaximum uint16
	// TopicAlias: 0 = absent (PUBLISH).
	TopicAlias uint16
	// MaximumQoS: 0 or 1; nil = absent, meaning 2 (CONNACK).
	MaximumQoS *byte
	// RetainAvailable: 0 or 1; nil = absent, meaning 1 (CONNACK).
	RetainAvailable *byte
	// User are the user properties (every packet but PINGREQ/PINGRESP).
	User []UserProperty
	// MaximumPacketSize: 0 = absent, no limit (CONNECT, CONNACK).
	MaximumPacketSize uint32
	// WildcardSubscriptionAvailable: 0 or 1; nil = absent, meaning 1 (CONNACK).
	WildcardSubscriptionAvailable *byte
	// SubscriptionIdentifierAvailable: 0 or 1; nil = absent, meaning 1 (CONNACK).
	SubscriptionIdentifierAvailable *byte
	// SharedSubscriptionAvailable: 0 or 1; nil = absent, meaning 1 (CONNACK).
	SharedSubscriptionAvailable *byte
}

// propScope is where a property may appear: a packet type, or the will of a
// CONNECT (scopeWill, which is not a packet type).
type propScope uint32

const scopeWill Type = 0

func scopes(ts ...Type) propScope {
	var s propScope
	for _, t := range ts {
		s |= 1 << t
	}
	return s
}

// allowedIn is Table 2-4's "Packet / Will Properties" column.
var allowedIn = map[PropertyID]propScope{
	PropPayloadFormatIndicator:          scopes(PUBLISH, scopeWill),
	PropMessageExpiryInterval:           scopes(PUBLISH, scopeWill),
	PropContentType:                     scopes(PUBLISH, scopeWill),
	PropResponseTopic:                   scopes(PUBLISH, scopeWill),
	PropCorrelationData:                 scopes(PUBLISH, scopeWill),
	PropSubscriptionIdentifier:          scopes(PUBLISH, SUBSCRIBE),
	PropSessionExpiryInterval:           scopes(CONNECT, CONNACK, DISCONNECT),
	PropAssignedClientIdentifier:        scopes(CONNACK),
	PropServerKeepAlive:                 scopes(CONNACK),
	PropAuthenticationMethod:            scopes(CONNECT, CONNACK, AUTH),
	PropAuthenticationData:              scopes(CONNECT, CONNACK, AUTH),
	PropRequestProblemInformation:       scopes(CONNECT),
	PropWillDelayInterval:               scopes(scopeWill),
	PropRequestResponseInformation:      scopes(CONNECT),
	PropResponseInformation:             scopes(CONNACK),
	PropServerReference:                 scopes(CONNACK, DISCONNECT),
	PropReasonString:                    scopes(CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH),
	PropReceiveMaximum:                  scopes(CONNECT, CONNACK),
	PropTopicAliasMaximum:               scopes(CONNECT, CONNACK),
	PropTopicAlias:                      scopes(PUBLISH),
	PropMaximumQoS:                      scopes(CONNACK),
	PropRetainAvailable:                 scopes(CONNACK),
	PropUserProperty:                    scopes(CONNECT, CONNACK, PUBLISH, scopeWill, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, DISCONNECT, AUTH),
	PropMaximumPacketSize:               scopes(CONNECT, CONNACK),
	PropWildcardSubscriptionAvailable:   scopes(CONNACK),
	PropSubscriptionIdentifierAvailable: scopes(CONNACK),
	PropSharedSubscriptionAvailable:     scopes(CONNACK),
}

// scopeName names where properties are, for errors.
func scopeName(t Type) string {
	if t == scopeWill {
		return "will"
	}
	return t.String()
}
