package eventhandler

import (
	"fmt"
	"net/http"

	"github.com/webpubsub-go/webpubsub"
)

// ClientProtocol is the kind of client an event is about. It is the service
// SDK's type (one definition for the module), so that a value from an event
// compares with the one a token was made for.
type ClientProtocol = webpubsub.ClientProtocol

// Client protocols an event handler tells apart.
const (
	// ClientProtocolDefault is a Web PubSub client (WebSocket, with or
	// without a subprotocol).
	ClientProtocolDefault = webpubsub.ClientProtocolDefault
	// ClientProtocolMQTT is an MQTT 3.1.1 or 5.0 client: an event whose
	// ce-subprotocol contains "mqtt" and that carries ce-physicalConnectionId.
	ClientProtocolMQTT = webpubsub.ClientProtocolMQTT
)

// MQTTConnectionProperties identify an MQTT client's connection.
type MQTTConnectionProperties struct {
	// PhysicalConnectionID is the id of the client's network connection
	// (ce-physicalConnectionId).
	PhysicalConnectionID string
	// SessionID is the client's session id (ce-sessionId), if any.
	SessionID string
}

// MQTTUserProperty is one MQTT 5 user property.
type MQTTUserProperty struct {
	// Name is the property's name.
	Name string
	// Value is the property's value.
	Value string
}

// MQTTConnectProperties are the properties of an MQTT client's CONNECT
// packet.
type MQTTConnectProperties struct {
	// ProtocolVersion is 4 for MQTT 3.1.1 and 5 for MQTT 5.0.
	ProtocolVersion int
	// Username is the packet's user name, if any.
	Username string
	// Password is the packet's password, if any. Never log it.
	Password string
	// UserProperties are the packet's user properties (MQTT 5).
	UserProperties []MQTTUserProperty
}

// MQTTConnectResponseProperties are sent back in the CONNACK packet of an
// accepted MQTT client.
type MQTTConnectResponseProperties struct {
	// UserProperties go into the CONNACK packet (MQTT 5).
	UserProperties []MQTTUserProperty
}

// MQTTDisconnectedProperties describe how an MQTT client disconnected.
type MQTTDisconnectedProperties struct {
	// DisconnectPacket is the DISCONNECT packet.
	DisconnectPacket MQTTDisconnectPacket
	// InitiatedByClient says whether the client sent the packet.
	InitiatedByClient bool
}

// MQTTDisconnectPacket is an MQTT DISCONNECT packet.
type MQTTDisconnectPacket struct {
	// Code is the disconnect reason code.
	Code MQTTDisconnectReasonCode
	// UserProperties are the packet's user properties (MQTT 5).
	UserProperties []MQTTUserProperty
}

// MQTTV311ConnectReturnCode is an MQTT 3.1.1 CONNACK return code refusing a
// connection.
type MQTTV311ConnectReturnCode uint8

// MQTT 3.1.1 connect return codes (section 3.2.2.3 of the specification).
const (
	MQTTV311UnacceptableProtocolVersion MQTTV311ConnectReturnCode = 1
	MQTTV311IdentifierRejected          MQTTV311ConnectReturnCode = 2
	MQTTV311ServerUnavailable           MQTTV311ConnectReturnCode = 3
	MQTTV311BadUsernameOrPassword       MQTTV311ConnectReturnCode = 4
	MQTTV311NotAuthorized               MQTTV311ConnectReturnCode = 5
)

// MQTTV500ConnectReasonCode is an MQTT 5.0 CONNACK reason code refusing a
// connection (128 or more).
type MQTTV500ConnectReasonCode uint8

