package protocol

// Codec encodes and decodes the frames of one family of subprotocols (JSON or
// protobuf), so that the client and the emulator speak each family through
// the same code.
type Codec interface {
	// Encode returns the frame of m.
	Encode(m Message) ([]byte, error)
	// DecodeUpstream parses a frame a client sent.
	DecodeUpstream(b []byte) (Message, error)
	// DecodeDownstream parses a frame the service sent.
	DecodeDownstream(b []byte) (Message, error)
	// Binary reports whether frames are binary WebSocket messages (protobuf)
	// rather than text messages (JSON).
	Binary() bool
}

// JSONCodec is the codec of the JSON subprotocols.
var JSONCodec Codec = jsonCodec{}

// ProtobufCodec is the codec of the protobuf subprotocols.
var ProtobufCodec Codec = protobufCodec{}

// CodecFor returns the codec of subprotocol, or nil for a subprotocol this
// package does not define (a simple WebSocket has none).
func CodecFor(subprotocol string) Codec {
	switch subprotocol {
	case JSON, JSONReliable:
		return JSONCodec
	case Protobuf, ProtobufReliable:
		return ProtobufCodec
	}
	return nil
}

type jsonCodec struct{}

func (jsonCodec) Encode(m Message) ([]byte, error)           { return Encode(m) }
func (jsonCodec) DecodeUpstream(b []byte) (Message, error)   { return Decode(b) }
func (jsonCodec) DecodeDownstream(b []byte) (Message, error) { return Decode(b) }
func (jsonCodec) Binary() bool                               { return false }

type protobufCodec struct{}

func (protobufCodec) Encode(m Message) ([]byte, error)           { return EncodeProtobuf(m) }
func (protobufCodec) DecodeUpstream(b []byte) (Message, error)   { return DecodeUpstream(b) }
func (protobufCodec) DecodeDownstream(b []byte) (Message, error) { return DecodeDownstream(b) }
func (protobufCodec) Binary() bool                               { return true }
