package protocol

import (
	"errors"
	"math"

	"google.golang.org/protobuf/proto"

	"github.com/webpubsub-go/webpubsub/internal/protocol/pb"
)

// The preview messages (invoke, group streams, group state) in protobuf: the
// public schema's newer fields carry them (see preview.go for their meaning).

// encodePreviewProtobuf returns the protobuf message of a preview message,
// or ok false for a type that is not one.
func encodePreviewProtobuf(m Message) (up *pb.UpstreamMessage, down *pb.DownstreamMessage, ok bool) {
	switch m := m.(type) {
	case InvokeMessage:
		// The protobuf message is an invoke of an event: there is no target.
		up = &pb.UpstreamMessage{Message: &pb.UpstreamMessage_InvokeEventMessage_{InvokeEventMessage: &pb.UpstreamMessage_InvokeEventMessage{
			Event: m.Event, InvocationId: m.InvocationID, Data: optionalMessageData(m.Data), Metadata: pbMetadata(m.Metadata)}}}
	case *InvokeMessage:
		return encodePreviewProtobuf(*m)
	case InvokeResponseMessage:
		r := &pb.DownstreamMessage_InvokeResponseMessage{InvocationId: m.InvocationID, Success: m.Success != nil && *m.Success, Data: optionalMessageData(m.Data)}
		if m.Error != nil {
			r.Error = &pb.DownstreamMessage_InvokeResponseMessage_ErrorMessage{Name: validUTF8(m.Error.Name), Message: validUTF8(m.Error.Message)}
		}
		down = &pb.DownstreamMessage{Message: &pb.DownstreamMessage_InvokeResponseMessage_{InvokeResponseMessage: r}}
	case *InvokeResponseMessage:
		return encodePreviewProtobuf(*m)
	case CancelInvocationMessage:
		up = &pb.UpstreamMessage{Message: &pb.UpstreamMessage_CancelInvocationMessage_{CancelInvocationMessage: &pb.UpstreamMessage_CancelInvocationMessage{InvocationId: m.InvocationID}}}
	case *CancelInvocationMessage:
		return encodePreviewProtobuf(*m)
	case StreamDataMessage:
		s := &pb.UpstreamMessage_StreamDataMessage{StreamId: m.StreamID, Data: optionalMessageData(m.Data)}
		if m.StreamSequenceID != 0 {
			s.StreamSequenceId = proto.Uint64(m.StreamSequenceID)
		}
		up = &pb.UpstreamMessage{Message: &pb.UpstreamMessage_StreamDataMessage_{StreamDataMessage: s}}
	case *StreamDataMessage:
		return encodePreviewProtobuf(*m)
	case StreamEndMessage:
		s := &pb.UpstreamMessage_StreamEndMessage{StreamId: m.StreamID}
		if m.Error != nil {
			// The abort error has no name on the wire.
			s.Error = &pb.UpstreamMessage_StreamEndMessage_StreamEndError{}
			if m.Error.Message != "" {
				s.Error.Message = proto.String(validUTF8(m.Error.Message))
			}
			if m.Error.UserErrorCode != "" {
				s.Error.UserErrorCode = proto.String(validUTF8(m.Error.UserErrorCode))
			}
		}
		up = &pb.UpstreamMessage{Message: &pb.UpstreamMessage_StreamEndMessage_{StreamEndMessage: s}}
	case *StreamEndMessage:
		return encodePreviewProtobuf(*m)
	case StreamAckMessage:
		down = &pb.DownstreamMessage{Message: &pb.DownstreamMessage_StreamAckMessage_{StreamAckMessage: &pb.DownstreamMessage_StreamAckMessage{StreamId: m.StreamID, ExpectedSequenceId: m.ExpectedSequenceID}}}
	case *StreamAckMessage:
		return encodePreviewProtobuf(*m)
	case StreamNackMessage:
		down = &pb.DownstreamMessage{Message: &pb.DownstreamMessage_StreamNackMessage_{StreamNackMessage: &pb.DownstreamMessage_StreamNackMessage{
			StreamId: m.StreamID, Name: validUTF8(m.Name), Message: validUTF8(m.Message), ExpectedSequenceId: m.ExpectedSequenceID}}}
	case *StreamNackMessage:
		return encodePreviewProtobuf(*m)
	case StreamClosedMessage:
		s := &pb.DownstreamMessage_StreamClosedMessage{StreamId: m.StreamID}
		if m.Error != nil {
			s.Error = &pb.DownstreamMessage_StreamClosedMessage_StreamClosedError{Name: validUTF8(m.Error.Name), Message: validUTF8(m.Error.Message)}
		}
		down = &pb.DownstreamMessage{Message: &pb.DownstreamMessage_StreamClosedMessage_{StreamClosedMessage: s}}
	case *StreamClosedMessage:
		return encodePreviewProtobuf(*m)
	default:
		return encodeGroupStateProtobuf(m)
	}
	return up, down, true
}

