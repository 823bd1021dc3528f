package protocol

// The preview messages of the JSON subprotocols: invoke, group streams and
// group state (client-protocol-preview.md, section 5). They are the frames the
// official JS client @azure/web-pubsub-client 1.1.0 reads and writes; their
// encoding is in preview_encode.go and preview_decode.go (JSON) and
// protobuf_preview.go (protobuf).

// Preview message types (the "type" field).
const (
	TypeInvoke                = "invoke"
	TypeInvokeResponse        = "invokeResponse"
	TypeCancelInvocation      = "cancelInvocation"
	TypeStreamData            = "streamData"
	TypeStreamEnd             = "streamEnd"
	TypeStreamAck             = "streamAck"
	TypeStreamNack            = "streamNack"
	TypeStreamClosed          = "streamClosed"
	TypeSetGroupState         = "setGroupState"
	TypeSubscribeGroupState   = "subscribeGroupState"
	TypeUnsubscribeGroupState = "unsubscribeGroupState"
	TypeGroupStateSnapshot    = "groupStateSnapshot"
	TypeGroupStateUpdate      = "groupStateUpdate"
)

// InvokeTargetEvent is the only invoke target today: an upstream user event.
const InvokeTargetEvent = "event"

// Stream error names the service and the client use.
const (
	// ErrorProtocolViolation names a stream closed because a peer broke the
	// stream protocol (an ack out of range, a gap in the fragment numbers).
	ErrorProtocolViolation = "ProtocolViolation"
	// ErrorIdleTimeout names a stream closed because no frame arrived for
	// its idle timeout.
	ErrorIdleTimeout = "IdleTimeout"
	// ErrorUserError names the terminal frame of a stream its sender
	// aborted: receivers get the sender's message and userErrorCode unchanged
	// under this name (AbortedStreamError). The official JS client's live
	// streaming test ("delivers stream end error to receiver onError with
	// userErrorCode/message") expects it (client-protocol-preview.md,
	// section 3).
	ErrorUserError = "UserError"
	// ErrorSenderGone names the terminal frame of a stream whose sender's
	// connection closed for good.
	ErrorSenderGone = "SenderDisconnected"
)

// InvokeMessage asks the service to run an upstream user event and answer
// with an InvokeResponseMessage carrying the same InvocationID. It never
// carries an ackId.
type InvokeMessage struct {
	// InvocationID correlates the response; the JS client uses "1", "2", ...
	InvocationID string
	// Target is what is invoked; always InvokeTargetEvent today.
	Target string
	// Event is the user event name.
	Event string
	// Data is the request body; a zero Payload (empty Type) means none.
	Data Payload
	// Metadata are the invocation's metadata entries (protobuf subprotocols
	// only; the JSON frame has none). They reach the upstream as
	// x-webpubsub-metadata-<key> headers.
	Metadata map[string]string
}

// InvokeResponseMessage answers an InvokeMessage.
type InvokeResponseMessage struct {
	// InvocationID is the id of the invoke answered.
	InvocationID string
	// Success is true on success, false on failure and nil when the frame
	// has no "success" field (a client fails such a call as unsupported).
	Success *bool
	// Data is the response body on success; a zero Payload means none.
	// A client drops a response whose dataType it does not know, and a
	// "data" without "dataType" is discarded.
	Data Payload
	// Error says why the invocation failed.
	Error *AckError
}

// CancelInvocationMessage asks the service to abandon an invocation; the
// response becomes optional. Unknown ids are ignored.
type CancelInvocationMessage struct {
	// InvocationID is the id of the invoke to cancel.
	InvocationID string
}

// StreamOpen is the "stream" object of a SendToGroupMessage that opens a
// group stream.
type StreamOpen struct {
	// StreamID names the stream; the JS client uses a random UUID.
	StreamID string `json:"streamId"`
	// IdleTimeoutMs asks the service to close the stream after this many
	// milliseconds without a frame; 0 means the service's default.
	IdleTimeoutMs uint64 `json:"idleTimeoutMs,omitempty"`
}

// StreamInfo is the "stream" object of a group message that is a fragment of
// a group stream.
type StreamInfo struct {
	// StreamID names the stream; receivers key streams by group and StreamID.
	StreamID string `json:"streamId"`
	// StreamSequenceID is the fragment's number in the stream, from 1.
	StreamSequenceID uint64 `json:"streamSequenceId"`
	// EndOfStream marks the terminal frame.
	EndOfStream bool `json:"endOfStream,omitempty"`
	// Error, on the terminal frame, says why the stream failed.
	Error *StreamError `json:"error,omitempty"`
}

// StreamError is the error of a failed stream. On a StreamEndMessage (the
// sender's abort) it has no Name; inside a StreamInfo it has all three.
type StreamError struct {
	// Name is the error name, e.g. "IdleTimeout".
	Name string `json:"name,omitempty"`
	// Message describes the error.
	Message string `json:"message,omitempty"`
	// UserErrorCode is the sender's own code for an abort.
	UserErrorCode string `json:"userErrorCode,omitempty"`
}

// StreamDataMessage carries one fragment of an open stream. A frame with
// StreamSequenceID 0 and no payload is a keep-alive.
type StreamDataMessage struct {
	// StreamID names the stream.
	StreamID string
	// StreamSequenceID is the fragment's number, from 1, one per write; 0
	// for a keep-alive.
	StreamSequenceID uint64
	// Data is the fragment; a zero Payload for a keep-alive.
	Data Payload
}

// StreamEndMessage ends a stream (Error nil) or aborts it.
type StreamEndMessage struct {
	// StreamID names the stream.
	StreamID string
	// Error, when set, aborts the stream; its Name is not sent.
	Error *StreamError
}

