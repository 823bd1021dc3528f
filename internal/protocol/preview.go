package protocol

// The preview frames of the JSON subprotocols: invoke, group streams and
// group state (client-protocol-preview.md, section 5). They are the frames the
// official JS client @azure/web-pubsub-client 1.1.0 reads and writes.

import (
	"encoding/json"
	"errors"
	"fmt"
)

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
	// ErrorStreamAborted names the terminal frame of a stream its sender
	// aborted (the sender's message and userErrorCode come with it).
	ErrorStreamAborted = "StreamAborted"
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

// encodePreview fills f for a preview message. It reports false for a type
// it does not know.
func encodePreview(m Message) (f frame, ok bool, err error) {
	switch m := m.(type) {
	case InvokeMessage:
		f = frame{Type: TypeInvoke, InvocationID: m.InvocationID, Target: m.Target, Event: m.Event, DataType: m.Data.Type}
		f.Data, err = encodeOptionalData(m.Data, false)
	case *InvokeMessage:
		return encodePreview(*m)
	case InvokeResponseMessage:
		f = frame{Type: TypeInvokeResponse, InvocationID: m.InvocationID, Success: m.Success, DataType: m.Data.Type}
		if f.Data, err = encodeOptionalData(m.Data, true); err == nil {
			f.Error, err = marshalError(m.Error)
		}
	case *InvokeResponseMessage:
		return encodePreview(*m)
	case CancelInvocationMessage:
		f = frame{Type: TypeCancelInvocation, InvocationID: m.InvocationID}
	case *CancelInvocationMessage:
		return encodePreview(*m)
	case StreamDataMessage:
		f = frame{Type: TypeStreamData, StreamID: m.StreamID, StreamSequenceID: seq(m.StreamSequenceID), DataType: m.Data.Type}
		f.Data, err = encodeOptionalData(m.Data, false)
	case *StreamDataMessage:
		return encodePreview(*m)
	case StreamEndMessage:
		f = frame{Type: TypeStreamEnd, StreamID: m.StreamID}
		if m.Error != nil {
			// The abort error has no name on the wire.
			f.Error, err = json.Marshal(StreamError{Message: m.Error.Message, UserErrorCode: m.Error.UserErrorCode})
		}
	case *StreamEndMessage:
		return encodePreview(*m)
	case StreamAckMessage:
		e := m.ExpectedSequenceID
		f = frame{Type: TypeStreamAck, StreamID: m.StreamID, ExpectedSequenceID: &e}
	case *StreamAckMessage:
		return encodePreview(*m)
	case StreamNackMessage:
		e := m.ExpectedSequenceID
		f = frame{Type: TypeStreamNack, StreamID: m.StreamID, Name: m.Name, Message: m.Message, ExpectedSequenceID: &e}
	case *StreamNackMessage:
		return encodePreview(*m)
	case StreamClosedMessage:
		f = frame{Type: TypeStreamClosed, StreamID: m.StreamID}
		f.Error, err = marshalError(m.Error)
	case *StreamClosedMessage:
		return encodePreview(*m)
	case SetGroupStateMessage:
		f = frame{Type: TypeSetGroupState, Group: m.Group, AckID: m.AckID}
		if m.State != nil {
			state := m.State
			f.State = &state
		}
	case *SetGroupStateMessage:
		return encodePreview(*m)
	case SubscribeGroupStateMessage:
		f = frame{Type: TypeSubscribeGroupState, Group: m.Group, AckID: m.AckID}
	case *SubscribeGroupStateMessage:
		return encodePreview(*m)
	case UnsubscribeGroupStateMessage:
		f = frame{Type: TypeUnsubscribeGroupState, Group: m.Group, AckID: m.AckID}
	case *UnsubscribeGroupStateMessage:
		return encodePreview(*m)
	case GroupStateSnapshotMessage:
		f = frame{Type: TypeGroupStateSnapshot, Group: m.Group, Items: itemsField(m.Items)}
	case *GroupStateSnapshotMessage:
		return encodePreview(*m)
	case GroupStateUpdateMessage:
		f = frame{Type: TypeGroupStateUpdate, Group: m.Group, Items: itemsField(m.Items)}
	case *GroupStateUpdateMessage:
		return encodePreview(*m)
	case UnknownMessage, *UnknownMessage:
		return f, true, fmt.Errorf("protocol: cannot encode an unknown message (%s)", m.Type())
	default:
		return f, false, nil
	}
	return f, true, err
}

