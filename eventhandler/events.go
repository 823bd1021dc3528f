package eventhandler

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// DataType says how a user event's data is encoded. Its values are those of
// client.DataType (same names, same strings): convert one to the other with
// client.DataType(t) or eventhandler.DataType(t). The two packages keep a
// type each so that neither imports the other.
type DataType string

// Data types of user events and their answers.
const (
	// DataTypeText is UTF-8 text (Content-Type text/plain).
	DataTypeText DataType = "text"
	// DataTypeJSON is a JSON value (Content-Type application/json).
	DataTypeJSON DataType = "json"
	// DataTypeBinary is raw bytes (Content-Type application/octet-stream).
	DataTypeBinary DataType = "binary"
	// DataTypeProtobuf is a serialized google.protobuf.Any (Content-Type
	// application/x-protobuf): an event of a client speaking one of the
	// protobuf subprotocols. Unmarshal Data into an anypb.Any to read it.
	// It only appears in requests; answer with text, JSON or binary.
	DataTypeProtobuf DataType = "protobuf"
)

// PossibleDataTypeValues returns every DataType value.
func PossibleDataTypeValues() []DataType {
	return []DataType{DataTypeText, DataTypeJSON, DataTypeBinary, DataTypeProtobuf}
}

// ConnectionContext describes the connection an event is about. It is built
// from the event's CloudEvents headers.
type ConnectionContext struct {
	// Hub is the hub of the connection (ce-hub).
	Hub string
	// ConnectionID identifies the connection (ce-connectionId).
	ConnectionID string
	// EventName is the event's name: "connect", "connected",
	// "disconnected" or the user event's name (ce-eventName).
	EventName string
	// Origin is the service host the event came from (WebHook-Request-Origin).
	Origin string
	// UserID is the connection's user, if any (ce-userId).
	UserID string
	// Subprotocol is the connection's WebSocket subprotocol, if any (ce-subprotocol).
	Subprotocol string
	// ClientProtocol is ClientProtocolMQTT for an MQTT client, else
	// ClientProtocolDefault.
	ClientProtocol ClientProtocol
	// MQTT identifies an MQTT client's connection; nil for other clients.
	MQTT *MQTTConnectionProperties
	// State is the connection state set by earlier answers
	// (ce-connectionState). It is never nil. Numbers are float64, as with
	// encoding/json. Change it through the response's SetState.
	State map[string]any
}

// ClientCertificate is a client certificate presented on connect.
type ClientCertificate struct {
	// Thumbprint is the certificate's thumbprint.
	Thumbprint string
	// Content is the PEM content, when the service forwards it.
	Content string
}

// ConnectRequest is the blocking connect event, sent before the service
// accepts a WebSocket connection.
type ConnectRequest struct {
	// Context describes the connection.
	Context ConnectionContext
	// Claims are the claims of the client's access token.
	Claims map[string][]string
	// Query is the query of the client's connect URL.
	Query url.Values
	// Headers are the headers of the client's connect request.
	Headers map[string][]string
	// Subprotocols are the WebSocket subprotocols the client offered.
	Subprotocols []string
	// ClientCertificates are the client's certificates, if any.
	ClientCertificates []ClientCertificate
	// MQTT holds the CONNECT packet's properties of an MQTT client; nil for
	// other clients.
	MQTT *MQTTConnectProperties
}

// ConnectResponse is filled by OnConnect to set properties of the accepted
// connection. Leaving every field empty accepts the connection as it is.
type ConnectResponse struct {
	// UserID sets the connection's user.
	UserID string
	// Groups are joined when the connection is established.
	Groups []string
	// Roles are granted to the connection, e.g. "webpubsub.sendToGroup".
	Roles []string
	// Subprotocol selects one of the offered subprotocols.
	Subprotocol string
	// MQTT sets properties of an MQTT client's CONNACK packet.
	MQTT *MQTTConnectResponseProperties

	state stateUpdate
}

// SetState sets key in the connection state to value's JSON encoding. The
// new state is carried by later events of the connection.
func (r *ConnectResponse) SetState(key string, value any) error { return r.state.set(key, value) }

// DeleteState removes key from the connection state.
func (r *ConnectResponse) DeleteState(key string) { r.state.delete(key) }

// ClearState removes every key from the connection state.
func (r *ConnectResponse) ClearState() { r.state.clear() }

// ConnectedRequest is the non-blocking event sent after a connection is
// established.
type ConnectedRequest struct {
	// Context describes the connection.
	Context ConnectionContext
}

// DisconnectedRequest is the non-blocking event sent after a connection
// closed.
type DisconnectedRequest struct {
	// Context describes the connection.
	Context ConnectionContext
	// Reason says why the connection closed, if known.
	Reason string
	// MQTT describes an MQTT client's DISCONNECT; nil for other clients
	// (and when the service sent none).
	MQTT *MQTTDisconnectedProperties
}

// GroupJoinedRequest is the non-blocking event sent after a connection
// joined a group (azure.webpubsub.gp.joined).
type GroupJoinedRequest struct {
	// Context describes the connection.
	Context ConnectionContext
	// Group is the group the connection joined.
	Group string
}

// GroupLeftRequest is the non-blocking event sent after a connection left a
// group (azure.webpubsub.gp.left).
type GroupLeftRequest struct {
	// Context describes the connection.
	Context ConnectionContext
	// Group is the group the connection left.
	Group string
}

// UserEventRequest is a blocking user event: a frame of a simple WebSocket
// client (event "message") or an "event" message of a JSON client.
type UserEventRequest struct {
	// Context describes the connection; Context.EventName is the event's name.
	Context ConnectionContext
	// DataType says how Data is encoded.
	DataType DataType
	// Data is the event's payload.
	Data []byte
	// Metadata are the event's metadata entries: clients can attach them to
	// an event (client.SendEventOptions.Metadata), and the service sends
	// each as a header x-webpubsub-metadata-<key>. Keys are in lower case, as HTTP/2 and many
	// proxies deliver header names. Nil when the event has none.
	Metadata map[string]string
}

// UserEventResponse is filled by OnUserEvent. Data set here is sent back to
// the calling client; leaving it unset answers without a payload.
type UserEventResponse struct {
	dataType DataType
	data     []byte
	state    stateUpdate
}

// SetText answers with text.
func (r *UserEventResponse) SetText(s string) {
	r.dataType, r.data = DataTypeText, []byte(s)
}

// SetJSON answers with the JSON encoding of v.
func (r *UserEventResponse) SetJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("eventhandler: response is not JSON-encodable: %w", err)
	}
	r.dataType, r.data = DataTypeJSON, b
	return nil
}

// SetBinary answers with raw bytes.
func (r *UserEventResponse) SetBinary(b []byte) {
	r.dataType, r.data = DataTypeBinary, b
}

// SetState sets key in the connection state to value's JSON encoding. The
// new state is carried by later events of the connection.
func (r *UserEventResponse) SetState(key string, value any) error { return r.state.set(key, value) }

// DeleteState removes key from the connection state.
func (r *UserEventResponse) DeleteState(key string) { r.state.delete(key) }

// ClearState removes every key from the connection state.
func (r *UserEventResponse) ClearState() { r.state.clear() }

// contentType returns the HTTP content type of a data type.
func (t DataType) contentType() string {
	switch t {
	case DataTypeText:
		return "text/plain; charset=utf-8"
	case DataTypeJSON:
		return protocol.ContentTypeJSON + "; charset=utf-8"
	default:
		return "application/octet-stream"
	}
}
