package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/webpubsub-go/webpubsub/internal/protocol/pb"
)

// The protobuf subprotocols carry the same messages as the JSON ones (see
// pb/webpubsub.proto for the schema). Clients send pb.UpstreamMessage
// frames and the service sends pb.DownstreamMessage frames, so, unlike JSON,
// a frame's direction must be known to decode it.
//
// A protobuf payload (DataTypeProtobuf) holds the serialized
// google.protobuf.Any, type URL included: that is what a JSON client receives
// base64 encoded and what a simple WebSocket client receives as a binary
// frame.

// ContentTypeProtobuf is the content type of an upstream event whose data is
// a protobuf Any.
const ContentTypeProtobuf = "application/x-protobuf"

// HeaderMetadataPrefix starts the upstream header of each metadata entry of a
// protobuf client's user event: x-webpubsub-metadata-<key>.
const HeaderMetadataPrefix = "x-webpubsub-metadata-"

// marshalOptions encode frames; deterministic output keeps a message's bytes
// the same for every recipient and every run.
var marshalOptions = proto.MarshalOptions{Deterministic: true}

// EncodeProtobuf returns the protobuf frame of m: a pb.UpstreamMessage for
// the messages a client sends, a pb.DownstreamMessage for those the service
// sends.
func EncodeProtobuf(m Message) ([]byte, error) {
	var up *pb.UpstreamMessage
	var down *pb.DownstreamMessage
	switch m := m.(type) {
	case JoinGroupMessage:
		up = &pb.UpstreamMessage{Message: &pb.UpstreamMessage_JoinGroupMessage_{JoinGroupMessage: &pb.UpstreamMessage_JoinGroupMessage{Group: m.Group, AckId: m.AckID}}}
	case *JoinGroupMessage:
		return EncodeProtobuf(*m)
	case LeaveGroupMessage:
		up = &pb.UpstreamMessage{Message: &pb.UpstreamMessage_LeaveGroupMessage_{LeaveGroupMessage: &pb.UpstreamMessage_LeaveGroupMessage{Group: m.Group, AckId: m.AckID}}}
	case *LeaveGroupMessage:
		return EncodeProtobuf(*m)
	case SendToGroupMessage:
		s := &pb.UpstreamMessage_SendToGroupMessage{Group: m.Group, AckId: m.AckID}
		if m.Stream != nil {
			// A stream open has no payload; noEcho is always written, as
			// the JSON encoding does.
			s.Stream = streamStart(m.Stream)
			s.NoEcho = proto.Bool(m.NoEcho)
		} else {
			s.Data = messageData(m.Data)
			if m.NoEcho {
				s.NoEcho = proto.Bool(true)
			}
			if m.TTLSeconds != 0 {
				s.TtlSeconds = proto.Uint32(m.TTLSeconds)
			}
			s.Metadata = pbMetadata(m.Metadata)
		}
		up = &pb.UpstreamMessage{Message: &pb.UpstreamMessage_SendToGroupMessage_{SendToGroupMessage: s}}
	case *SendToGroupMessage:
		return EncodeProtobuf(*m)
	case EventMessage:
		up = &pb.UpstreamMessage{Message: &pb.UpstreamMessage_EventMessage_{EventMessage: &pb.UpstreamMessage_EventMessage{Event: m.Event, AckId: m.AckID, Data: messageData(m.Data), Metadata: pbMetadata(m.Metadata)}}}
	case *EventMessage:
		return EncodeProtobuf(*m)
	case SequenceAckMessage:
		up = &pb.UpstreamMessage{Message: &pb.UpstreamMessage_SequenceAckMessage_{SequenceAckMessage: &pb.UpstreamMessage_SequenceAckMessage{SequenceId: m.SequenceID}}}
	case *SequenceAckMessage:
		return EncodeProtobuf(*m)
	case PingMessage, *PingMessage:
		up = &pb.UpstreamMessage{Message: &pb.UpstreamMessage_PingMessage_{PingMessage: &pb.UpstreamMessage_PingMessage{}}}
	case GroupDataMessage:
		// Protobuf has no fromUserId.
		d := &pb.DownstreamMessage_DataMessage{From: FromGroup, Group: proto.String(m.Group), SequenceId: seq(m.SequenceID), Stream: streamInfo(m.Stream), Metadata: pbMetadata(m.Metadata)}
		if m.Stream == nil || m.Data.Type != DataTypeJSON || len(m.Data.Data) > 0 {
			// A stream's terminal frame may have no data.
			d.Data = messageData(m.Data)
		}
		down = dataMessage(d)
	case *GroupDataMessage:
		return EncodeProtobuf(*m)
	case ServerDataMessage:
		down = dataMessage(&pb.DownstreamMessage_DataMessage{From: FromServer, Data: messageData(m.Data), SequenceId: seq(m.SequenceID), Metadata: pbMetadata(m.Metadata)})
	case *ServerDataMessage:
		return EncodeProtobuf(*m)
	case nil:
		return nil, errors.New("protocol: cannot encode a nil message")
	default:
		var ok bool
		if down, ok = encodeControlProtobuf(m); ok {
			break
		}
		if up, down, ok = encodePreviewProtobuf(m); !ok {
			return nil, fmt.Errorf("protocol: cannot encode %T as protobuf", m)
		}
	}
	var b []byte
	var err error
	if up != nil {
		b, err = marshalOptions.Marshal(up)
	} else {
		b, err = marshalOptions.Marshal(down)
	}
	if err != nil {
		return nil, fmt.Errorf("protocol: encoding %s as protobuf: %w", m.Type(), err)
	}
	return b, nil
}