// itemsField returns the items field of a group state frame: always
// written, [] when empty ("items" is required on the wire).
func itemsField(items []GroupStateItem) *[]GroupStateItem {
	if items == nil {
		items = []GroupStateItem{}
	}
	return &items
}

// decodeItems returns the items of a group state frame; an empty state
// dictionary reads as a cleared one (nil).
func decodeItems(p *[]GroupStateItem) []GroupStateItem {
	var items []GroupStateItem
	if p != nil {
		items = *p
	}
	if items == nil {
		items = []GroupStateItem{}
	}
	for i := range items {
		if len(items[i].State) == 0 {
			items[i].State = nil
		}
	}
	return items
}

// encodeStreamFrameData encodes the payload of a group stream frame: a json
// payload without data (a terminal frame) is written without "data".
func encodeStreamFrameData(p Payload) (json.RawMessage, error) {
	if p.Type == DataTypeJSON && len(p.Data) == 0 {
		return nil, nil
	}
	return encodeData(p)
}

// encodeSendToGroup fills f for a sendToGroup, plain or stream-opening.
func encodeSendToGroup(m SendToGroupMessage) (frame, error) {
	f := frame{Type: TypeSendToGroup, Group: m.Group, AckID: m.AckID}
	if m.Stream != nil {
		// The JS client always writes noEcho on a stream open, and no
		// payload.
		noEcho := m.NoEcho
		f.NoEcho = &noEcho
		var err error
		f.Stream, err = json.Marshal(m.Stream)
		return f, err
	}
	if m.NoEcho {
		noEcho := true
		f.NoEcho = &noEcho
	}
	f.DataType = m.Data.Type
	var err error
	f.Data, err = encodeData(m.Data)
	return f, err
}

// encodeOptionalData encodes p, or nothing for a zero Payload. With
// jsonMayBeEmpty, a json payload without data is written without "data".
func encodeOptionalData(p Payload, jsonMayBeEmpty bool) (json.RawMessage, error) {
	if p.Type == "" {
		if len(p.Data) > 0 {
			return nil, errors.New("protocol: data without a dataType")
		}
		return nil, nil
	}
	if jsonMayBeEmpty && p.Type == DataTypeJSON && len(p.Data) == 0 {
		return nil, nil
	}
	return encodeData(p)
}

// marshalError returns the JSON of an error object, or nil for none.
func marshalError(e *AckError) (json.RawMessage, error) {
	if e == nil {
		return nil, nil
	}
	return json.Marshal(e)
}

// unmarshalAckError decodes a {name, message} error object.
func unmarshalAckError(raw json.RawMessage) (*AckError, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var e *AckError
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, errors.New("protocol: error must be an object with string name and message")
	}
	return e, nil
}

// decodeSendToGroup decodes a sendToGroup frame, plain or stream-opening.
func decodeSendToGroup(f *frame) (Message, error) {
	if f.Group == "" {
		return nil, errors.New("protocol: sendToGroup needs a group")
	}
	noEcho := f.NoEcho != nil && *f.NoEcho
	if len(f.Stream) > 0 && string(f.Stream) != "null" {
		var s StreamOpen
		if err := json.Unmarshal(f.Stream, &s); err != nil {
			return nil, errors.New("protocol: sendToGroup stream must be an object with a string streamId and a whole idleTimeoutMs")
		}
		if s.StreamID == "" {
			return nil, errors.New("protocol: sendToGroup stream needs a streamId")
		}
		if f.AckID != nil || f.DataType != "" || len(f.Data) > 0 {
			return nil, errors.New("protocol: a stream-opening sendToGroup has no ackId and no payload")
		}
		return SendToGroupMessage{Group: f.Group, NoEcho: noEcho, Stream: &s}, nil
	}
	md, p, err := decodeMetadataAndData(f)
	if err != nil {
		return nil, err
	}
	return SendToGroupMessage{Group: f.Group, AckID: f.AckID, NoEcho: noEcho, Data: p, Metadata: md}, nil
}

