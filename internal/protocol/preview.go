package protocol

// The JSON frames that carry group streams inside ordinary messages: a
// sendToGroup that opens a stream and the group messages that are its
// fragments (client-protocol-preview.md, section 3), with the rules a reader
// applies to "message" frames.

import (
	"encoding/json"
	"errors"
	"fmt"
)

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
