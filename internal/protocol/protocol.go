// Package protocol defines the wire format of the Azure Web PubSub client
// subprotocols: JSON (json.webpubsub.azure.v1, json.reliable.webpubsub.azure.v1)
// and protobuf (protobuf.webpubsub.azure.v1,
// protobuf.reliable.webpubsub.azure.v1; schema in pb/webpubsub.proto). It is
// the one definition shared by the client SDK and the emulator; Codec picks
// the encoding of a subprotocol.
package protocol

// WebSocket subprotocols.
const (
	// JSON is the JSON subprotocol.
	JSON = "json.webpubsub.azure.v1"
	// JSONReliable is the reliable JSON subprotocol: server messages carry
	// sequence ids and connections can be recovered.
	JSONReliable = "json.reliable.webpubsub.azure.v1"
	// Protobuf is the protobuf subprotocol: binary frames of the messages in
	// pb/webpubsub.proto.
	Protobuf = "protobuf.webpubsub.azure.v1"
	// ProtobufReliable is the reliable protobuf subprotocol: server messages
	// carry sequence ids and connections can be recovered.
	ProtobufReliable = "protobuf.reliable.webpubsub.azure.v1"
)

// IsReliable reports whether subprotocol is a reliable subprotocol.
func IsReliable(subprotocol string) bool {
	return subprotocol == JSONReliable || subprotocol == ProtobufReliable
}

// IsProtobuf reports whether subprotocol is a protobuf subprotocol.
func IsProtobuf(subprotocol string) bool {
	return subprotocol == Protobuf || subprotocol == ProtobufReliable
}

// Client roles carried in the token's role claim. A role may be scoped to one
// group by appending "." and the group name.
const (
	RoleJoinLeaveGroup = "webpubsub.joinLeaveGroup"
	RoleSendToGroup    = "webpubsub.sendToGroup"
)

// Query parameters a client adds to the URL to recover a reliable connection.
const (
	QueryConnectionID      = "awps_connection_id"
	QueryReconnectionToken = "awps_reconnection_token"
	QueryAccessToken       = "access_token"
)

// CloseCodePolicyViolation is the WebSocket close code after which a client
// must not try to recover the connection.
const CloseCodePolicyViolation = 1008

// Message types (the "type" field).
const (
	TypeJoinGroup   = "joinGroup"
	TypeLeaveGroup  = "leaveGroup"
	TypeSendToGroup = "sendToGroup"
	TypeEvent       = "event"
	TypeSequenceAck = "sequenceAck"
	TypePing        = "ping"
	TypePong        = "pong"
	TypeSystem      = "system"
	TypeMessage     = "message"
	TypeAck         = "ack"
)

// System event names (the "event" field of a system message).
const (
	SystemConnected    = "connected"
	SystemDisconnected = "disconnected"
)

// Sources of a "message" (the "from" field).
const (
	FromServer = "server"
	FromGroup  = "group"
)

// Ack error names.
const (
	ErrorDuplicate           = "Duplicate"
	ErrorForbidden           = "Forbidden"
	ErrorInternalServerError = "InternalServerError"
	ErrorTimeout             = "Timeout"
	ErrorBadRequest          = "BadRequest"
)