// decodeDataMessage decodes a "message" frame (service to client). Like the
// JS client it drops, without an error, a frame from an unknown source or
// with an unknown or missing dataType.
func decodeDataMessage(f *frame) (Message, error) {
	if f.From != FromGroup && f.From != FromServer {
		return UnknownMessage{TypeName: TypeMessage, Reason: fmt.Sprintf("unknown message source %q", truncate(f.From))}, nil
	}
	if !knownDataType(f.DataType) {
		return UnknownMessage{TypeName: TypeMessage, Reason: fmt.Sprintf("unknown dataType %q", truncate(string(f.DataType)))}, nil
	}
	var sid uint64
	if f.SequenceID != nil {
		sid = *f.SequenceID
	}
	if f.From == FromServer {
		// A "stream" object on a server message is ignored (as JS does).
		p, err := decodeData(f.DataType, f.Data)
		if err != nil {
			return nil, err
		}
		md, err := decodeMetadata(f.Metadata)
		if err != nil {
			return nil, err
		}
		return ServerDataMessage{Data: p, SequenceID: sid, Metadata: md}, nil
	}
	stream := parseStreamInfo(f.Stream)
	var p Payload
	var err error
	if stream != nil && f.DataType == DataTypeJSON && len(f.Data) == 0 {
		p = Payload{Type: DataTypeJSON} // a terminal frame without data
	} else if p, err = decodeData(f.DataType, f.Data); err != nil {
		return nil, err
	}
	md, err := decodeMetadata(f.Metadata)
	if err != nil {
		return nil, err
	}
	return GroupDataMessage{Group: f.Group, FromUserID: f.FromUserID, Data: p, SequenceID: sid, Stream: stream, Metadata: md}, nil
}

// parseStreamInfo returns the stream object of a group message, or nil when
// it has no string streamId and numeric streamSequenceId (the JS client then
// treats the message as an ordinary group message).
func parseStreamInfo(raw json.RawMessage) *StreamInfo {
	if len(raw) == 0 {
		return nil
	}
	var probe struct {
		StreamID         *string         `json:"streamId"`
		StreamSequenceID *uint64         `json:"streamSequenceId"`
		EndOfStream      bool            `json:"endOfStream"`
		Error            json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &probe) != nil || probe.StreamID == nil || probe.StreamSequenceID == nil {
		return nil
	}
	s := &StreamInfo{StreamID: *probe.StreamID, StreamSequenceID: *probe.StreamSequenceID, EndOfStream: probe.EndOfStream}
	if len(probe.Error) > 0 {
		var e *StreamError
		if json.Unmarshal(probe.Error, &e) == nil {
			s.Error = e
		}
		if s.Error == nil && string(probe.Error) != "null" {
			// An error that is not an object still fails the stream.
			s.Error = &StreamError{}
		}
	}
	return s
}

func knownDataType(t DataType) bool {
	switch t {
	case DataTypeText, DataTypeJSON, DataTypeBinary, DataTypeProtobuf:
		return true
	}
	return false
}

