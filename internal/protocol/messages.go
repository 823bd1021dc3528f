package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Message is implemented by every message of the JSON subprotocols.
type Message interface {
	// Type returns the message's "type" field.
	Type() string
}

// JoinGroupMessage asks the service to add the connection to a group.
type JoinGroupMessage struct {
	// Group is the group to join.
	Group string
	// AckID, when set, asks the service to answer with an AckMessage.
	AckID *uint64
}

// LeaveGroupMessage asks the service to remove the connection from a group.
type LeaveGroupMessage struct {
	// Group is the group to leave.
	Group string
	// AckID, when set, asks the service to answer with an AckMessage.
	AckID *uint64
}

// SendToGroupMessage publishes data to a group.
type SendToGroupMessage struct {
	// Group is the group to publish to.
	Group string
	// AckID, when set, asks the service to answer with an AckMessage.
	AckID *uint64
	// NoEcho keeps the message from the sender itself (for a stream: every
	// fragment of it).
	NoEcho bool
	// Data is the message body. It is unused (zero) when Stream is set.
	Data Payload
	// Stream, when set, makes this frame open a group stream instead of
	// publishing data: it carries no ackId and no payload, and the service
	// answers with a StreamAckMessage (expectedSequenceId 1) or a
	// StreamClosedMessage.
	Stream *StreamOpen
	// TTLSeconds, when not 0, is how long the message may be resent to a
	// recovering reliable client (protobuf subprotocols only: the JSON
	// frame has no such field).
	TTLSeconds uint32
	// Metadata are the message's metadata entries (metadata.go), delivered
	// to the group's receivers. Decode checks their shape (strings, no
	// repeated key), not the service's rules: see ValidateMetadata.
	Metadata map[string]string
}

// EventMessage sends a user event to the upstream event handler.
type EventMessage struct {
	// Event is the user event name.
	Event string
	// AckID, when set, asks the service to answer with an AckMessage.
	AckID *uint64
	// Data is the event body.
	Data Payload
	// Metadata are the event's metadata entries (metadata.go). They reach
	// the upstream as x-webpubsub-metadata-<key> headers. Decode checks
	// their shape, not the service's rules: see ValidateMetadata.
	Metadata map[string]string
}

// SequenceAckMessage acknowledges every sequence id up to SequenceID
// (reliable subprotocol only).
type SequenceAckMessage struct {
	// SequenceID is the highest contiguous sequence id received.
	SequenceID uint64
}

// PingMessage is a keep-alive ping; the service answers with PongMessage.
type PingMessage struct{}

// ConnectedMessage is the "connected" system event, the first message a JSON
// client receives.
type ConnectedMessage struct {
	// ConnectionID identifies the connection.
	ConnectionID string
	// UserID is the connection's user, if any.
	UserID string
	// ReconnectionToken lets a reliable client recover the connection.
	ReconnectionToken string
}

// DisconnectedMessage is the "disconnected" system event sent before the
// service closes a connection.
type DisconnectedMessage struct {
	// Message says why the connection is closed.
	Message string
}

// GroupDataMessage is a message published to a group by a client.
type GroupDataMessage struct {
	// Group is the group the message was published to.
	Group string
	// FromUserID is the publisher's user id, if any.
	FromUserID string
	// Data is the message body. On the terminal frame of a stream a json
	// payload may have no data (Data nil).
	Data Payload
	// SequenceID is set on reliable connections; 0 means none.
	SequenceID uint64
	// Stream is set when the message is a fragment of a group stream. A
	// "stream" object without a string streamId and a numeric
	// streamSequenceId is ignored (as the JS client does), leaving Stream nil.
	Stream *StreamInfo
	// Metadata are the metadata entries the sender attached, if any.
	Metadata map[string]string
}

// ServerDataMessage is a message sent by the server (REST API or upstream
// response).
type ServerDataMessage struct {
	// Data is the message body.
	Data Payload
	// SequenceID is set on reliable connections; 0 means none.
	SequenceID uint64
	// Metadata are the message's metadata entries, if any (from the REST
	// request's or the upstream answer's X-WebPubSub-Metadata-* headers).
	Metadata map[string]string
}

// AckMessage answers a message that carried an ackId.
type AckMessage struct {
	// AckID is the ackId of the message answered.
	AckID uint64
	// Success reports whether the operation succeeded.
	Success bool
	// Error says why it failed; nil on success.
	Error *AckError
}

// AckError describes why an acked operation failed.
type AckError struct {
	// Name is the error name, e.g. "Forbidden" or "Duplicate".
	Name string `json:"name"`
	// Message describes the error.
	Message string `json:"message,omitempty"`
}