// encodeGroupStateProtobuf returns the protobuf message of a group state
// message, or ok false for a type that is not one.
func encodeGroupStateProtobuf(m Message) (up *pb.UpstreamMessage, down *pb.DownstreamMessage, ok bool) {
	switch m := m.(type) {
	case SetGroupStateMessage:
		s := &pb.UpstreamMessage_SetGroupStateMessage{Group: m.Group, AckId: m.AckID}
		if m.State != nil {
			s.State = &pb.GroupStateItem_GroupState{Entries: validMap(m.State)}
		}
		up = &pb.UpstreamMessage{Message: &pb.UpstreamMessage_SetGroupStateMessage_{SetGroupStateMessage: s}}
	case *SetGroupStateMessage:
		return encodeGroupStateProtobuf(*m)
	case SubscribeGroupStateMessage:
		up = &pb.UpstreamMessage{Message: &pb.UpstreamMessage_SubscribeGroupStateMessage_{SubscribeGroupStateMessage: &pb.UpstreamMessage_SubscribeGroupStateMessage{Group: m.Group, AckId: m.AckID}}}
	case *SubscribeGroupStateMessage:
		return encodeGroupStateProtobuf(*m)
	case UnsubscribeGroupStateMessage:
		up = &pb.UpstreamMessage{Message: &pb.UpstreamMessage_UnsubscribeGroupStateMessage_{UnsubscribeGroupStateMessage: &pb.UpstreamMessage_UnsubscribeGroupStateMessage{Group: m.Group, AckId: m.AckID}}}
	case *UnsubscribeGroupStateMessage:
		return encodeGroupStateProtobuf(*m)
	case GroupStateSnapshotMessage:
		down = &pb.DownstreamMessage{Message: &pb.DownstreamMessage_GroupStateSnapshotMessage_{GroupStateSnapshotMessage: &pb.DownstreamMessage_GroupStateSnapshotMessage{Group: m.Group, Items: stateItems(m.Items)}}}
	case *GroupStateSnapshotMessage:
		return encodeGroupStateProtobuf(*m)
	case GroupStateUpdateMessage:
		down = &pb.DownstreamMessage{Message: &pb.DownstreamMessage_GroupStateUpdateMessage_{GroupStateUpdateMessage: &pb.DownstreamMessage_GroupStateUpdateMessage{Group: m.Group, Items: stateItems(m.Items)}}}
	case *GroupStateUpdateMessage:
		return encodeGroupStateProtobuf(*m)
	default:
		return nil, nil, false
	}
	return up, down, true
}

// optionalMessageData returns the protobuf form of p, or nil for a zero
// Payload (no data).
func optionalMessageData(p Payload) *pb.MessageData {
	if p.Type == "" {
		return nil
	}
	return messageData(p)
}

// validMap returns m with invalid UTF-8 replaced in keys and values.
func validMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[validUTF8(k)] = validUTF8(v)
	}
	return out
}

func stateItems(items []GroupStateItem) []*pb.GroupStateItem {
	out := make([]*pb.GroupStateItem, len(items))
	for i, it := range items {
		p := &pb.GroupStateItem{ConnectionId: it.ConnectionID, UpdatedAt: it.UpdatedAt}
		if it.UserID != "" {
			p.UserId = proto.String(it.UserID)
		}
		if it.State != nil {
			p.State = &pb.GroupStateItem_GroupState{Entries: validMap(it.State)}
		}
		out[i] = p
	}
	return out
}

// decodeStateItems returns the items of a group state message, normalized as
// the JSON decoder does: never nil, an empty state reads as cleared (nil).
func decodeStateItems(items []*pb.GroupStateItem) []GroupStateItem {
	out := make([]GroupStateItem, len(items))
	for i, it := range items {
		out[i] = GroupStateItem{ConnectionID: it.GetConnectionId(), UserID: it.GetUserId(), UpdatedAt: it.GetUpdatedAt()}
		if e := it.GetState().GetEntries(); len(e) > 0 {
			out[i].State = e
		}
	}
	return out
}