// encodeControlProtobuf returns the DownstreamMessage of the service's
// control messages (pong, the system events, ack), or ok false for another
// type.
func encodeControlProtobuf(m Message) (down *pb.DownstreamMessage, ok bool) {
	switch m := m.(type) {
	case PongMessage, *PongMessage:
		return &pb.DownstreamMessage{Message: &pb.DownstreamMessage_PongMessage_{PongMessage: &pb.DownstreamMessage_PongMessage{}}}, true
	case ConnectedMessage:
		cm := &pb.DownstreamMessage_SystemMessage_ConnectedMessage{ConnectionId: m.ConnectionID, UserId: m.UserID}
		if m.ReconnectionToken != "" {
			cm.ReconnectionToken = proto.String(m.ReconnectionToken)
		}
		return systemMessage(&pb.DownstreamMessage_SystemMessage{Message: &pb.DownstreamMessage_SystemMessage_ConnectedMessage_{ConnectedMessage: cm}}), true
	case *ConnectedMessage:
		return encodeControlProtobuf(*m)
	case DisconnectedMessage:
		return systemMessage(&pb.DownstreamMessage_SystemMessage{Message: &pb.DownstreamMessage_SystemMessage_DisconnectedMessage_{DisconnectedMessage: &pb.DownstreamMessage_SystemMessage_DisconnectedMessage{Reason: validUTF8(m.Message)}}}), true
	case *DisconnectedMessage:
		return encodeControlProtobuf(*m)
	case AckMessage:
		a := &pb.DownstreamMessage_AckMessage{AckId: m.AckID, Success: m.Success}
		if m.Error != nil {
			a.Error = &pb.DownstreamMessage_AckMessage_ErrorMessage{Name: validUTF8(m.Error.Name), Message: validUTF8(m.Error.Message)}
		}
		return &pb.DownstreamMessage{Message: &pb.DownstreamMessage_AckMessage_{AckMessage: a}}, true
	case *AckMessage:
		return encodeControlProtobuf(*m)
	}
	return nil, false
}

func systemMessage(s *pb.DownstreamMessage_SystemMessage) *pb.DownstreamMessage {
	return &pb.DownstreamMessage{Message: &pb.DownstreamMessage_SystemMessage_{SystemMessage: s}}
}

