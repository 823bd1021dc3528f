package mqttlink

import (
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
)

// A QoS 0 PUBLISH without a subscription identifier is the same for every
// client of a protocol version: it is encoded once per message and version
// (core.Message.Encode) and its bytes shared, as the WebSocket
// subprotocols share their frames.
var (
	sharedV311 = core.NewEncoding("mqtt 3.1.1 QoS 0", func(m *core.Message) ([]byte, error) {
		return mqtt.Encode(nil, sharedPublish(m), mqtt.V311)
	})
	sharedV5 = core.NewEncoding("mqtt 5.0 QoS 0", func(m *core.Message) ([]byte, error) {
		return mqtt.Encode(nil, sharedPublish(m), mqtt.V5)
	})
)

// sharedPublish is the QoS 0 PUBLISH of m without a subscription
// identifier (see session.publishFor).
func sharedPublish(m *core.Message) *mqtt.Publish {
	p := &mqtt.Publish{Topic: m.Group, Payload: m.Data.Data}
	if x, ok := m.Extra.(*published); ok {
		p.Properties = x.props
	} else {
		p.Properties.ContentType = mqtt.ContentTypeOf(protocolType(m.Data.Type))
		if m.Origin == core.FromServer && m.Group == "" {
			p.Topic = mqtt.ServerMessagesTopic
		}
	}
	if !m.Expires.IsZero() {
		left := uint32((time.Until(m.Expires) + time.Second - 1) / time.Second)
		p.Properties.MessageExpiryInterval = &left
	}
	return p
}

// stageShared stages p, the QoS 0 PUBLISH of m, sharing its bytes with the
// other clients of the same version when it has no subscription
// identifier.
func (l *link) stageShared(m *core.Message, p *mqtt.Publish) bool {
	if _, answer := m.Extra.(*eventAnswer); answer || len(p.Properties.SubscriptionIdentifiers) > 0 {
		return l.stage(p)
	}
	enc := sharedV311
	if l.v == mqtt.V5 {
		enc = sharedV5
	}
	b, err := m.Encode(enc)
	if err != nil {
		l.a.log.Error("emulator: encoding an mqtt message", "clientId", l.clientID(), "err", err)
		return true
	}
	return l.putFrame(b, true)
}