// MQTT 5.0 connect reason codes (section 3.2.2.2 of the specification).
const (
	MQTTV500UnspecifiedError            MQTTV500ConnectReasonCode = 128
	MQTTV500MalformedPacket             MQTTV500ConnectReasonCode = 129
	MQTTV500ProtocolError               MQTTV500ConnectReasonCode = 130
	MQTTV500ImplementationSpecificError MQTTV500ConnectReasonCode = 131
	MQTTV500UnsupportedProtocolVersion  MQTTV500ConnectReasonCode = 132
	MQTTV500ClientIdentifierNotValid    MQTTV500ConnectReasonCode = 133
	MQTTV500BadUserNameOrPassword       MQTTV500ConnectReasonCode = 134
	MQTTV500NotAuthorized               MQTTV500ConnectReasonCode = 135
	MQTTV500ServerUnavailable           MQTTV500ConnectReasonCode = 136
	MQTTV500ServerBusy                  MQTTV500ConnectReasonCode = 137
	MQTTV500Banned                      MQTTV500ConnectReasonCode = 138
	MQTTV500BadAuthenticationMethod     MQTTV500ConnectReasonCode = 140
	MQTTV500TopicNameInvalid            MQTTV500ConnectReasonCode = 144
	MQTTV500PacketTooLarge              MQTTV500ConnectReasonCode = 149
	MQTTV500QuotaExceeded               MQTTV500ConnectReasonCode = 151
	MQTTV500PayloadFormatInvalid        MQTTV500ConnectReasonCode = 153
	MQTTV500RetainNotSupported          MQTTV500ConnectReasonCode = 154
	MQTTV500QoSNotSupported             MQTTV500ConnectReasonCode = 155
	MQTTV500UseAnotherServer            MQTTV500ConnectReasonCode = 156
	MQTTV500ServerMoved                 MQTTV500ConnectReasonCode = 157
	MQTTV500ConnectionRateExceeded      MQTTV500ConnectReasonCode = 159
)

// MQTTDisconnectReasonCode is an MQTT 5.0 DISCONNECT reason code.
type MQTTDisconnectReasonCode uint8

// MQTT disconnect reason codes (section 3.14.2.1 of the MQTT 5.0
// specification).
const (
	MQTTDisconnectNormalDisconnection                 MQTTDisconnectReasonCode = 0
	MQTTDisconnectWithWillMessage                     MQTTDisconnectReasonCode = 4
	MQTTDisconnectUnspecifiedError                    MQTTDisconnectReasonCode = 128
	MQTTDisconnectMalformedPacket                     MQTTDisconnectReasonCode = 129
	MQTTDisconnectProtocolError                       MQTTDisconnectReasonCode = 130
	MQTTDisconnectImplementationSpecificError         MQTTDisconnectReasonCode = 131
	MQTTDisconnectNotAuthorized                       MQTTDisconnectReasonCode = 135
	MQTTDisconnectServerBusy                          MQTTDisconnectReasonCode = 137
	MQTTDisconnectServerShuttingDown                  MQTTDisconnectReasonCode = 139
	MQTTDisconnectKeepAliveTimeout                    MQTTDisconnectReasonCode = 141
	MQTTDisconnectSessionTakenOver                    MQTTDisconnectReasonCode = 142
	MQTTDisconnectTopicFilterInvalid                  MQTTDisconnectReasonCode = 143
	MQTTDisconnectTopicNameInvalid                    MQTTDisconnectReasonCode = 144
	MQTTDisconnectReceiveMaximumExceeded              MQTTDisconnectReasonCode = 147
	MQTTDisconnectTopicAliasInvalid                   MQTTDisconnectReasonCode = 148
	MQTTDisconnectPacketTooLarge                      MQTTDisconnectReasonCode = 149
	MQTTDisconnectMessageRateTooHigh                  MQTTDisconnectReasonCode = 150
	MQTTDisconnectQuotaExceeded                       MQTTDisconnectReasonCode = 151
	MQTTDisconnectAdministrativeAction                MQTTDisconnectReasonCode = 152
	MQTTDisconnectPayloadFormatInvalid                MQTTDisconnectReasonCode = 153
	MQTTDisconnectRetainNotSupported                  MQTTDisconnectReasonCode = 154
	MQTTDisconnectQoSNotSupported                     MQTTDisconnectReasonCode = 155
	MQTTDisconnectUseAnotherServer                    MQTTDisconnectReasonCode = 156
	MQTTDisconnectServerMoved                         MQTTDisconnectReasonCode = 157
	MQTTDisconnectSharedSubscriptionsNotSupported     MQTTDisconnectReasonCode = 158
	MQTTDisconnectConnectionRateExceeded              MQTTDisconnectReasonCode = 159
	MQTTDisconnectMaximumConnectTime                  MQTTDisconnectReasonCode = 160
	MQTTDisconnectSubscriptionIdentifiersNotSupported MQTTDisconnectReasonCode = 161
	MQTTDisconnectWildcardSubscriptionsNotSupported   MQTTDisconnectReasonCode = 162
)