// PongMessage answers a PingMessage.
type PongMessage struct{}

// Type implements Message.
func (JoinGroupMessage) Type() string { return TypeJoinGroup }

// Type implements Message.
func (LeaveGroupMessage) Type() string { return TypeLeaveGroup }

// Type implements Message.
func (SendToGroupMessage) Type() string { return TypeSendToGroup }

// Type implements Message.
func (EventMessage) Type() string { return TypeEvent }

// Type implements Message.
func (SequenceAckMessage) Type() string { return TypeSequenceAck }

// Type implements Message.
func (PingMessage) Type() string { return TypePing }

// Type implements Message.
func (ConnectedMessage) Type() string { return TypeSystem }

// Type implements Message.
func (DisconnectedMessage) Type() string { return TypeSystem }

// Type implements Message.
func (GroupDataMessage) Type() string { return TypeMessage }

// Type implements Message.
func (ServerDataMessage) Type() string { return TypeMessage }

// Type implements Message.
func (AckMessage) Type() string { return TypeAck }

// Type implements Message.
func (PongMessage) Type() string { return TypePong }

// frame is the JSON shape of every message; which fields are used depends on
// the type. The field order gives the key order of the reference's examples.
type frame struct {
	Type               string             `json:"type"`
	InvocationID       string             `json:"invocationId,omitempty"`
	Target             string             `json:"target,omitempty"`
	StreamID           string             `json:"streamId,omitempty"`
	StreamSequenceID   *uint64            `json:"streamSequenceId,omitempty"`
	Event              string             `json:"event,omitempty"`
	From               string             `json:"from,omitempty"`
	Group              string             `json:"group,omitempty"`
	FromUserID         string             `json:"fromUserId,omitempty"`
	ConnectionID       string             `json:"connectionId,omitempty"`
	UserID             string             `json:"userId,omitempty"`
	ReconnectionToken  string             `json:"reconnectionToken,omitempty"`
	Name               string             `json:"name,omitempty"`
	Message            string             `json:"message,omitempty"`
	ExpectedSequenceID *uint64            `json:"expectedSequenceId,omitempty"`
	AckID              *uint64            `json:"ackId,omitempty"`
	Success            *bool              `json:"success,omitempty"`
	Error              json.RawMessage    `json:"error,omitempty"`
	NoEcho             *bool              `json:"noEcho,omitempty"`
	State              *map[string]string `json:"state,omitempty"`
	Items              *[]GroupStateItem  `json:"items,omitempty"`
	DataType           DataType           `json:"dataType,omitempty"`
	Data               json.RawMessage    `json:"data,omitempty"`
	Metadata           json.RawMessage    `json:"metadata,omitempty"`
	SequenceID         *uint64            `json:"sequenceId,omitempty"`
	Stream             json.RawMessage    `json:"stream,omitempty"`
}

