package mqttlink

import (
	"net/http"
	"strconv"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// StatusCodeProperty is the user property of an event's answer that holds
// the upstream's HTTP status (reference-mqtt-cloud-events).
const StatusCodeProperty = "azure-status-code"

// userEvent sends a PUBLISH to "$webpubsub/server/events/{event}" to the
// upstream, off the client's packets (so that its pings and acks go on),
// at most Limits.MaxInvocations per session at once: one more waits, and
// with it the client's later packets. No permission is needed (the
// reference's choice where the documentation disagrees with itself). The
// PUBLISH is acknowledged at once; the answer comes back later on
// ".../{event}/succeeded" or ".../failed" (see answer).
func (l *link) userEvent(event string, p *mqtt.Publish) mqtt.ReasonCode {
	s := l.sess
	select {
	case s.events <- struct{}{}:
	case <-l.sock.Context().Done():
		return mqtt.Success // the socket ended: the event is dropped
	case <-s.ctx.Done():
		return mqtt.Success
	}
	req := eventRequest{event: event, qos: p.QoS, correlation: p.Properties.CorrelationData}
	ev := upstream.MQTTEvent{ContentType: p.Properties.ContentType, UserProperties: wireProperties(p.Properties.User), Body: p.Payload}
	dt := mqtt.DataTypeOf(l.v, p.Properties.ContentType)
	run := func() {
		defer func() { <-s.events }()
		ans, err := l.a.cfg.Hooks.MQTTUserEvent(s.ctx, s.conn, event, ev, dt)
		if s.ctx.Err() == nil {
			l.a.answer(s, req, ans, err)
		}
	}
	if !l.a.cfg.Tasks.Go(run) {
		<-s.events
	}
	return mqtt.Success
}

// eventRequest is what the answer to a user event needs of the request.
type eventRequest struct {
	event       string
	qos         mqtt.QoS
	correlation []byte
}

// answer publishes the upstream's answer to a user event back to its
// client, at the request's QoS: on ".../{event}/succeeded" for a 2xx,
// ".../failed" else, with the answer's body as payload and, on 5.0, its
// Content-Type as content type, its "mqtt-{name}" headers and the status
// (azure-status-code) as user properties and the request's correlation
// data. An upstream that could not be called is answered as a 500 with no
// body (the details are in the log, never sent to the client). No handler
// for the event (ans and err nil) sends nothing.
func (a *Adapter) answer(s *session, req eventRequest, ans *upstream.MQTTAnswer, err error) {
	if ans == nil && err == nil {
		return
	}
	if err != nil {
		ans = &upstream.MQTTAnswer{Status: http.StatusInternalServerError}
	}
	ok := ans.Status >= 200 && ans.Status <= 299
	props := mqtt.Properties{ContentType: ans.ContentType, CorrelationData: req.correlation}
	for _, up := range ans.UserProperties {
		props.User = append(props.User, mqtt.UserProperty{Name: up.Name, Value: up.Value})
	}
	props.User = append(props.User, mqtt.UserProperty{Name: StatusCodeProperty, Value: strconv.Itoa(ans.Status)})
	dt := mqtt.DataTypeOf(mqtt.V5, ans.ContentType)
	msg := &core.Message{
		Origin: core.FromServer,
		Data:   core.Payload{Type: core.DataType(dt), Data: ans.Body},
		Extra:  &eventAnswer{topic: mqtt.EventAnswerTopic(req.event, ok), qos: req.qos, props: props},
	}
	c := s.conn
	c.Hub().Send(&core.Send{Message: msg, Source: "upstream", Target: "connection " + c.ID(), To: []*core.Conn{c}})
}