// MQTTConnectError refuses an MQTT client with an MQTT code. OnConnect
// returns it (usually through FailMQTT); the answer is the JSON body
// {"mqtt": {"code", "reason", "userProperties"}} with the HTTP status
// Status() gives.
type MQTTConnectError struct {
	// Code is an MQTT 3.1.1 connect return code (1-5) or an MQTT 5.0
	// connect reason code (128 or more).
	Code uint8
	// Reason is a text for the client (MQTT 5), if any; it can reach the
	// client.
	Reason string
	// UserProperties go into the CONNACK packet (MQTT 5).
	UserProperties []MQTTUserProperty
}

// FailMQTT returns an error refusing an MQTT client with code and reason,
// for OnConnect to return. Like Fail it returns an error, whose concrete
// type (*MQTTConnectError) errors.As finds.
func FailMQTT[C MQTTV311ConnectReturnCode | MQTTV500ConnectReasonCode](code C, reason string) error {
	return &MQTTConnectError{Code: uint8(code), Reason: reason}
}

// Error implements error.
func (e *MQTTConnectError) Error() string {
	return fmt.Sprintf("eventhandler: MQTT connect refused with code %d: %s", e.Code, e.Reason)
}

// Status returns the HTTP status of the refusal, mapped from the code as
// @azure/web-pubsub-express 1.1.0 maps it: 3.1.1 codes 1-2 are 400, 3 is 503,
// 4-5 are 401; 5.0 codes 134-135 are 401, malformed or unsupported requests
// 400, quota and rate 429, banned 403, the rest 500.
func (e *MQTTConnectError) Status() int {
	c := e.Code
	if c < 128 {
		switch MQTTV311ConnectReturnCode(c) {
		case MQTTV311UnacceptableProtocolVersion, MQTTV311IdentifierRejected:
			return http.StatusBadRequest
		case MQTTV311ServerUnavailable:
			return http.StatusServiceUnavailable
		case MQTTV311BadUsernameOrPassword, MQTTV311NotAuthorized:
			return http.StatusUnauthorized
		}
		return http.StatusInternalServerError
	}
	switch MQTTV500ConnectReasonCode(c) {
	case MQTTV500NotAuthorized, MQTTV500BadUserNameOrPassword:
		return http.StatusUnauthorized
	case MQTTV500ClientIdentifierNotValid, MQTTV500MalformedPacket, MQTTV500UnsupportedProtocolVersion,
		MQTTV500BadAuthenticationMethod, MQTTV500TopicNameInvalid, MQTTV500PayloadFormatInvalid,
		MQTTV500ImplementationSpecificError, MQTTV500PacketTooLarge, MQTTV500RetainNotSupported,
		MQTTV500QoSNotSupported:
		return http.StatusBadRequest
	case MQTTV500QuotaExceeded, MQTTV500ConnectionRateExceeded:
		return http.StatusTooManyRequests
	case MQTTV500Banned:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// mqttCodeForStatus is the MQTT code an HTTP refusal of an MQTT client is
// translated to, as the express handler does for fail(status): by protocol
// version 4 (3.1.1) or 5; any other version gets UnacceptableProtocolVersion.
func mqttCodeForStatus(status, protocolVersion int) uint8 {
	switch protocolVersion {
	case 4:
		switch status {
		case http.StatusBadRequest:
			return uint8(MQTTV311BadUsernameOrPassword)
		case http.StatusUnauthorized:
			return uint8(MQTTV311NotAuthorized)
		}
		return uint8(MQTTV311ServerUnavailable)
	case 5:
		switch status {
		case http.StatusBadRequest:
			return uint8(MQTTV500BadUserNameOrPassword)
		case http.StatusUnauthorized:
			return uint8(MQTTV500NotAuthorized)
		}
		return uint8(MQTTV500UnspecifiedError)
	}
	return uint8(MQTTV311UnacceptableProtocolVersion)
}