// Encode returns the JSON text of m.
func Encode(m Message) ([]byte, error) {
	var f frame
	var err error
	switch m := m.(type) {
	case JoinGroupMessage:
		f = frame{Type: TypeJoinGroup, Group: m.Group, AckID: m.AckID}
	case *JoinGroupMessage:
		return Encode(*m)
	case LeaveGroupMessage:
		f = frame{Type: TypeLeaveGroup, Group: m.Group, AckID: m.AckID}
	case *LeaveGroupMessage:
		return Encode(*m)
	case SendToGroupMessage:
		f, err = encodeSendToGroup(m)
	case *SendToGroupMessage:
		return Encode(*m)
	case EventMessage:
		f = frame{Type: TypeEvent, Event: m.Event, AckID: m.AckID, DataType: m.Data.Type}
		f.Data, err = encodeData(m.Data)
	case *EventMessage:
		return Encode(*m)
	case SequenceAckMessage:
		id := m.SequenceID
		f = frame{Type: TypeSequenceAck, SequenceID: &id}
	case *SequenceAckMessage:
		return Encode(*m)
	case PingMessage, *PingMessage:
		f = frame{Type: TypePing}
	case PongMessage, *PongMessage:
		f = frame{Type: TypePong}
	case ConnectedMessage:
		f = frame{Type: TypeSystem, Event: SystemConnected, ConnectionID: m.ConnectionID, UserID: m.UserID, ReconnectionToken: m.ReconnectionToken}
	case *ConnectedMessage:
		return Encode(*m)
	case DisconnectedMessage:
		f = frame{Type: TypeSystem, Event: SystemDisconnected, Message: m.Message}
	case *DisconnectedMessage:
		return Encode(*m)
	case GroupDataMessage:
		f = frame{Type: TypeMessage, From: FromGroup, Group: m.Group, FromUserID: m.FromUserID, DataType: m.Data.Type, SequenceID: seq(m.SequenceID)}
		if m.Stream != nil {
			f.Data, err = encodeStreamFrameData(m.Data)
			if err == nil {
				f.Stream, err = json.Marshal(m.Stream)
			}
		} else {
			f.Data, err = encodeData(m.Data)
		}
	case *GroupDataMessage:
		return Encode(*m)
	case ServerDataMessage:
		f = frame{Type: TypeMessage, From: FromServer, DataType: m.Data.Type, SequenceID: seq(m.SequenceID)}
		f.Data, err = encodeData(m.Data)
	case *ServerDataMessage:
		return Encode(*m)
	case AckMessage:
		id, ok := m.AckID, m.Success
		f = frame{Type: TypeAck, AckID: &id, Success: &ok}
		f.Error, err = marshalError(m.Error)
	case *AckMessage:
		return Encode(*m)
	case nil:
		return nil, errors.New("protocol: cannot encode a nil message")
	default:
		var ok bool
		f, ok, err = encodePreview(m)
		if !ok {
			return nil, fmt.Errorf("protocol: cannot encode %T", m)
		}
	}
	if err == nil {
		f.Metadata, err = encodeMetadata(metadataOf(m)) // metadata.go
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(&f)
}

func seq(id uint64) *uint64 {
	if id == 0 {
		return nil
	}
	return &id
}

// Decode parses one JSON message of either direction. It returns a value type
// (e.g. JoinGroupMessage, not a pointer). Errors say what is wrong with the
// message and never panic on malformed input.
func Decode(b []byte) (Message, error) {
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("protocol: message is not a JSON object: %w", err)
	}
	return decodeFrame(f)
}

// decodeFrame decodes a parsed frame (Decode, DecodeJSONRequest).
func decodeFrame(f frame) (Message, error) {
	switch f.Type {
	case TypeJoinGroup, TypeLeaveGroup:
		if f.Group == "" {
			return nil, fmt.Errorf("protocol: %s needs a group", f.Type)
		}
		if f.Type == TypeJoinGroup {
			return JoinGroupMessage{Group: f.Group, AckID: f.AckID}, nil
		}
		return LeaveGroupMessage{Group: f.Group, AckID: f.AckID}, nil
	case TypeSendToGroup:
		return decodeSendToGroup(&f)
	case TypeEvent:
		if f.Event == "" {
			return nil, errors.New("protocol: event needs an event name")
		}
		md, p, err := decodeMetadataAndData(&f)
		if err != nil {
			return nil, err
		}
		return EventMessage{Event: f.Event, AckID: f.AckID, Data: p, Metadata: md}, nil
	case TypeSequenceAck:
		if f.SequenceID == nil {
			return nil, errors.New("protocol: sequenceAck needs a sequenceId")
		}
		return SequenceAckMessage{SequenceID: *f.SequenceID}, nil
	case TypePing:
		return PingMessage{}, nil
	case TypePong:
		return PongMessage{}, nil
	case TypeSystem:
		switch f.Event {
		case SystemConnected:
			return ConnectedMessage{ConnectionID: f.ConnectionID, UserID: f.UserID, ReconnectionToken: f.ReconnectionToken}, nil
		case SystemDisconnected:
			return DisconnectedMessage{Message: f.Message}, nil
		}
		// Forward compatible, as the JS client: a system event this package
		// does not know is dropped, not an error.
		return UnknownMessage{TypeName: TypeSystem, Event: truncate(f.Event), Reason: fmt.Sprintf("unknown system event %q", truncate(f.Event))}, nil
	case TypeMessage:
		return decodeDataMessage(&f)
	case TypeAck:
		if f.AckID == nil || f.Success == nil {
			return nil, errors.New("protocol: ack needs ackId and success")
		}
		e, err := unmarshalAckError(f.Error)
		if err != nil {
			return nil, err
		}
		return AckMessage{AckID: *f.AckID, Success: *f.Success, Error: e}, nil
	case "":
		return nil, errors.New("protocol: message has no type")
	}
	if m, ok, err := decodePreview(&f); ok {
		return m, err
	}
	// Forward compatible, as the JS client: a frame type this package does
	// not know is dropped, not an error, so that new service frames cannot
	// break a client.
	return UnknownMessage{TypeName: truncate(f.Type), AckID: f.AckID, Reason: fmt.Sprintf("unknown message type %q", truncate(f.Type))}, nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