// decodePreview decodes a preview frame. It reports false for a type it does
// not know.
func decodePreview(f *frame) (Message, bool, error) {
	m, err := decodePreviewFrame(f)
	if m == nil && err == nil {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	return m, true, nil
}

func decodePreviewFrame(f *frame) (Message, error) {
	switch f.Type {
	case TypeInvoke:
		if f.InvocationID == "" {
			return nil, errors.New("protocol: invoke needs an invocationId")
		}
		if f.Event == "" {
			return nil, errors.New("protocol: invoke needs an event name")
		}
		var p Payload
		if f.DataType != "" {
			var err error
			if p, err = decodeData(f.DataType, f.Data); err != nil {
				return nil, err
			}
		}
		md, err := decodeMetadata(f.Metadata)
		if err != nil {
			return nil, err
		}
		return InvokeMessage{InvocationID: f.InvocationID, Target: f.Target, Event: f.Event, Data: p, Metadata: md}, nil
	case TypeInvokeResponse:
		if f.InvocationID == "" {
			return nil, errors.New("protocol: invokeResponse needs an invocationId")
		}
		var p Payload
		if f.DataType != "" {
			if !knownDataType(f.DataType) {
				// Dropped: the call keeps waiting (as JS).
				return UnknownMessage{TypeName: TypeInvokeResponse, Reason: fmt.Sprintf("unknown dataType %q", truncate(string(f.DataType)))}, nil
			}
			if f.DataType == DataTypeJSON && len(f.Data) == 0 {
				p = Payload{Type: DataTypeJSON}
			} else {
				var err error
				if p, err = decodeData(f.DataType, f.Data); err != nil {
					return nil, err
				}
			}
		}
		e, err := unmarshalAckError(f.Error)
		if err != nil {
			return nil, err
		}
		return InvokeResponseMessage{InvocationID: f.InvocationID, Success: f.Success, Data: p, Error: e}, nil
	case TypeCancelInvocation:
		if f.InvocationID == "" {
			return nil, errors.New("protocol: cancelInvocation needs an invocationId")
		}
		return CancelInvocationMessage{InvocationID: f.InvocationID}, nil
	case TypeStreamData:
		if f.StreamID == "" {
			return nil, errors.New("protocol: streamData needs a streamId")
		}
		if f.StreamSequenceID == nil && f.DataType == "" && len(f.Data) == 0 {
			return StreamDataMessage{StreamID: f.StreamID}, nil // keep-alive
		}
		if f.StreamSequenceID == nil || *f.StreamSequenceID == 0 {
			return nil, errors.New("protocol: streamData with data needs a streamSequenceId from 1")
		}
		p, err := decodeData(f.DataType, f.Data)
		if err != nil {
			return nil, err
		}
		return StreamDataMessage{StreamID: f.StreamID, StreamSequenceID: *f.StreamSequenceID, Data: p}, nil
	case TypeStreamEnd:
		if f.StreamID == "" {
			return nil, errors.New("protocol: streamEnd needs a streamId")
		}
		m := StreamEndMessage{StreamID: f.StreamID}
		if len(f.Error) > 0 && string(f.Error) != "null" {
			var e StreamError
			if json.Unmarshal(f.Error, &e) != nil {
				return nil, errors.New("protocol: streamEnd error must be an object with string message and userErrorCode")
			}
			e.Name = "" // not part of the abort error
			m.Error = &e
		}
		return m, nil
	case TypeStreamAck, TypeStreamNack:
		if f.StreamID == "" || f.ExpectedSequenceID == nil {
			return nil, fmt.Errorf("protocol: %s needs streamId and expectedSequenceId", f.Type)
		}
		if f.Type == TypeStreamAck {
			return StreamAckMessage{StreamID: f.StreamID, ExpectedSequenceID: *f.ExpectedSequenceID}, nil
		}
		return StreamNackMessage{StreamID: f.StreamID, Name: f.Name, Message: f.Message, ExpectedSequenceID: *f.ExpectedSequenceID}, nil
	case TypeStreamClosed:
		if f.StreamID == "" {
			return nil, errors.New("protocol: streamClosed needs a streamId")
		}
		e, err := unmarshalAckError(f.Error)
		if err != nil {
			return nil, err
		}
		return StreamClosedMessage{StreamID: f.StreamID, Error: e}, nil
	case TypeSetGroupState, TypeSubscribeGroupState, TypeUnsubscribeGroupState:
		if f.Group == "" {
			return nil, fmt.Errorf("protocol: %s needs a group", f.Type)
		}
		switch f.Type {
		case TypeSetGroupState:
			m := SetGroupStateMessage{Group: f.Group, AckID: f.AckID}
			if f.State != nil {
				m.State = *f.State
			}
			return m, nil
		case TypeSubscribeGroupState:
			return SubscribeGroupStateMessage{Group: f.Group, AckID: f.AckID}, nil
		}
		return UnsubscribeGroupStateMessage{Group: f.Group, AckID: f.AckID}, nil
	case TypeGroupStateSnapshot, TypeGroupStateUpdate:
		if f.Group == "" {
			return nil, fmt.Errorf("protocol: %s needs a group", f.Type)
		}
		if f.Type == TypeGroupStateSnapshot {
			return GroupStateSnapshotMessage{Group: f.Group, Items: decodeItems(f.Items)}, nil
		}
		return GroupStateUpdateMessage{Group: f.Group, Items: decodeItems(f.Items)}, nil
	}
	return nil, nil
}