func dataMessage(d *pb.DownstreamMessage_DataMessage) *pb.DownstreamMessage {
	return &pb.DownstreamMessage{Message: &pb.DownstreamMessage_DataMessage_{DataMessage: d}}
}

// validUTF8 returns s with invalid UTF-8 replaced by U+FFFD, as encoding/json
// does for the JSON subprotocols (proto3 strings must be valid UTF-8).
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// messageData returns the protobuf form of p. A protobuf payload that is not
// a serialized google.protobuf.Any travels as binary_data, so that encoding
// never fails.
func messageData(p Payload) *pb.MessageData {
	switch p.Type {
	case DataTypeText:
		return &pb.MessageData{Data: &pb.MessageData_TextData{TextData: validUTF8(string(p.Data))}}
	case DataTypeJSON:
		return &pb.MessageData{Data: &pb.MessageData_JsonData{JsonData: validUTF8(string(p.Data))}}
	case DataTypeProtobuf:
		a := new(anypb.Any)
		if err := proto.Unmarshal(p.Data, a); err == nil {
			return &pb.MessageData{Data: &pb.MessageData_ProtobufData{ProtobufData: a}}
		}
	}
	return &pb.MessageData{Data: &pb.MessageData_BinaryData{BinaryData: p.Data}}
}

// payloadOf returns the Payload of a protobuf MessageData.
func payloadOf(d *pb.MessageData) (Payload, error) {
	switch v := d.GetData().(type) {
	case *pb.MessageData_TextData:
		return Payload{Type: DataTypeText, Data: []byte(v.TextData)}, nil
	case *pb.MessageData_JsonData:
		b := []byte(v.JsonData)
		if !json.Valid(b) {
			return Payload{}, errors.New("protocol: json_data is not valid JSON")
		}
		return Payload{Type: DataTypeJSON, Data: b}, nil
	case *pb.MessageData_BinaryData:
		return Payload{Type: DataTypeBinary, Data: v.BinaryData}, nil
	case *pb.MessageData_ProtobufData:
		if v.ProtobufData == nil {
			return Payload{}, errors.New("protocol: protobuf_data is empty")
		}
		b, err := marshalOptions.Marshal(v.ProtobufData)
		if err != nil {
			return Payload{}, fmt.Errorf("protocol: protobuf_data: %w", err)
		}
		return Payload{Type: DataTypeProtobuf, Data: b}, nil
	}
	return Payload{}, errors.New("protocol: data is missing")
}

