package protocol

// JSON encoding of the preview messages (see preview_types.go).

import (
	"encoding/json"
	"errors"
	"fmt"
)

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
