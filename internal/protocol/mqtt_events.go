package protocol

// Group presence events and MQTT properties of the upstream event protocol,
// as @azure/web-pubsub-express 1.1.0 reads and writes them (its type
// definitions and dispatcher are the source; the reference documents do not
// describe them yet).

// Group presence events (non-blocking).
const (
	EventTypeGroupJoined = "azure.webpubsub.gp.joined"
	EventTypeGroupLeft   = "azure.webpubsub.gp.left"

	// EventGroupJoined and EventGroupLeft are the event names (ce-eventName,
	// {event}) the emulator uses for the group presence events, and the
	// names the service's settings use for them (groupPresenceEvents).
	EventGroupJoined = "joined"
	EventGroupLeft   = "left"
)

// Headers of events about MQTT connections.
const (
	// HeaderPhysicalConnectionID carries the id of an MQTT client's network
	// connection; with a ce-subprotocol containing "mqtt" it marks an MQTT
	// request.
	HeaderPhysicalConnectionID = "ce-physicalConnectionId"
	// HeaderSessionID carries an MQTT client's session id.
	HeaderSessionID = "ce-sessionId"
)

// GroupEvent is the JSON body of the gp.joined and gp.left events.
type GroupEvent struct {
	// Group is the group the connection joined or left.
	Group string `json:"group"`
}

// MQTTUserProperty is one MQTT 5 user property.
type MQTTUserProperty struct {
	// Name is the property's name.
	Name string `json:"name"`
	// Value is the property's value.
	Value string `json:"value"`
}

// MQTTConnectProperties are the "mqtt" member of an MQTT client's connect
// event.
type MQTTConnectProperties struct {
	// ProtocolVersion is 4 for MQTT 3.1.1 and 5 for MQTT 5.0.
	ProtocolVersion int `json:"protocolVersion"`
	// CleanStart is the CONNECT packet's Clean Start (5.0) or Clean
	// Session (3.1.1) flag. The service's reference lists it
	// (reference-mqtt-cloud-events); the express package's types omit it.
	CleanStart bool `json:"cleanStart"`
	// Username is the CONNECT packet's user name, if any.
	Username string `json:"username,omitempty"`
	// Password is the CONNECT packet's password, if any.
	Password string `json:"password,omitempty"`
	// UserProperties are the CONNECT packet's user properties (MQTT 5).
	UserProperties []MQTTUserProperty `json:"userProperties,omitempty"`
}

// MQTTConnectResponseProperties are the "mqtt" member of a connect answer
// accepting an MQTT client.
type MQTTConnectResponseProperties struct {
	// UserProperties go into the CONNACK packet (MQTT 5).
	UserProperties []MQTTUserProperty `json:"userProperties,omitempty"`
}

// MQTTConnectError is the JSON body of a connect answer refusing an MQTT
// client.
type MQTTConnectError struct {
	// MQTT holds the refusal.
	MQTT MQTTConnectErrorProperties `json:"mqtt"`
}

// MQTTConnectErrorProperties describe an MQTT refusal.
type MQTTConnectErrorProperties struct {
	// Code is an MQTT 3.1.1 connect return code or an MQTT 5.0 connect
	// reason code.
	Code int `json:"code"`
	// Reason is a text for the client (MQTT 5), if any.
	Reason string `json:"reason,omitempty"`
	// UserProperties go into the CONNACK packet (MQTT 5).
	UserProperties []MQTTUserProperty `json:"userProperties,omitempty"`
}

// MQTTDisconnectedProperties are the "mqtt" member of an MQTT client's
// disconnected event.
type MQTTDisconnectedProperties struct {
	// DisconnectPacket is the DISCONNECT packet.
	DisconnectPacket MQTTDisconnectPacket `json:"disconnectPacket"`
	// InitiatedByClient says whether the client sent it.
	InitiatedByClient bool `json:"initiatedByClient"`
}

// MQTTDisconnectPacket is an MQTT DISCONNECT packet.
type MQTTDisconnectPacket struct {
	// Code is the MQTT disconnect reason code.
	Code int `json:"code"`
	// UserProperties are the packet's user properties (MQTT 5).
	UserProperties []MQTTUserProperty `json:"userProperties,omitempty"`
}