// StreamAckMessage acknowledges every fragment numbered below
// ExpectedSequenceID (cumulative).
type StreamAckMessage struct {
	// StreamID names the stream.
	StreamID string
	// ExpectedSequenceID is the next number the service expects.
	ExpectedSequenceID uint64
}

// StreamNackMessage refuses a fragment; it moves the sender's window like a
// StreamAckMessage.
type StreamNackMessage struct {
	// StreamID names the stream.
	StreamID string
	// Name is the error name.
	Name string
	// Message describes the error.
	Message string
	// ExpectedSequenceID is the next number the service expects.
	ExpectedSequenceID uint64
}

// StreamClosedMessage tells a sender its stream is closed: completed (Error
// nil) or failed.
type StreamClosedMessage struct {
	// StreamID names the stream.
	StreamID string
	// Error says why the stream failed, e.g. Name "Forbidden" for a refused
	// open.
	Error *AckError
}

// SetGroupStateMessage sets (or, with State nil, clears) the connection's
// state in a group.
type SetGroupStateMessage struct {
	// Group is the group.
	Group string
	// AckID, when set, asks the service to answer with an AckMessage.
	AckID *uint64
	// State is the state dictionary; nil clears it.
	State map[string]string
}

// SubscribeGroupStateMessage subscribes to a group's state.
type SubscribeGroupStateMessage struct {
	// Group is the group.
	Group string
	// AckID, when set, asks the service to answer with an AckMessage.
	AckID *uint64
}

// UnsubscribeGroupStateMessage ends a group state subscription.
type UnsubscribeGroupStateMessage struct {
	// Group is the group.
	Group string
	// AckID, when set, asks the service to answer with an AckMessage.
	AckID *uint64
}

// GroupStateItem is one connection's state in a group.
type GroupStateItem struct {
	// ConnectionID is the connection.
	ConnectionID string `json:"connectionId"`
	// UserID is the connection's user, if any.
	UserID string `json:"userId,omitempty"`
	// State is the state dictionary; nil when it was cleared.
	State map[string]string `json:"state,omitempty"`
	// UpdatedAt is when the state last changed, in Unix milliseconds.
	UpdatedAt int64 `json:"updatedAt"`
}

// GroupStateSnapshotMessage is the group's whole state, sent after a
// subscribe.
type GroupStateSnapshotMessage struct {
	// Group is the group.
	Group string
	// Items are the state entries.
	Items []GroupStateItem
}

// GroupStateUpdateMessage carries changed state entries of a subscribed
// group.
type GroupStateUpdateMessage struct {
	// Group is the group.
	Group string
	// Items are the changed entries.
	Items []GroupStateItem
}

// UnknownMessage is what Decode returns, without an error, for a frame a
// reader must drop silently to stay forward compatible (as the JS client
// does): an unknown "type", an unknown system "event", a "message" from an
// unknown source or with an unknown or missing "dataType", an invokeResponse
// with an unknown "dataType". It cannot be encoded.
type UnknownMessage struct {
	// TypeName is the frame's "type" (shortened if long).
	TypeName string
	// Event is the system event name, for an unknown system event.
	Event string
	// AckID is the frame's ackId, if it had one: a service may refuse it.
	AckID *uint64
	// Reason says why the frame is not understood.
	Reason string
}

// Type implements Message.
func (InvokeMessage) Type() string { return TypeInvoke }

// Type implements Message.
func (InvokeResponseMessage) Type() string { return TypeInvokeResponse }

// Type implements Message.
func (CancelInvocationMessage) Type() string { return TypeCancelInvocation }

// Type implements Message.
func (StreamDataMessage) Type() string { return TypeStreamData }

// Type implements Message.
func (StreamEndMessage) Type() string { return TypeStreamEnd }

// Type implements Message.
func (StreamAckMessage) Type() string { return TypeStreamAck }

// Type implements Message.
func (StreamNackMessage) Type() string { return TypeStreamNack }

// Type implements Message.
func (StreamClosedMessage) Type() string { return TypeStreamClosed }

// Type implements Message.
func (SetGroupStateMessage) Type() string { return TypeSetGroupState }

// Type implements Message.
func (SubscribeGroupStateMessage) Type() string { return TypeSubscribeGroupState }

// Type implements Message.
func (UnsubscribeGroupStateMessage) Type() string { return TypeUnsubscribeGroupState }

// Type implements Message.
func (GroupStateSnapshotMessage) Type() string { return TypeGroupStateSnapshot }

// Type implements Message.
func (GroupStateUpdateMessage) Type() string { return TypeGroupStateUpdate }

// Type implements Message.
func (m UnknownMessage) Type() string { return m.TypeName }

// AbortedStreamError returns the error the receivers of a stream get when
// its sender aborts it with sent (the error of its StreamEndMessage, which has
// no name): named ErrorUserError, with the sender's message and userErrorCode
// unchanged. A nil sent gives an error with the name only.
func AbortedStreamError(sent *StreamError) *StreamError {
	e := &StreamError{Name: ErrorUserError}
	if sent != nil {
		e.Message, e.UserErrorCode = sent.Message, sent.UserErrorCode
	}
	return e
}

// InvokeSucceeded returns a successful InvokeResponseMessage.
func InvokeSucceeded(invocationID string, data Payload) InvokeResponseMessage {
	ok := true
	return InvokeResponseMessage{InvocationID: invocationID, Success: &ok, Data: data}
}

// InvokeFailed returns a failed InvokeResponseMessage.
func InvokeFailed(invocationID, name, message string) InvokeResponseMessage {
	ok := false
	return InvokeResponseMessage{InvocationID: invocationID, Success: &ok, Error: &AckError{Name: name, Message: message}}
}
