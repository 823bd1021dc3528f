package mqttlink

import (
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// publish handles a client's PUBLISH: the broker's rules (CheckPublish),
// the QoS flow (Inbound: the receive maximum, a QoS 2 message delivered
// once), then the group or the upstream, and the PUBACK or PUBREC.
func (l *link) publish(p *mqtt.Publish) {
	kind, event, ref := mqtt.CheckPublish(l.v, p)
	if ref != nil {
		l.a.log.Debug("emulator: mqtt publish refused", "hub", l.hub, "clientId", l.clientID(), "topic", p.Topic, "reason", ref.Error())
		if ref.Disconnect {
			l.serverDisconnect(ref.Code, "")
			return
		}
		l.acknowledge(p, ref.Code)
		return
	}
	s := l.sess
	s.mu.Lock()
	deliver, resend, r := s.in.Receive(p)
	s.mu.Unlock()
	switch {
	case r != nil:
		l.protocolError(r)
		return
	case !deliver:
		if resend != nil {
			l.send(resend)
		}
		return
	}
	code := mqtt.Success
	if kind == mqtt.TopicEvent {
		code = l.userEvent(event, p)
	} else {
		code = l.a.toGroup(l.c(), l.v, p, s)
	}
	if code == mqtt.NotAuthorized && p.QoS == mqtt.QoS0 {
		// A maintainer's comment: an unauthorized QoS 0 publish closes the
		// connection (Azure/azure-webpubsub#793).
		l.serverDisconnect(code, "")
		return
	}
	l.acknowledge(p, code)
}

// acknowledge sends the PUBACK or PUBREC of p with code (on 3.1.1 always
// success: a refused message is dropped).
func (l *link) acknowledge(p *mqtt.Publish, code mqtt.ReasonCode) {
	s := l.sess
	s.mu.Lock()
	a := s.in.Acknowledge(p, code)
	s.mu.Unlock()
	if a != nil {
		if code.IsError() {
			l.tracePacket(a, false, code)
		}
		l.send(a)
	}
}

// toGroup publishes p of connection c (version v) to the group its topic
// names, with the sendToGroup permission. The message keeps its QoS and
// forwardable properties for MQTT subscribers; other clients get its data
// type from the 5.0 content type (application/json, text/plain,
// application/x-protobuf; anything else binary). A payload that the data
// type says is JSON or text and is not is refused (0x99): the JSON
// subprotocols could not carry it (the service's behaviour is not
// documented). s, when not nil, is the publisher's session, whose No Local
// subscriptions leave it out.
func (a *Adapter) toGroup(c *core.Conn, v mqtt.Version, p *mqtt.Publish, s *session) mqtt.ReasonCode {
	group := p.Topic
	if !c.Allowed(core.RoleSendToGroup, group) {
		return mqtt.NotAuthorized
	}
	dt := mqtt.DataTypeOf(v, p.Properties.ContentType)
	if (dt == protocol.DataTypeJSON && !json.Valid(p.Payload)) || (dt == protocol.DataTypeText && !utf8.Valid(p.Payload)) {
		return mqtt.PayloadFormatInvalid
	}
	msg := &core.Message{
		Origin: core.FromGroup, Group: group, FromUserID: c.UserID(),
		Data:  core.Payload{Type: core.DataType(dt), Data: p.Payload},
		Extra: &published{qos: p.QoS, props: forwarded(p.Properties)},
	}
	if e := p.Properties.MessageExpiryInterval; e != nil {
		msg.Expires = time.Now().Add(time.Duration(*e) * time.Second)
	}
	h := c.Hub()
	send := &core.Send{Message: msg, From: c, Source: "connection", Target: "group " + group, To: h.Group(group)}
	if s != nil {
		send.Skip = func(t *core.Conn) bool {
			if t != c {
				return false
			}
			sub, _ := s.subscription(group)
			return sub.noLocal
		}
	}
	h.Send(send)
	return mqtt.Success
}

// forwarded returns the properties of a client's PUBLISH that the broker
// forwards to subscribers (5.0 §3.3.2.3): the message expiry is set per
// delivery, topic aliases and subscription identifiers are not forwarded.
func forwarded(p mqtt.Properties) mqtt.Properties {
	return mqtt.Properties{
		PayloadFormatIndicator: p.PayloadFormatIndicator,
		ContentType:            p.ContentType,
		ResponseTopic:          p.ResponseTopic,
		CorrelationData:        p.CorrelationData,
		User:                   p.User,
	}
}
