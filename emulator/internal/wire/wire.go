// Package wire frames the core's neutral messages for the WebSocket
// subprotocol families: each message is encoded at most once per family
// (core.Message.Encode) and every recipient of that family shares the
// bytes; a reliable recipient's sequence id is added at write time into a
// buffer of the writer's own (AppendSequenceID).
//
// A new subprotocol family adds an encoding here.
package wire

import (
	"strconv"
	"strings"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Format is one subprotocol family's framing of data messages.
type Format struct {
	// Encoding encodes a message without a sequence id.
	Encoding *core.Encoding
	// Binary reports whether its frames are binary WebSocket messages.
	Binary bool
	// AppendSequenceID appends to dst a frame of Encoding with sequence id
	// seq added.
	AppendSequenceID func(dst, frame []byte, seq uint64) []byte
}

// The formats of the PubSub subprotocol families.
var (
	// JSON is the json.webpubsub.azure.v1 family's.
	JSON = &Format{
		Encoding:         core.NewEncoding("json", func(m *core.Message) ([]byte, error) { return protocol.Encode(Message(m)) }),
		AppendSequenceID: appendJSONSequenceID,
	}
	// Protobuf is the protobuf.webpubsub.azure.v1 family's.
	Protobuf = &Format{
		Encoding:         core.NewEncoding("protobuf", func(m *core.Message) ([]byte, error) { return protocol.EncodeProtobuf(Message(m)) }),
		Binary:           true,
		AppendSequenceID: appendProtobufSequenceID,
	}
)

// FormatOf returns the format of a connection speaking a subprotocol of
// codec's family.
func FormatOf(codec protocol.Codec) *Format {
	if codec.Binary() {
		return Protobuf
	}
	return JSON
}

// Message returns m as the subprotocols' data message (without a sequence
// id), with its metadata. A group stream's fragment carries its
// *protocol.StreamInfo in m.Extra.
func Message(m *core.Message) protocol.Message {
	data := Payload(m.Data)
	if m.Origin == core.FromServer {
		return protocol.ServerDataMessage{Data: data, Metadata: m.Metadata}
	}
	gm := protocol.GroupDataMessage{Group: m.Group, FromUserID: m.FromUserID, Data: data, Metadata: m.Metadata}
	if info, ok := m.Extra.(*protocol.StreamInfo); ok {
		gm.Stream = info
	}
	return gm
}

// Check encodes m's JSON frame now, so that a message the subprotocols
// cannot carry (JSON data that is not JSON) is refused before anything is
// sent. The error's text has no package prefix.
func Check(m *core.Message) error {
	if _, err := m.Encode(JSON.Encoding); err != nil {
		return cleanError{err}
	}
	return nil
}

// cleanError is an encoding error whose text drops the package prefix.
type cleanError struct{ err error }

func (e cleanError) Error() string { return CleanText(e.err) }
func (e cleanError) Unwrap() error { return e.err }

// CleanText returns err's text without the protocol package's prefix.
func CleanText(err error) string { return strings.TrimPrefix(err.Error(), "protocol: ") }

// Payload converts a core payload to the protocol's.
func Payload(p core.Payload) protocol.Payload {
	return protocol.Payload{Type: protocol.DataType(p.Type), Data: p.Data}
}

// CorePayload converts a protocol payload to the core's.
func CorePayload(p protocol.Payload) core.Payload {
	return core.Payload{Type: core.DataType(p.Type), Data: p.Data}
}

// appendJSONSequenceID appends the JSON object frame with a "sequenceId"
// member added.
func appendJSONSequenceID(dst, frame []byte, seq uint64) []byte {
	dst = append(dst, frame[:len(frame)-1]...)
	dst = append(dst, `,"sequenceId":`...)
	dst = strconv.AppendUint(dst, seq, 10)
	return append(dst, '}')
}

// appendProtobufSequenceID appends the protobuf data message frame with its
// sequence id set.
func appendProtobufSequenceID(dst, frame []byte, seq uint64) []byte {
	b, err := protocol.AppendProtobufSequenceID(dst, frame, seq)
	if err != nil {
		return append(dst, frame...) // not a data message: sent as is
	}
	return b
}
