package upstream

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// MQTTUserPropertyHeaderPrefix precedes a user property's name in the
// header that carries it to and from the upstream: "mqtt-{name}"
// (reference-mqtt-cloud-events).
const MQTTUserPropertyHeaderPrefix = "mqtt-"

// MQTTEvent is a user event an MQTT client published to
// "$webpubsub/server/events/{event}".
type MQTTEvent struct {
	// ContentType is the PUBLISH's 5.0 content type; the event's
	// Content-Type. Empty (3.1.1, or none given) is sent as
	// application/octet-stream: the service's choice is not documented,
	// and the express package ignores user events without a Content-Type.
	ContentType string
	// UserProperties become "mqtt-{name}" headers; those that cannot be an
	// HTTP header (a name that is not a token, a value with control
	// characters) are left out.
	UserProperties []protocol.MQTTUserProperty
	// Body is the PUBLISH's payload.
	Body []byte
}

// MQTTAnswer is the upstream's answer to an MQTT client's user event,
// whatever its status: the broker publishes it back to the client on
// ".../{event}/succeeded" (2xx) or ".../{event}/failed".
type MQTTAnswer struct {
	// Status is the HTTP status (sent as the user property
	// azure-status-code).
	Status int
	// ContentType is the answer's Content-Type.
	ContentType string
	// UserProperties are the answer's "mqtt-{name}" headers, names lower
	// case (HTTP header names have no case), sorted by name (HTTP keeps no order across names).
	UserProperties []protocol.MQTTUserProperty
	// Body is the answer's body.
	Body []byte
}

// MQTTUserEvent sends an MQTT client's user event and waits for the
// answer, which it returns whatever its status (after the service's
// retries of 408 and 5xx). It fails with ErrNoHandler when no handler of
// the hub takes the event and with a *CallError when the handler cannot be
// reached; a 2xx answer's ce-connectionState applies, a failed event
// changes nothing.
func (s *Session) MQTTUserEvent(ctx context.Context, event string, ev MQTTEvent) (*MQTTAnswer, error) {
	h, ok := s.inv.handlerFor(s.hub, event, false)
	if !ok {
		return nil, ErrNoHandler
	}
	if s.inv.isClosed() {
		return nil, errors.New("upstream invoker is closed")
	}
	ct := ev.ContentType
	if ct == "" {
		ct = protocol.ContentTypeBinary
	}
	a, err := s.inv.send(ctx, h, s, request{ceType: protocol.EventTypeUserPrefix + event, name: event, contentType: ct, body: ev.Body, headers: userPropertyHeaders(ev.UserProperties)})
	if err != nil {
		return nil, err
	}
	ok = a.status >= 200 && a.status <= 299
	if ok {
		if err := s.applyState(a.header); err != nil {
			return nil, a.unusable(err)
		}
	}
	return &MQTTAnswer{Status: a.status, ContentType: a.header.Get("Content-Type"), UserProperties: userPropertiesOf(a.header), Body: a.body}, nil
}

// userPropertyHeaders returns the "mqtt-{name}" headers of props, leaving
// out those that cannot be a header.
func userPropertyHeaders(props []protocol.MQTTUserProperty) http.Header {
	if len(props) == 0 {
		return nil
	}
	h := make(http.Header, len(props))
	for _, p := range props {
		if metadataHeaderOK(p.Name, p.Value) {
			k := MQTTUserPropertyHeaderPrefix + p.Name
			h[k] = append(h[k], p.Value)
		}
	}
	return h
}

// userPropertiesOf returns an answer's "mqtt-{name}" headers as user
// properties.
func userPropertiesOf(h http.Header) []protocol.MQTTUserProperty {
	var out []protocol.MQTTUserProperty
	for k, vs := range h {
		name, ok := cutPrefixFold(k, MQTTUserPropertyHeaderPrefix)
		if !ok || name == "" {
			continue
		}
		for _, v := range vs {
			out = append(out, protocol.MQTTUserProperty{Name: strings.ToLower(name), Value: v})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
