package webpubsub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Content types of the messages the service accepts.
const (
	contentTypeText   = "text/plain"
	contentTypeJSON   = "application/json"
	contentTypeBinary = "application/octet-stream"
)

// Message is the body of a send operation together with its content type.
// Build one with TextMessage, JSONMessage, RawJSONMessage or BinaryMessage; the
// zero Message is an empty binary message. A constructor that cannot encode
// its argument keeps the error in the Message: Err returns it at once, and
// the send that uses the Message returns it before any request is made
// (client.Data does the same).
type Message struct {
	contentType string
	body        []byte
	err         error
}

// TextMessage returns a text/plain message holding s.
func TextMessage(s string) Message {
	return Message{contentType: contentTypeText, body: []byte(s)}
}

// JSONMessage returns an application/json message holding v marshalled with
// encoding/json, except that <, > and & are not escaped: clients receive the
// text as written, as with the JS SDK's JSON.stringify. A marshalling error
// is kept (see Message).
func JSONMessage(v any) Message {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return Message{contentType: contentTypeJSON, err: fmt.Errorf("webpubsub: marshalling JSON message: %w", err)}
	}
	// Encode ends the value with a newline, which Marshal does not.
	return Message{contentType: contentTypeJSON, body: bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})}
}

// RawJSONMessage returns an application/json message holding b, which must
// already be JSON text. b is not copied; invalid JSON is an error kept in the
// Message (see Message), as client.RawJSON does.
func RawJSONMessage(b []byte) Message {
	if !json.Valid(b) {
		return Message{contentType: contentTypeJSON, err: errors.New("webpubsub: RawJSONMessage holds invalid JSON")}
	}
	return Message{contentType: contentTypeJSON, body: b}
}

// BinaryMessage returns an application/octet-stream message holding b. b is
// not copied.
func BinaryMessage(b []byte) Message {
	return Message{contentType: contentTypeBinary, body: b}
}

// ContentType returns the message's HTTP content type.
func (m Message) ContentType() string {
	if m.contentType == "" {
		return contentTypeBinary
	}
	return m.contentType
}

// Body returns the message bytes (nil when Err is not nil).
func (m Message) Body() []byte { return m.body }

// Err returns the error kept from building the message (e.g. a JSON
// marshalling error), or nil.
func (m Message) Err() error { return m.err }