// DecodeUpstream parses one protobuf frame a client sent. It returns value
// types, like Decode. Errors say what is wrong and never panic on malformed
// input.
func DecodeUpstream(b []byte) (Message, error) {
	var u pb.UpstreamMessage
	if err := proto.Unmarshal(b, &u); err != nil {
		return nil, fmt.Errorf("protocol: frame is not a protobuf UpstreamMessage: %w", err)
	}
	switch v := u.GetMessage().(type) {
	case *pb.UpstreamMessage_JoinGroupMessage_:
		m := v.JoinGroupMessage
		if m.GetGroup() == "" {
			return nil, errors.New("protocol: joinGroup needs a group")
		}
		return JoinGroupMessage{Group: m.GetGroup(), AckID: m.AckId}, nil
	case *pb.UpstreamMessage_LeaveGroupMessage_:
		m := v.LeaveGroupMessage
		if m.GetGroup() == "" {
			return nil, errors.New("protocol: leaveGroup needs a group")
		}
		return LeaveGroupMessage{Group: m.GetGroup(), AckID: m.AckId}, nil
	case *pb.UpstreamMessage_SendToGroupMessage_:
		m := v.SendToGroupMessage
		if m.GetGroup() == "" {
			return nil, errors.New("protocol: sendToGroup needs a group")
		}
		if s := m.GetStream(); s != nil {
			if s.GetStreamId() == "" {
				return nil, errors.New("protocol: sendToGroup stream needs a stream_id")
			}
			if m.AckId != nil || m.GetData() != nil {
				return nil, errors.New("protocol: a stream-opening sendToGroup has no ack_id and no data")
			}
			return SendToGroupMessage{Group: m.GetGroup(), NoEcho: m.GetNoEcho(), Stream: &StreamOpen{StreamID: s.GetStreamId(), IdleTimeoutMs: uint64(s.GetIdleTimeoutMs())}}, nil
		}
		p, err := payloadOrMetadataOnly(m.GetData(), m.GetMetadata())
		if err != nil {
			return nil, err
		}
		return SendToGroupMessage{Group: m.GetGroup(), AckID: m.AckId, NoEcho: m.GetNoEcho(), Data: p, TTLSeconds: m.GetTtlSeconds(), Metadata: goMetadata(m.GetMetadata())}, nil
	case *pb.UpstreamMessage_EventMessage_:
		m := v.EventMessage
		if m.GetEvent() == "" {
			return nil, errors.New("protocol: event needs an event name")
		}
		if m.GetStream() != nil {
			return nil, errors.New("protocol: streams are not supported on event")
		}
		p, err := payloadOrMetadataOnly(m.GetData(), m.GetMetadata())
		if err != nil {
			return nil, err
		}
		return EventMessage{Event: m.GetEvent(), AckID: m.AckId, Data: p, Metadata: goMetadata(m.GetMetadata())}, nil
	case *pb.UpstreamMessage_SequenceAckMessage_:
		return SequenceAckMessage{SequenceID: v.SequenceAckMessage.GetSequenceId()}, nil
	case *pb.UpstreamMessage_PingMessage_:
		return PingMessage{}, nil
	case nil:
		if len(u.ProtoReflect().GetUnknown()) > 0 {
			// A message of a newer schema: dropped, or refused if it asked
			// for an ack (which cannot be read here).
			return UnknownMessage{TypeName: "unknown", Reason: "unknown upstream message"}, nil
		}
		return nil, errors.New("protocol: message has no type")
	}
	if m, ok, err := decodePreviewUpstream(&u); ok {
		return m, err
	}
	return nil, fmt.Errorf("protocol: unsupported upstream message %T", u.GetMessage())
}

// ProbeUpstream reports whether a protobuf frame from a client parses as an
// UpstreamMessage, and its ack id if it has one, even when DecodeUpstream
// rejects the message: the rejection can then be acked.
func ProbeUpstream(b []byte) (ackID *uint64, ok bool) {
	var u pb.UpstreamMessage
	if proto.Unmarshal(b, &u) != nil {
		return nil, false
	}
	switch v := u.GetMessage().(type) {
	case *pb.UpstreamMessage_JoinGroupMessage_:
		return v.JoinGroupMessage.AckId, true
	case *pb.UpstreamMessage_LeaveGroupMessage_:
		return v.LeaveGroupMessage.AckId, true
	case *pb.UpstreamMessage_SendToGroupMessage_:
		return v.SendToGroupMessage.AckId, true
	case *pb.UpstreamMessage_EventMessage_:
		return v.EventMessage.AckId, true
	case *pb.UpstreamMessage_SetGroupStateMessage_:
		return v.SetGroupStateMessage.AckId, true
	case *pb.UpstreamMessage_SubscribeGroupStateMessage_:
		return v.SubscribeGroupStateMessage.AckId, true
	case *pb.UpstreamMessage_UnsubscribeGroupStateMessage_:
		return v.UnsubscribeGroupStateMessage.AckId, true
	}
	return nil, true
}

