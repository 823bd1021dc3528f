package emulator

import (
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// wireFormat is how a data message is framed for one family of clients.
// Every broadcast is encoded at most once per wire format, on first use, and
// the frame is shared by every recipient of that format; a sequence id is
// added by the writer at write time into a buffer of its own (see
// formatSpec.appendSequenceID), so that recipients never hold private copies.
//
// A new subprotocol family adds a constant here, an entry in formats and a
// case in formatOf.
type wireFormat uint8

const (
	// formatRaw is the payload itself, for simple WebSocket clients.
	formatRaw wireFormat = iota
	// formatJSON is the json.webpubsub.azure.v1 family.
	formatJSON
	// formatProtobuf is the protobuf.webpubsub.azure.v1 family.
	formatProtobuf
	numFormats
)

// formatSpec describes one wire format of a PubSub subprotocol family.
type formatSpec struct {
	// encode returns the frame of a data message without a sequence id.
	encode func(protocol.Message) ([]byte, error)
	// appendSequenceID appends to dst the frame of encode with sequence id seq.
	appendSequenceID func(dst, frame []byte, seq uint64) []byte
	// frameType is the WebSocket message type of the frames.
	frameType websocket.MessageType
}

// formats are the specs of the PubSub wire formats (formatRaw has none).
var formats = [numFormats]formatSpec{
	formatJSON: {
		encode:           protocol.Encode,
		appendSequenceID: appendJSONSequenceID,
		frameType:        websocket.MessageText,
	},
	formatProtobuf: {
		encode:           protocol.EncodeProtobuf,
		appendSequenceID: appendProtobufSequenceID,
		frameType:        websocket.MessageBinary,
	},
}

// formatOf returns the wire format of a connection speaking subprotocol
// with codec (nil for a simple WebSocket).
func formatOf(codec protocol.Codec) wireFormat {
	switch {
	case codec == nil:
		return formatRaw
	case codec.Binary():
		return formatProtobuf
	default:
		return formatJSON
	}
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

// message is one data message shared by all its recipients.
type message struct {
	// src is the message, encoded for each wire format on first use.
	src protocol.Message
	// raw is the payload a simple WebSocket client receives.
	raw []byte
	// rawType is the frame type of raw.
	rawType websocket.MessageType
	// expires is when the message may no longer be resent; zero = never.
	expires time.Time
	// frames are the encodings per wire format, filled lazily.
	frames [numFormats]lazyFrame
}

// lazyFrame is a frame encoded once, on first use.
type lazyFrame struct {
	once  sync.Once
	frame []byte
	err   error
}

// newMessage prepares m for delivery. Its JSON frame is encoded now, so that
// an invalid message is refused before anything is sent; other formats are
// encoded on first use.
func newMessage(m protocol.Message, data protocol.Payload, ttl time.Duration) (*message, error) {
	msg := &message{src: m, raw: data.Data, rawType: websocket.MessageText}
	if _, err := msg.frame(formatJSON); err != nil {
		return nil, err
	}
	if data.Type == protocol.DataTypeBinary || data.Type == protocol.DataTypeProtobuf {
		msg.rawType = websocket.MessageBinary
	}
	if ttl > 0 {
		msg.expires = time.Now().Add(ttl)
	}
	return msg, nil
}

// frame returns the frame of the message in format f without a sequence id,
// encoding it on first use. The frame is shared: callers must not modify it.
func (m *message) frame(f wireFormat) ([]byte, error) {
	if f == formatRaw {
		return m.raw, nil
	}
	l := &m.frames[f]
	l.once.Do(func() { l.frame, l.err = formats[f].encode(m.src) })
	return l.frame, l.err
}

func (m *message) expired(now time.Time) bool {
	return !m.expires.IsZero() && now.After(m.expires)
}