// streamStart returns the protobuf stream-opening info of s.
func streamStart(s *StreamOpen) *pb.UpstreamMessage_StreamStartInfo {
	if s == nil {
		return nil
	}
	info := &pb.UpstreamMessage_StreamStartInfo{StreamId: s.StreamID}
	if s.IdleTimeoutMs > 0 {
		info.IdleTimeoutMs = proto.Uint32(uint32(min(s.IdleTimeoutMs, math.MaxUint32)))
	}
	return info
}

// streamInfo returns the protobuf stream info of a group stream fragment.
func streamInfo(s *StreamInfo) *pb.StreamInfo {
	if s == nil {
		return nil
	}
	info := &pb.StreamInfo{StreamId: s.StreamID, StreamSequenceId: s.StreamSequenceID}
	if s.EndOfStream {
		info.EndOfStream = proto.Bool(true)
	}
	if s.Error != nil {
		info.Error = &pb.StreamInfo_StreamError{Name: validUTF8(s.Error.Name), Message: validUTF8(s.Error.Message), UserErrorCode: validUTF8(s.Error.UserErrorCode)}
	}
	return info
}

// decodeStreamInfo returns the stream info of a protobuf data message.
func decodeStreamInfo(s *pb.StreamInfo) *StreamInfo {
	if s == nil {
		return nil
	}
	info := &StreamInfo{StreamID: s.GetStreamId(), StreamSequenceID: s.GetStreamSequenceId(), EndOfStream: s.GetEndOfStream()}
	if e := s.GetError(); e != nil {
		info.Error = &StreamError{Name: e.GetName(), Message: e.GetMessage(), UserErrorCode: e.GetUserErrorCode()}
	}
	return info
}

// decodePreviewUpstream decodes the preview messages of an UpstreamMessage;
// ok false means the message is not one.
func decodePreviewUpstream(u *pb.UpstreamMessage) (m Message, ok bool, err error) {
	switch v := u.GetMessage().(type) {
	case *pb.UpstreamMessage_InvokeEventMessage_:
		x := v.InvokeEventMessage
		if x.GetInvocationId() == "" {
			return nil, true, errors.New("protocol: invoke needs an invocation_id")
		}
		if x.GetEvent() == "" {
			return nil, true, errors.New("protocol: invoke needs an event name")
		}
		if x.GetStream() != nil {
			return nil, true, errors.New("protocol: streams are not supported on invoke")
		}
		var p Payload
		if x.GetData() != nil {
			if p, err = payloadOf(x.GetData()); err != nil {
				return nil, true, err
			}
		}
		return InvokeMessage{InvocationID: x.GetInvocationId(), Target: InvokeTargetEvent, Event: x.GetEvent(), Data: p, Metadata: x.GetMetadata()}, true, nil
	case *pb.UpstreamMessage_CancelInvocationMessage_:
		if v.CancelInvocationMessage.GetInvocationId() == "" {
			return nil, true, errors.New("protocol: cancelInvocation needs an invocation_id")
		}
		return CancelInvocationMessage{InvocationID: v.CancelInvocationMessage.GetInvocationId()}, true, nil
	case *pb.UpstreamMessage_StreamDataMessage_:
		x := v.StreamDataMessage
		if x.GetStreamId() == "" {
			return nil, true, errors.New("protocol: streamData needs a stream_id")
		}
		if x.GetStreamSequenceId() == 0 && x.GetData() == nil {
			return StreamDataMessage{StreamID: x.GetStreamId()}, true, nil // keep-alive
		}
		if x.GetStreamSequenceId() == 0 {
			return nil, true, errors.New("protocol: streamData with data needs a stream_sequence_id from 1")
		}
		p, err := payloadOf(x.GetData())
		if err != nil {
			return nil, true, err
		}
		return StreamDataMessage{StreamID: x.GetStreamId(), StreamSequenceID: x.GetStreamSequenceId(), Data: p}, true, nil
	case *pb.UpstreamMessage_StreamEndMessage_:
		x := v.StreamEndMessage
		if x.GetStreamId() == "" {
			return nil, true, errors.New("protocol: streamEnd needs a stream_id")
		}
		s := StreamEndMessage{StreamID: x.GetStreamId()}
		if e := x.GetError(); e != nil {
			s.Error = &StreamError{Message: e.GetMessage(), UserErrorCode: e.GetUserErrorCode()}
		}
		return s, true, nil
	case *pb.UpstreamMessage_SetGroupStateMessage_:
		x := v.SetGroupStateMessage
		if x.GetGroup() == "" {
			return nil, true, errors.New("protocol: setGroupState needs a group")
		}
		s := SetGroupStateMessage{Group: x.GetGroup(), AckID: x.AckId}
		if x.GetState() != nil {
			s.State = x.GetState().GetEntries()
			if s.State == nil {
				s.State = map[string]string{}
			}
		}
		return s, true, nil
	case *pb.UpstreamMessage_SubscribeGroupStateMessage_:
		x := v.SubscribeGroupStateMessage
		if x.GetGroup() == "" {
			return nil, true, errors.New("protocol: subscribeGroupState needs a group")
		}
		return SubscribeGroupStateMessage{Group: x.GetGroup(), AckID: x.AckId}, true, nil
	case *pb.UpstreamMessage_UnsubscribeGroupStateMessage_:
		x := v.UnsubscribeGroupStateMessage
		if x.GetGroup() == "" {
			return nil, true, errors.New("protocol: unsubscribeGroupState needs a group")
		}
		return UnsubscribeGroupStateMessage{Group: x.GetGroup(), AckID: x.AckId}, true, nil
	}
	return nil, false, nil
}

