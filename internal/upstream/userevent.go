package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// UserEventOptions are the optional parts of a user event. The zero value
// sends data with its own content type and no metadata.
type UserEventOptions struct {
	// ContentType, when set, replaces data.ContentType() (protobuf clients
	// send their Any payloads as application/x-protobuf).
	ContentType string
	// Metadata are sent as x-webpubsub-metadata-<key> headers; entries that
	// cannot be an HTTP header are left out.
	Metadata map[string]string
}

// Reply is an upstream's successful answer to a user event: the message to
// send back to the caller, before its ack.
type Reply struct {
	// Payload is the answer's body with the data type of its Content-Type
	// (text/plain, application/json, application/octet-stream or none:
	// binary, application/x-protobuf: protobuf). Nil when the answer has
	// neither a body nor metadata: nothing is sent back.
	Payload *protocol.Payload
	// Metadata are the answer's X-WebPubSub-Metadata-<key> headers: keys
	// lower-cased, the last value of a repeated header; nil when none.
	Metadata map[string]string
}

// UserEvent sends a user event and waits for the answer, which is returned
// as the payload to deliver back to the client; nil when no handler takes
// the event or the answer has no body. Failures are as for SendUserEvent.
func (s *Session) UserEvent(ctx context.Context, event string, data protocol.Payload) (*protocol.Payload, error) {
	return s.UserEventWithOptions(ctx, event, data, UserEventOptions{})
}

// UserEventWithOptions is UserEvent with a content type and metadata. It
// drops the answer's metadata; SendUserEvent returns it.
func (s *Session) UserEventWithOptions(ctx context.Context, event string, data protocol.Payload, opts UserEventOptions) (*protocol.Payload, error) {
	r, err := s.SendUserEvent(ctx, event, data, opts)
	if errors.Is(err, ErrNoHandler) {
		return nil, nil
	}
	if err != nil || r.Payload == nil || len(r.Payload.Data) == 0 {
		return nil, err
	}
	return r.Payload, nil
}

// SendUserEvent sends a user event and waits for the answer. It fails with
// ErrNoHandler when no handler of the hub takes the event; with a
// *StatusError when the handler answers a status that is not 2xx (after the
// service's retries of 408 and 5xx); with a *CallError when the handler
// cannot be reached or its 2xx answer cannot be used (an unsupported
// Content-Type with a body, JSON that is not JSON, invalid metadata or
// connection state). The service and Microsoft's emulator tell the client
// only "InternalServerError" / "Internal server error" for all of these: the
// details (Explain) are for the log and the trace. A failed event changes
// neither the connection state nor anything else.
func (s *Session) SendUserEvent(ctx context.Context, event string, data protocol.Payload, opts UserEventOptions) (*Reply, error) {
	h, ok := s.inv.handlerFor(s.hub, event, false)
	if !ok {
		return nil, ErrNoHandler
	}
	if s.inv.isClosed() {
		return nil, errors.New("upstream invoker is closed")
	}
	ct := data.ContentType()
	if opts.ContentType != "" {
		ct = opts.ContentType
	}
	a, err := s.inv.send(ctx, h, s, request{ceType: protocol.EventTypeUserPrefix + event, name: event, contentType: ct, body: data.Data, metadata: opts.Metadata})
	if err != nil {
		return nil, err
	}
	if a.status < 200 || a.status > 299 {
		return nil, a.refused()
	}
	r, err := replyOf(a)
	if err == nil {
		err = s.applyState(a.header)
	}
	if err != nil {
		return nil, a.unusable(err)
	}
	return r, nil
}

// replyOf reads the message of a 2xx answer to a user event.
func replyOf(a *answer) (*Reply, error) {
	md, err := replyMetadata(a.header)
	if err != nil {
		return nil, err
	}
	t, err := replyDataType(a.header.Get("Content-Type"), len(a.body) > 0)
	if err != nil {
		return nil, err
	}
	if t == protocol.DataTypeJSON && !json.Valid(a.body) {
		return nil, errors.New("the answer is labelled application/json but is not valid JSON")
	}
	r := &Reply{Metadata: md}
	if len(a.body) > 0 || md != nil {
		r.Payload = &protocol.Payload{Type: t, Data: a.body}
	}
	return r, nil
}

// replyDataType maps an answer's Content-Type to the data type of the
// message sent back. None means binary. Any other type fails the event when
// the answer has a body, as in Microsoft's emulator; an empty answer with
// metadata only is sent as empty text (its test
// ResponseBodyAndMetadataPrecedeAck), as is an empty JSON answer (no JSON
// value is empty).
func replyDataType(contentType string, hasBody bool) (protocol.DataType, error) {
	if contentType == "" {
		return protocol.DataTypeBinary, nil
	}
	t, ok := protocol.DataTypeForContentType(contentType)
	if !ok {
		if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == protocol.ContentTypeProtobuf {
			t, ok = protocol.DataTypeProtobuf, true
		}
	}
	switch {
	case !ok && hasBody:
		return "", fmt.Errorf("the answer's Content-Type %q is not supported; answer text/plain, application/json, application/octet-stream or application/x-protobuf", truncate(contentType, 100))
	case !ok || (!hasBody && t == protocol.DataTypeJSON):
		return protocol.DataTypeText, nil
	}
	return t, nil
}

// Bounds of the metadata of a reply, as the service bounds a message's
// metadata: keys of token characters up to 256 bytes, values up to 1,024
// bytes, 8 KiB in all.
const (
	maxMetadataKeyBytes   = 256
	maxMetadataValueBytes = 1024
	maxMetadataBytes      = 8 << 10
)

// replyMetadata collects the X-WebPubSub-Metadata-<key> headers of an
// answer: keys lower-cased; of a repeated header, or of a comma-separated
// value, the last value wins, as Microsoft's emulator reads them
// (UpstreamEventDispatcher.GetMetadata: the last value, after its last
// comma, trimmed). A header with an empty key is ignored.
func replyMetadata(h http.Header) (map[string]string, error) {
	var md map[string]string
	total := 0
	for name, values := range h {
		key, ok := cutPrefixFold(name, protocol.HeaderMetadataPrefix)
		if !ok || key == "" || len(values) == 0 {
			continue
		}
		key = strings.ToLower(key)
		v := values[len(values)-1]
		if i := strings.LastIndexByte(v, ','); i >= 0 {
			v = v[i+1:]
		}
		v = strings.TrimSpace(v)
		if len(key) > maxMetadataKeyBytes || len(v) > maxMetadataValueBytes {
			return nil, fmt.Errorf("the answer's metadata %q is too long: keys may have %d bytes, values %d", truncate(key, 64), maxMetadataKeyBytes, maxMetadataValueBytes)
		}
		if total += len(key) + len(v); total > maxMetadataBytes {
			return nil, fmt.Errorf("the answer's metadata have more than %d bytes", maxMetadataBytes)
		}
		if md == nil {
			md = make(map[string]string)
		}
		md[key] = v
	}
	return md, nil
}

// cutPrefixFold is strings.CutPrefix ignoring ASCII case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}

// truncate shortens s to at most n bytes for messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}
