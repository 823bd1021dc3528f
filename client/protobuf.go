package client

import (
	"errors"
	"fmt"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// frameType is the WebSocket message type of the client's subprotocol:
// binary for protobuf, text for JSON.
func (c *Client) frameType() websocket.MessageType {
	if c.cfg.codec.Binary() {
		return websocket.MessageBinary
	}
	return websocket.MessageText
}

// Protobuf returns m packed in a google.protobuf.Any as data (DataTypeProtobuf).
// Over the protobuf subprotocols it travels as the Any itself; JSON and
// protobuf clients that receive it get the serialized Any (see
// GroupMessage.Any), simple WebSocket clients get its bytes as a binary frame.
// An encoding error is returned by the operation that sends it.
func Protobuf(m proto.Message) Data {
	if m == nil {
		return Data{err: errors.New("client: Protobuf needs a message, got nil")}
	}
	a, err := anypb.New(m)
	if err != nil {
		return Data{err: fmt.Errorf("client: packing %T in a protobuf Any: %w", m, err)}
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(a)
	if err != nil {
		return Data{err: fmt.Errorf("client: encoding %T as protobuf: %w", m, err)}
	}
	return Data{payload: protocol.Payload{Type: protocol.DataTypeProtobuf, Data: b}}
}

// Any returns the data of a DataTypeProtobuf message as the
// google.protobuf.Any it carries, type URL included; unpack it with
// (*anypb.Any).UnmarshalTo or UnmarshalNew.
func (m ServerMessage) Any() (*anypb.Any, error) { return unmarshalAny(m.DataType, m.Data) }

// Any returns the data of a DataTypeProtobuf message as the
// google.protobuf.Any it carries, type URL included; unpack it with
// (*anypb.Any).UnmarshalTo or UnmarshalNew.
func (m GroupMessage) Any() (*anypb.Any, error) { return unmarshalAny(m.DataType, m.Data) }

func unmarshalAny(t DataType, b []byte) (*anypb.Any, error) {
	if t != DataTypeProtobuf {
		return nil, fmt.Errorf("client: the message's data type is %q, not %q", t, DataTypeProtobuf)
	}
	a := new(anypb.Any)
	if err := proto.Unmarshal(b, a); err != nil {
		return nil, fmt.Errorf("client: the protobuf data is not a google.protobuf.Any: %w", err)
	}
	return a, nil
}

// Any returns the data of a DataTypeProtobuf stream fragment as the
// google.protobuf.Any it carries, type URL included.
func (f StreamFragment) Any() (*anypb.Any, error) { return unmarshalAny(f.DataType, f.Data) }
