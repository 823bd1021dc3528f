package client

// ConnectedEvent is delivered when a new connection to the service is
// established (not when a dropped connection is recovered), once the client's
// groups were rejoined on it.
type ConnectedEvent struct {
	// ConnectionID is the service's id of the connection.
	ConnectionID string
	// UserID is the user id from the access token, if any.
	UserID string
}

// DisconnectedEvent is delivered when a connection is closed and could not
// be recovered.
type DisconnectedEvent struct {
	// ConnectionID is the id of the closed connection, if it was known.
	ConnectionID string
	// Message is the reason the service gave in its "disconnected" system
	// message, if any.
	Message string
	// Err is why the connection ended (e.g. the WebSocket close status), or
	// nil after Stop.
	Err error
}

// StoppedEvent is delivered once the client has stopped, after Stop or when
// it gave up reconnecting. It is the last event of a Start..Stop session.
type StoppedEvent struct {
	// Err is why the client stopped on its own, or nil after Stop.
	Err error
}

// ServerMessage is a message sent by the server (REST API or an upstream
// event handler's response).
type ServerMessage struct {
	// DataType is the type of Data.
	DataType DataType
	// Data is the UTF-8 text, JSON text or raw bytes of the message.
	Data []byte
	// SequenceID is the message's sequence id on a reliable connection, else 0.
	SequenceID uint64
	// Metadata are the message's metadata entries, if any (nil when none).
	Metadata map[string]string
}

// GroupMessage is a message sent to a group this client is in, by a client
// or by the server (REST API).
type GroupMessage struct {
	// Group is the group the message was sent to.
	Group string
	// FromUserID is the sending client's user id. It is empty when the
	// sender has none, when the server sent the message (a REST send to the
	// group), and always on the protobuf subprotocols, which do not carry it.
	FromUserID string
	// DataType is the type of Data.
	DataType DataType
	// Data is the UTF-8 text, JSON text or raw bytes of the message.
	Data []byte
	// SequenceID is the message's sequence id on a reliable connection, else 0.
	SequenceID uint64
	// Stream is set when the message is a fragment (or the terminal frame)
	// of a group stream; see SubscribeGroupStreams to read streams whole.
	Stream *GroupStreamInfo
	// Metadata are the metadata entries the sender attached, if any (nil
	// when none).
	Metadata map[string]string
}

// RejoinGroupFailedEvent is delivered when a group the client had joined
// could not be joined again on a new connection.
type RejoinGroupFailedEvent struct {
	// Group is the group that could not be rejoined.
	Group string
	// Err is why (often a *SendMessageError with ErrorName "Forbidden").
	Err error
}
