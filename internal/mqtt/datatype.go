package mqtt

import (
	"mime"
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// ContentTypeProtobuf is the 5.0 content type of a protobuf message
// (reference-mqtt-cross-protocol-communication).
const ContentTypeProtobuf = "application/x-protobuf"

// DataTypeOf returns the Web PubSub data type of an MQTT message of
// version v with the 5.0 content type contentType (reference mqtt.md §5):
// application/json -> json, text/plain -> text, application/x-protobuf ->
// protobuf, anything else, none, and every 3.1.1 message -> binary. The
// media type is compared without its parameters and case ("text/plain;
// charset=utf-8" is text): an inference, the documentation shows bare
// types only.
func DataTypeOf(v Version, contentType string) protocol.DataType {
	if v != V5 || contentType == "" {
		return protocol.DataTypeBinary
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	switch mt {
	case protocol.ContentTypeJSON:
		return protocol.DataTypeJSON
	case protocol.ContentTypeText:
		return protocol.DataTypeText
	case ContentTypeProtobuf:
		return protocol.DataTypeProtobuf
	}
	return protocol.DataTypeBinary
}

// ContentTypeOf returns the 5.0 content type of a message of data type dt
// sent to an MQTT client: the reverse of DataTypeOf. For binary the
// documentation lists both application/octet-stream and none; the broker
// sends application/octet-stream, which says what the bytes are.
func ContentTypeOf(dt protocol.DataType) string {
	switch dt {
	case protocol.DataTypeJSON:
		return protocol.ContentTypeJSON
	case protocol.DataTypeText:
		return protocol.ContentTypeText
	case protocol.DataTypeProtobuf:
		return ContentTypeProtobuf
	}
	return protocol.ContentTypeBinary
}
