package protocol

// The service's reading of client frames. Decode, DecodeUpstream and
// DecodeDownstream are lenient readers, as a client must be (it drops what it
// does not know, client-protocol-preview.md section 0). The service is
// strict: Microsoft's emulator closes the connection with 1007 "The client
// message is not a valid JSON protocol message." for any frame that cannot be
// a valid request (WebPubSubJsonV1Protocol.ParseMessage and
// WebPubSubSubprotocolPayloadProcessor.ProcessAsync; the cases of its test
// WebPubSubJsonProtocolTests.Parse_MalformedMessage_ThrowsInvalidData), and
// so does the emulator with DecodeJSONRequest and DecodeProtobufRequest.

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/names"
)

// ErrInvalidMessage is wrapped by every error of DecodeJSONRequest and
// DecodeProtobufRequest: the frame is not a valid request, and the service
// closes the connection with CloseCodeInvalidMessage and
// InvalidMessageReason. The wrapping error says what is wrong, for the log;
// the client gets only the fixed reason.
var ErrInvalidMessage = errors.New("not a valid client message")

// CloseCodeInvalidMessage is the close code for a frame that is not a valid
// request (1007, invalid frame payload data).
const CloseCodeInvalidMessage = 1007

// MaxTTLSeconds is the largest ttlSeconds of a client's sendToGroup, as of
// the REST API's messageTtlSeconds ("Allowed range is [0,300]").
const MaxTTLSeconds = 300

// InvalidMessageReason returns the close reason for a frame that is not a
// valid request of subprotocol, in the service's words: "JSON" for the JSON
// subprotocols, the subprotocol's name for the protobuf ones (Microsoft's
// emulator names its protobuf protocol protobuf.webpubsub.azure.v1 for both).
func InvalidMessageReason(subprotocol string) string {
	name := "JSON"
	if IsProtobuf(subprotocol) {
		name = Protobuf
	}
	return "The client message is not a valid " + name + " protocol message."
}

// requestTypes are the frame types a client may send, in their canonical
// spelling; the service reads the type case-insensitively.
var requestTypes = []string{
	TypeJoinGroup, TypeLeaveGroup, TypeSendToGroup, TypeEvent, TypeSequenceAck, TypePing,
	TypeInvoke, TypeCancelInvocation, TypeStreamData, TypeStreamEnd,
	TypeSetGroupState, TypeSubscribeGroupState, TypeUnsubscribeGroupState,
}

// requestFrame is a client frame with the fields only the service reads.
type requestFrame struct {
	frame
	TTLSeconds json.RawMessage `json:"ttlSeconds"`
}

// invalid returns an error that wraps ErrInvalidMessage.
func invalid(format string, args ...any) error {
	return fmt.Errorf("protocol: %w: %s", ErrInvalidMessage, fmt.Sprintf(format, args...))
}

// DecodeJSONRequest parses a frame a JSON client sent, as the service does.
// Every error wraps ErrInvalidMessage. Beyond Decode it refuses:
//   - a frame that is not a JSON object whose fields have the right JSON
//     types (ackId and sequenceId whole numbers, noEcho a boolean, ...);
//   - a type that is not one a client sends (the type and dataType are read
//     case-insensitively);
//   - a missing or invalid group (names.ValidateGroup) on joinGroup,
//     leaveGroup, sendToGroup and the group state requests;
//   - an invalid event name (names.ValidateEventName) on event and invoke;
//   - a dataType other than text, json, binary or protobuf, data that does
//     not fit it, json data that is null, and missing data;
//   - ttlSeconds that is not a whole number from 0 to MaxTTLSeconds;
//   - metadata that are not an object of strings, repeat a key, or break
//     ValidateMetadata's rules (Microsoft's emulator's ReadMetadata refuses
//     them all while parsing; its test Parse_MalformedMessage_ThrowsInvalidData
//     has a key with a space and a value that is not ASCII).
//
// A missing dataType means json. A sendToGroup or event with metadata needs
// no data: it then carries empty text, as in Microsoft's emulator (ReadData;
// its test Parse_MetadataOnlyMessage_IsRetained). The JSON protocol's
// ttlSeconds is read into SendToGroupMessage.TTLSeconds.
func DecodeJSONRequest(b []byte) (Message, error) {
	var f requestFrame
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, invalid("not a JSON object with fields of the right types: %v", err)
	}
	if err := f.normalize(); err != nil {
		return nil, err
	}
	ttl, err := f.ttl()
	if err != nil {
		return nil, err
	}
	m, err := decodeFrame(f.frame)
	if err != nil {
		return nil, fmt.Errorf("protocol: %w: %w", ErrInvalidMessage, err)
	}
	if _, unknown := m.(UnknownMessage); unknown {
		return nil, invalid("%s is not understood", f.Type)
	}
	if err := validMetadata(m); err != nil {
		return nil, err
	}
	if s, ok := m.(SendToGroupMessage); ok {
		s.TTLSeconds = ttl
		m = s
	}
	return m, nil
}