// DecodeDownstream parses one protobuf frame the service sent. It returns
// value types, like Decode. Errors say what is wrong and never panic on
// malformed input.
func DecodeDownstream(b []byte) (Message, error) {
	var d pb.DownstreamMessage
	if err := proto.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("protocol: frame is not a protobuf DownstreamMessage: %w", err)
	}
	switch v := d.GetMessage().(type) {
	case *pb.DownstreamMessage_AckMessage_:
		m := v.AckMessage
		a := AckMessage{AckID: m.GetAckId(), Success: m.GetSuccess()}
		if e := m.GetError(); e != nil {
			a.Error = &AckError{Name: e.GetName(), Message: e.GetMessage()}
		}
		return a, nil
	case *pb.DownstreamMessage_DataMessage_:
		m := v.DataMessage
		if m.GetFrom() != FromGroup && m.GetFrom() != FromServer {
			// Dropped like a JSON message from an unknown source.
			return UnknownMessage{TypeName: TypeMessage, Reason: fmt.Sprintf("unknown message source %q", truncate(m.GetFrom()))}, nil
		}
		stream := decodeStreamInfo(m.GetStream())
		if m.GetFrom() == FromServer {
			stream = nil // ignored on server messages, as with JSON
		}
		var p Payload
		switch {
		case m.GetData().GetData() != nil:
			var err error
			if p, err = payloadOf(m.GetData()); err != nil {
				return nil, err
			}
		case stream != nil:
			p = Payload{Type: DataTypeJSON} // a terminal frame without data
		default:
			// No data, or data of a newer kind: dropped like a JSON message
			// with an unknown dataType.
			return UnknownMessage{TypeName: TypeMessage, Reason: "data is missing or of an unknown kind"}, nil
		}
		if m.GetFrom() == FromGroup {
			return GroupDataMessage{Group: m.GetGroup(), Data: p, SequenceID: m.GetSequenceId(), Stream: stream, Metadata: goMetadata(m.GetMetadata())}, nil
		}
		return ServerDataMessage{Data: p, SequenceID: m.GetSequenceId(), Metadata: goMetadata(m.GetMetadata())}, nil
	case *pb.DownstreamMessage_SystemMessage_:
		switch s := v.SystemMessage.GetMessage().(type) {
		case *pb.DownstreamMessage_SystemMessage_ConnectedMessage_:
			c := s.ConnectedMessage
			return ConnectedMessage{ConnectionID: c.GetConnectionId(), UserID: c.GetUserId(), ReconnectionToken: c.GetReconnectionToken()}, nil
		case *pb.DownstreamMessage_SystemMessage_DisconnectedMessage_:
			return DisconnectedMessage{Message: s.DisconnectedMessage.GetReason()}, nil
		}
		return nil, errors.New("protocol: system message has no event")
	case *pb.DownstreamMessage_PongMessage_:
		return PongMessage{}, nil
	case nil:
		if len(d.ProtoReflect().GetUnknown()) > 0 {
			// A message of a newer schema: dropped for forward compatibility.
			return UnknownMessage{TypeName: "unknown", Reason: "unknown downstream message"}, nil
		}
		return nil, errors.New("protocol: message has no type")
	}
	if m, ok, err := decodePreviewDownstream(&d); ok {
		return m, err
	}
	return nil, fmt.Errorf("protocol: unsupported downstream message %T", d.GetMessage())
}

// AppendProtobufSequenceID appends to dst frame, the protobuf encoding of a
// GroupDataMessage or ServerDataMessage without a sequence id, with sequence
// id seq added. It lets one encoding of a broadcast serve every reliable
// recipient: only the outer length and the appended field differ. With a dst
// of enough capacity it does not allocate.
func AppendProtobufSequenceID(dst, frame []byte, seq uint64) ([]byte, error) {
	num, typ, n := protowire.ConsumeTag(frame)
	if n < 0 || num != 2 || typ != protowire.BytesType {
		return nil, errors.New("protocol: frame is not a protobuf data message")
	}
	inner, m := protowire.ConsumeBytes(frame[n:])
	if m < 0 || n+m != len(frame) {
		return nil, errors.New("protocol: frame is not a protobuf data message")
	}
	size := len(inner) + protowire.SizeTag(4) + protowire.SizeVarint(seq)
	out := protowire.AppendTag(dst, 2, protowire.BytesType)
	out = protowire.AppendVarint(out, uint64(size))
	out = append(out, inner...)
	out = protowire.AppendTag(out, 4, protowire.VarintType)
	return protowire.AppendVarint(out, seq), nil
}