// decodePreviewDownstream decodes the preview messages of a
// DownstreamMessage; ok false means the message is not one.
func decodePreviewDownstream(d *pb.DownstreamMessage) (m Message, ok bool, err error) {
	switch v := d.GetMessage().(type) {
	case *pb.DownstreamMessage_InvokeResponseMessage_:
		x := v.InvokeResponseMessage
		if x.GetInvocationId() == "" {
			return nil, true, errors.New("protocol: invokeResponse needs an invocation_id")
		}
		success := x.GetSuccess()
		r := InvokeResponseMessage{InvocationID: x.GetInvocationId(), Success: &success}
		if x.GetData() != nil {
			if r.Data, err = payloadOf(x.GetData()); err != nil {
				return nil, true, err
			}
		}
		if e := x.GetError(); e != nil {
			r.Error = &AckError{Name: e.GetName(), Message: e.GetMessage()}
		}
		return r, true, nil
	case *pb.DownstreamMessage_StreamAckMessage_:
		x := v.StreamAckMessage
		if x.GetStreamId() == "" {
			return nil, true, errors.New("protocol: streamAck needs a stream_id")
		}
		return StreamAckMessage{StreamID: x.GetStreamId(), ExpectedSequenceID: x.GetExpectedSequenceId()}, true, nil
	case *pb.DownstreamMessage_StreamNackMessage_:
		x := v.StreamNackMessage
		if x.GetStreamId() == "" {
			return nil, true, errors.New("protocol: streamNack needs a stream_id")
		}
		return StreamNackMessage{StreamID: x.GetStreamId(), Name: x.GetName(), Message: x.GetMessage(), ExpectedSequenceID: x.GetExpectedSequenceId()}, true, nil
	case *pb.DownstreamMessage_StreamClosedMessage_:
		x := v.StreamClosedMessage
		if x.GetStreamId() == "" {
			return nil, true, errors.New("protocol: streamClosed needs a stream_id")
		}
		s := StreamClosedMessage{StreamID: x.GetStreamId()}
		if e := x.GetError(); e != nil {
			s.Error = &AckError{Name: e.GetName(), Message: e.GetMessage()}
		}
		return s, true, nil
	case *pb.DownstreamMessage_GroupStateSnapshotMessage_:
		x := v.GroupStateSnapshotMessage
		if x.GetGroup() == "" {
			return nil, true, errors.New("protocol: groupStateSnapshot needs a group")
		}
		return GroupStateSnapshotMessage{Group: x.GetGroup(), Items: decodeStateItems(x.GetItems())}, true, nil
	case *pb.DownstreamMessage_GroupStateUpdateMessage_:
		x := v.GroupStateUpdateMessage
		if x.GetGroup() == "" {
			return nil, true, errors.New("protocol: groupStateUpdate needs a group")
		}
		return GroupStateUpdateMessage{Group: x.GetGroup(), Items: decodeStateItems(x.GetItems())}, true, nil
	}
	return nil, false, nil
}
