package protocol

// JSON decoding of the preview messages (see preview_types.go).

import (
	"encoding/json"
	"errors"
	"fmt"
)

// decodePreview decodes a preview frame. It reports false for a type it does
// not know.
func decodePreview(f *frame) (Message, bool, error) {
	dec, ok := previewDecoders[f.Type]
	if !ok {
		return nil, false, nil
	}
	m, err := dec(f)
	if err != nil {
		return nil, true, err
	}
	return m, true, nil
}

// previewDecoders decode the preview frames, by type.
var previewDecoders = map[string]func(*frame) (Message, error){
	TypeInvoke:                decodeInvoke,
	TypeInvokeResponse:        decodeInvokeResponse,
	TypeCancelInvocation:      decodeCancelInvocation,
	TypeStreamData:            decodeStreamData,
	TypeStreamEnd:             decodeStreamEnd,
	TypeStreamAck:             decodeStreamAckOrNack,
	TypeStreamNack:            decodeStreamAckOrNack,
	TypeStreamClosed:          decodeStreamClosed,
	TypeSetGroupState:         decodeGroupStateRequest,
	TypeSubscribeGroupState:   decodeGroupStateRequest,
	TypeUnsubscribeGroupState: decodeGroupStateRequest,
	TypeGroupStateSnapshot:    decodeGroupStateNotice,
	TypeGroupStateUpdate:      decodeGroupStateNotice,
}

func decodeInvoke(f *frame) (Message, error) {
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
}

func decodeInvokeResponse(f *frame) (Message, error) {
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
}

func decodeCancelInvocation(f *frame) (Message, error) {
	if f.InvocationID == "" {
		return nil, errors.New("protocol: cancelInvocation needs an invocationId")
	}
	return CancelInvocationMessage{InvocationID: f.InvocationID}, nil
}

func decodeStreamData(f *frame) (Message, error) {
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
}

func decodeStreamEnd(f *frame) (Message, error) {
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
}

func decodeStreamAckOrNack(f *frame) (Message, error) {
	if f.StreamID == "" || f.ExpectedSequenceID == nil {
		return nil, fmt.Errorf("protocol: %s needs streamId and expectedSequenceId", f.Type)
	}
	if f.Type == TypeStreamAck {
		return StreamAckMessage{StreamID: f.StreamID, ExpectedSequenceID: *f.ExpectedSequenceID}, nil
	}
	return StreamNackMessage{StreamID: f.StreamID, Name: f.Name, Message: f.Message, ExpectedSequenceID: *f.ExpectedSequenceID}, nil
}

func decodeStreamClosed(f *frame) (Message, error) {
	if f.StreamID == "" {
		return nil, errors.New("protocol: streamClosed needs a streamId")
	}
	e, err := unmarshalAckError(f.Error)
	if err != nil {
		return nil, err
	}
	return StreamClosedMessage{StreamID: f.StreamID, Error: e}, nil
}

// decodeGroupStateRequest decodes setGroupState, subscribeGroupState and
// unsubscribeGroupState.
func decodeGroupStateRequest(f *frame) (Message, error) {
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
}

// decodeGroupStateNotice decodes groupStateSnapshot and groupStateUpdate.
func decodeGroupStateNotice(f *frame) (Message, error) {
	if f.Group == "" {
		return nil, fmt.Errorf("protocol: %s needs a group", f.Type)
	}
	if f.Type == TypeGroupStateSnapshot {
		return GroupStateSnapshotMessage{Group: f.Group, Items: decodeItems(f.Items)}, nil
	}
	return GroupStateUpdateMessage{Group: f.Group, Items: decodeItems(f.Items)}, nil
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
