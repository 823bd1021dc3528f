package mqttlink

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
)

// The adapter's sockets and sessions are tested end to end in the
// emulator's package (attack, trace) and with mqtt.js in interop/; these
// are the decisions made without a socket.

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testSession() *session {
	a := &Adapter{limits: core.DefaultLimits()}
	return &session{a: a, subs: map[string]subscription{}, serverQoS: mqtt.QoS1, out: mqtt.NewOutbound(mqtt.V5, 0), in: mqtt.NewInbound(mqtt.V5, 0)}
}

func TestPublishForChoosesTopicQoSAndProperties(t *testing.T) {
	s := testSession()
	s.subs["g"] = subscription{qos: mqtt.QoS2, id: 7}
	s.subs["low"] = subscription{qos: mqtt.QoS0}
	now := time.Now()
	text := core.Payload{Type: core.DataText, Data: []byte("x")}

	p := s.publishFor(&core.Message{Origin: core.FromServer, Data: text}, now)
	assert.Equal(t, mqtt.ServerMessagesTopic, p.Topic, "REST to all, a user or a connection")
	assert.Equal(t, mqtt.QoS1, p.QoS)
	assert.Equal(t, "text/plain", p.Properties.ContentType)
	s.serverQoS = mqtt.QoS0
	assert.Equal(t, mqtt.QoS0, s.publishFor(&core.Message{Origin: core.FromServer, Data: text}, now).QoS, "a subscription to it lowers the QoS")

	p = s.publishFor(&core.Message{Origin: core.FromGroup, Group: "g", Data: text}, now)
	assert.Equal(t, "g", p.Topic)
	assert.Equal(t, mqtt.QoS1, p.QoS, "another wire's message: QoS 1 at most")
	assert.Equal(t, []uint32{7}, p.Properties.SubscriptionIdentifiers)

	mq := &core.Message{Origin: core.FromGroup, Group: "g", Data: text, Extra: &published{qos: mqtt.QoS2, props: mqtt.Properties{ContentType: "x/y"}}}
	p = s.publishFor(mq, now)
	assert.Equal(t, mqtt.QoS2, p.QoS, "an MQTT publisher's QoS")
	assert.Equal(t, "x/y", p.Properties.ContentType, "its properties unchanged")
	assert.Equal(t, mqtt.QoS0, s.publishFor(&core.Message{Origin: core.FromGroup, Group: "low", Data: text, Extra: mq.Extra}, now).QoS)
	assert.Equal(t, mqtt.QoS0, s.publishFor(&core.Message{Origin: core.FromGroup, Group: "joinedByREST", Data: text}, now).QoS, "no subscription option: QoS 0")

	exp := &core.Message{Origin: core.FromServer, Group: "g", Data: text, Expires: now.Add(1500 * time.Millisecond)}
	p = s.publishFor(exp, now)
	assert.Equal(t, "g", p.Topic, "a REST send to a group")
	if assert.NotNil(t, p.Properties.MessageExpiryInterval) {
		assert.Equal(t, uint32(2), *p.Properties.MessageExpiryInterval, "what is left, rounded up")
	}
}

func TestSessionBoundsWaitingMessages(t *testing.T) {
	s := testSession()
	s.a.limits.MaxUnackedMessages, s.a.limits.MaxUnackedBytes = 3, 1<<20
	for range 3 {
		assert.True(t, s.keepLocked(queued{p: &mqtt.Publish{QoS: mqtt.QoS1, Topic: "g"}}))
	}
	assert.False(t, s.keepLocked(queued{p: &mqtt.Publish{QoS: mqtt.QoS1, Topic: "g"}}), "over the count")
	s = testSession()
	s.a.limits.MaxUnackedMessages, s.a.limits.MaxUnackedBytes = 100, 10
	assert.True(t, s.keepLocked(queued{p: &mqtt.Publish{QoS: mqtt.QoS1, Payload: make([]byte, 10)}}))
	assert.False(t, s.keepLocked(queued{p: &mqtt.Publish{QoS: mqtt.QoS1, Payload: make([]byte, 1)}}), "over the bytes")
}

func TestDisconnectCodes(t *testing.T) {
	for kind, want := range map[core.CloseKind]mqtt.ReasonCode{
		core.CloseNormal:          mqtt.AdministrativeAction,
		core.CloseTakenOver:       mqtt.SessionTakenOver,
		core.CloseLimitExceeded:   mqtt.QuotaExceeded,
		core.ClosePolicyViolation: mqtt.NotAuthorized,
		core.CloseInvalidFrame:    mqtt.ProtocolError,
		core.CloseServerError:     mqtt.UnspecifiedError,
	} {
		assert.Equal(t, want, disconnectCode(core.CloseReason{Kind: kind}), "kind %d", kind)
	}
}
