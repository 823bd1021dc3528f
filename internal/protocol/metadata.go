package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/webpubsub-go/webpubsub/internal/protocol/pb"
)

// Message metadata: string entries a client attaches to a sendToGroup or an
// event, which receivers get on their group and server messages and the
// upstream gets as X-WebPubSub-Metadata-<key> headers. The JSON subprotocols
// carry them as an optional "metadata" object of strings, written after
// "data" ({"type":"sendToGroup",...,"dataType":"text","data":"hi",
// "metadata":{"k":"v"}}); the protobuf ones as the metadata map of
// SendToGroupMessage (6), EventMessage (4), InvokeEventMessage (4) and
// DataMessage (5). Facts from Microsoft's emulator (Azure/azure-webpubsub,
// tools/emulator: WebPubSubJsonV1Protocol.cs ReadMetadata and WriteData,
// WebPubSubMetadataValidator.cs).

// Bounds of message metadata, as Microsoft's emulator checks them.
const (
	// MaxMetadataKeyBytes bounds a key.
	MaxMetadataKeyBytes = 256
	// MaxMetadataValueBytes bounds a value.
	MaxMetadataValueBytes = 1024
	// MaxMetadataBytes bounds the keys and values of a message together.
	MaxMetadataBytes = 8 * 1024
)

// ErrInvalidMetadata is matched (errors.Is) by every *MetadataError.
var ErrInvalidMetadata = errors.New("protocol: invalid metadata")

// MetadataError says why metadata were refused. Its text is the wording of
// Microsoft's emulator, so that it can be passed on to a client as is.
type MetadataError struct {
	// Message describes the problem, e.g. "Metadata key 'a b' contains
	// invalid characters.".
	Message string
}

// Error implements error.
func (e *MetadataError) Error() string { return e.Message }

// Is reports whether target is ErrInvalidMetadata.
func (e *MetadataError) Is(target error) bool { return target == ErrInvalidMetadata }

func metadataError(format string, args ...any) error {
	return &MetadataError{Message: fmt.Sprintf(format, args...)}
}

// ValidateMetadata checks md as the service does before it accepts a
// message: each key is an HTTP token (RFC 9110: letters, digits and
// !#$%&'*+-.^_`|~) of at most MaxMetadataKeyBytes, each value ASCII of at
// most MaxMetadataValueBytes, all of them together at most
// MaxMetadataBytes. The entries are checked in key order, so that the error
// of a message with several problems does not depend on map order. A nil or
// empty md is valid. The error is a *MetadataError.
func ValidateMetadata(md map[string]string) error {
	if len(md) == 0 {
		return nil
	}
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	total := 0
	for _, k := range keys {
		v := md[k]
		if !isToken(k) {
			return metadataError("Metadata key '%s' contains invalid characters.", printable(k))
		}
		if !isASCII(v) {
			return metadataError("Metadata value for key '%s' must be ASCII.", k)
		}
		if len(k) > MaxMetadataKeyBytes {
			return metadataError("Metadata key '%s' exceeds %d bytes.", k, MaxMetadataKeyBytes)
		}
		if len(v) > MaxMetadataValueBytes {
			return metadataError("Metadata value for key '%s' exceeds %d bytes.", k, MaxMetadataValueBytes)
		}
		if total += len(k) + len(v); total > MaxMetadataBytes {
			return metadataError("Metadata exceeds %d bytes.", MaxMetadataBytes)
		}
	}
	return nil
}

// tokenChar marks the bytes of an HTTP token.
var tokenChar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChar[s[i]] {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] > 0x7f {
			return false
		}
	}
	return true
}

// printable shortens a refused key for an error message and keeps control
// characters out of it.
func printable(k string) string {
	if len(k) > 64 {
		k = k[:64] + "..."
	}
	return string(bytes.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, []byte(k)))
}

// metadataOf returns the metadata of a message that carries them (none for
// a stream-opening sendToGroup).
func metadataOf(m Message) map[string]string {
	switch m := m.(type) {
	case SendToGroupMessage:
		if m.Stream == nil {
			return m.Metadata
		}
	case *SendToGroupMessage:
		return metadataOf(*m)
	case EventMessage:
		return m.Metadata
	case *EventMessage:
		return m.Metadata
	case GroupDataMessage:
		return m.Metadata
	case *GroupDataMessage:
		return m.Metadata
	case ServerDataMessage:
		return m.Metadata
	case *ServerDataMessage:
		return m.Metadata
	case InvokeMessage:
		return m.Metadata
	case *InvokeMessage:
		return m.Metadata
	}
	return nil
}

// encodeMetadata returns the JSON "metadata" object of md (keys sorted), or
// nil to leave the field out when md is empty.
func encodeMetadata(md map[string]string) (json.RawMessage, error) {
	if len(md) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(md)
	if err != nil {
		return nil, fmt.Errorf("protocol: encoding metadata: %w", err)
	}
	return b, nil
}

// decodeMetadata reads a JSON "metadata" field: absent or null is nil, and
// anything else must be an object of strings without a repeated key (which
// encoding/json would silently collapse). The entries are not validated
// against the service's rules: see ValidateMetadata. A problem is a
// *MetadataError.
func decodeMetadata(raw json.RawMessage) (map[string]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, metadataError("'metadata' must be a JSON object.")
	}
	md := make(map[string]string)
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, metadataError("'metadata' must be a JSON object.")
		}
		k, _ := t.(string) // an object key is always a string
		t, err = dec.Token()
		v, ok := t.(string)
		if err != nil || !ok {
			return nil, metadataError("Metadata value for key '%s' must be a string.", printable(k))
		}
		if _, dup := md[k]; dup {
			return nil, metadataError("Duplicate key '%s' found within 'metadata'.", printable(k))
		}
		md[k] = v
	}
	return md, nil
}

// decodeMetadataAndData reads the metadata and the payload of a client's
// sendToGroup or event frame. As in Microsoft's emulator, a frame with
// metadata may leave out "data": its payload is then empty text.
func decodeMetadataAndData(f *frame) (map[string]string, Payload, error) {
	md, err := decodeMetadata(f.Metadata)
	if err != nil {
		return nil, Payload{}, err
	}
	// An empty object counts as metadata only for the choice of payload
	// (metadata and no data: empty text); the message then has none, as
	// a message that left it out (goMetadata).
	if md != nil && len(f.Data) == 0 {
		return goMetadata(md), Payload{Type: DataTypeText, Data: []byte{}}, nil
	}
	p, err := decodeData(f.DataType, f.Data)
	return goMetadata(md), p, err
}

// pbMetadata returns md for a protobuf metadata map: nil when empty, with
// invalid UTF-8 replaced (proto3 strings must be valid UTF-8).
func pbMetadata(md map[string]string) map[string]string {
	if len(md) == 0 {
		return nil
	}
	return validMap(md)
}

// goMetadata returns a decoded protobuf metadata map, nil when empty. A
// repeated key on the wire keeps its last value, as in Microsoft's emulator
// (a protobuf map cannot tell).
func goMetadata(md map[string]string) map[string]string {
	if len(md) == 0 {
		return nil
	}
	return md
}

// payloadOrMetadataOnly returns the payload of a client's protobuf
// sendToGroup or event: as in Microsoft's emulator, a message with metadata
// may have no data, and its payload is then empty text.
func payloadOrMetadataOnly(d *pb.MessageData, md map[string]string) (Payload, error) {
	if d.GetData() == nil && len(md) > 0 {
		return Payload{Type: DataTypeText, Data: []byte{}}, nil
	}
	return payloadOf(d)
}
