package eventhandler

import (
	"mime"
	"net/http"
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// userEventDataType maps a user event's Content-Type to its data type. An
// event without one is binary.
//
// The express handler 1.1.0 knows only text, JSON and binary events and
// passes a protobuf client's event (application/x-protobuf) on to the next
// route unhandled; ours hands it to OnUserEvent as Protobuf.
func userEventDataType(contentType string) (DataType, bool) {
	if contentType == "" {
		return DataTypeBinary, true
	}
	if t, ok := protocol.DataTypeForContentType(contentType); ok {
		return DataType(t), true
	}
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == protocol.ContentTypeProtobuf {
		return DataTypeProtobuf, true
	}
	return "", false
}

// eventMetadata collects the x-webpubsub-metadata-<key> headers of an
// event, or nil when it has none.
func eventMetadata(h http.Header) map[string]string {
	var md map[string]string
	for name, values := range h {
		key, ok := cutPrefixFold(name, protocol.HeaderMetadataPrefix)
		if !ok || key == "" || len(values) == 0 {
			continue
		}
		if md == nil {
			md = make(map[string]string)
		}
		md[strings.ToLower(key)] = values[0]
	}
	return md
}

// cutPrefixFold is strings.CutPrefix ignoring ASCII case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}