// validMetadata checks the metadata of a request that carries them.
func validMetadata(m Message) error {
	if err := ValidateMetadata(metadataOf(m)); err != nil {
		return invalid("%v", err)
	}
	return nil
}

// normalize checks what Decode does not and spells type and dataType as the
// decoders expect.
func (f *requestFrame) normalize() error {
	typ, ok := canonical(f.Type, requestTypes)
	if !ok {
		return invalid("unknown type %q", truncate(f.Type))
	}
	f.Type = typ
	switch typ {
	case TypeJoinGroup, TypeLeaveGroup, TypeSetGroupState, TypeSubscribeGroupState, TypeUnsubscribeGroupState:
		return validGroup(f.Group)
	case TypeSendToGroup:
		if err := validGroup(f.Group); err != nil {
			return err
		}
		if len(f.Stream) > 0 && string(f.Stream) != "null" {
			return nil // a stream open carries no payload
		}
		return f.requirePayload()
	case TypeEvent:
		if err := names.ValidateEventName(f.Event); err != nil {
			return invalid("%v", err)
		}
		return f.requirePayload()
	case TypeInvoke:
		if err := names.ValidateEventName(f.Event); err != nil {
			return invalid("%v", err)
		}
		if f.DataType != "" {
			return f.normalizeDataType()
		}
	}
	return nil
}

// requirePayload checks the payload of a sendToGroup or event: data is
// required, and a missing dataType means json.
func (f *requestFrame) requirePayload() error {
	if len(f.Data) == 0 {
		if md := strings.TrimSpace(string(f.Metadata)); md != "" && md != "null" {
			return nil // metadata only: empty text (decodeMetadataAndData)
		}
		return invalid("missing required property 'data'")
	}
	if f.DataType == "" {
		f.DataType = DataTypeJSON
	}
	return f.normalizeDataType()
}

// normalizeDataType spells dataType in lower case, refusing an unknown one
// and json data that is null.
func (f *requestFrame) normalizeDataType() error {
	t, ok := canonical(string(f.DataType), []string{string(DataTypeText), string(DataTypeJSON), string(DataTypeBinary), string(DataTypeProtobuf)})
	if !ok {
		return invalid("unknown dataType %q", truncate(string(f.DataType)))
	}
	f.DataType = DataType(t)
	switch {
	case len(f.Data) == 0:
		return nil // the preview decoders say what a frame without data means
	case f.DataType == DataTypeJSON:
		if string(f.Data) == "null" {
			return invalid("invalid value for 'data': null")
		}
	case f.Data[0] != '"':
		return invalid("'data' should be a string when 'dataType' is '%s'", f.DataType)
	}
	return nil
}

// ttl returns the frame's ttlSeconds (0 when absent or null).
func (f *requestFrame) ttl() (uint32, error) {
	s := string(f.TTLSeconds)
	if s == "" || s == "null" {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n > MaxTTLSeconds {
		return 0, invalid("'ttlSeconds' is out of range. Allowed range is [0,%d].", MaxTTLSeconds)
	}
	return uint32(n), nil
}

// canonical returns the member of set that s spells case-insensitively.
func canonical(s string, set []string) (string, bool) {
	for _, c := range set {
		if strings.EqualFold(s, c) {
			return c, true
		}
	}
	return "", false
}

func validGroup(group string) error {
	if err := names.ValidateGroup(group); err != nil {
		return invalid("%v", err)
	}
	return nil
}

// DecodeProtobufRequest parses a frame a protobuf client sent, as the service
// does. Every error wraps ErrInvalidMessage. Beyond DecodeUpstream it
// refuses a message of no known type, an invalid group, an invalid event
// name, a ttl_seconds above MaxTTLSeconds and metadata that break
// ValidateMetadata's rules, as Microsoft's emulator does
// (WebPubSubProtobufV1Protocol.ParseMessage, whose ReadData validates the
// metadata).
func DecodeProtobufRequest(b []byte) (Message, error) {
	m, err := DecodeUpstream(b)
	if err != nil {
		return nil, fmt.Errorf("protocol: %w: %w", ErrInvalidMessage, err)
	}
	switch m := m.(type) {
	case UnknownMessage:
		return nil, invalid("unsupported request message type")
	case JoinGroupMessage:
		err = validGroup(m.Group)
	case LeaveGroupMessage:
		err = validGroup(m.Group)
	case SetGroupStateMessage:
		err = validGroup(m.Group)
	case SubscribeGroupStateMessage:
		err = validGroup(m.Group)
	case UnsubscribeGroupStateMessage:
		err = validGroup(m.Group)
	case SendToGroupMessage:
		if err = validGroup(m.Group); err == nil && m.TTLSeconds > MaxTTLSeconds {
			err = invalid("'ttl_seconds' is out of range. Allowed range is [0,%d].", MaxTTLSeconds)
		}
	case EventMessage:
		err = validEvent(m.Event)
	case InvokeMessage:
		err = validEvent(m.Event)
	}
	if err == nil {
		err = validMetadata(m)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

func validEvent(name string) error {
	if err := names.ValidateEventName(name); err != nil {
		return invalid("%v", err)
	}
	return nil
}
