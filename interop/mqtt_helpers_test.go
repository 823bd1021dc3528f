package interop

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
)

// The MQTT interop tests drive mqtt.js 5.16.0 (js/mqtt_client.js, one
// client per Node process) against the in-process emulator, at protocol
// levels 4 (3.1.1) and 5 (5.0).

// mqttLevels are the protocol levels every MQTT test runs at.
var mqttLevels = []int{4, 5}

// mqttPacket is a packet as mqtt.js decoded it.
type mqttPacket struct {
	Cmd            string         `json:"cmd"`
	SessionPresent bool           `json:"sessionPresent"`
	ReturnCode     *int           `json:"returnCode"`
	ReasonCode     *int           `json:"reasonCode"`
	Granted        []int          `json:"granted"`
	MessageID      int            `json:"messageId"`
	QoS            int            `json:"qos"`
	Dup            bool           `json:"dup"`
	Topic          string         `json:"topic"`
	Properties     map[string]any `json:"properties"`
}

// code returns the CONNACK's return code (3.1.1) or reason code (5.0).
func (p mqttPacket) code() int {
	switch {
	case p.ReasonCode != nil:
		return *p.ReasonCode
	case p.ReturnCode != nil:
		return *p.ReturnCode
	}
	return -1
}

// mqttMessage is a PUBLISH the client received.
type mqttMessage struct {
	Topic   string
	Payload string
	Packet  mqttPacket
}

// mqttJS is an mqtt.js client in a Node process.
type mqttJS struct {
	*nodeProc
	ctx   context.Context
	level int
	url   string
}

// newMQTT starts a Node process for one mqtt.js client of level connecting
// to url (the access token in its query, or none).
func newMQTT(t *testing.T, ctx context.Context, level int, url string) *mqttJS {
	return &mqttJS{nodeProc: startNode(t, "mqtt_client.js"), ctx: ctx, level: level, url: url}
}

// connectArgs returns the connect arguments for clientID with extra.
func (m *mqttJS) connectArgs(clientID string, extra map[string]any) map[string]any {
	a := map[string]any{"url": m.url, "clientId": clientID, "protocolVersion": m.level}
	for k, v := range extra {
		a[k] = v
	}
	return a
}

// connect connects as clientID and returns the CONNACK, or the error
// mqtt.js reported.
func (m *mqttJS) connect(clientID string, extra map[string]any) (mqttPacket, error) {
	var ack mqttPacket
	res, err := m.call(m.ctx, "connect", m.connectArgs(clientID, extra))
	if err != nil {
		return ack, err
	}
	return ack, json.Unmarshal(res, &ack)
}

// mustConnect connects and fails the test on an error.
func (m *mqttJS) mustConnect(clientID string, extra map[string]any) mqttPacket {
	m.t.Helper()
	ack, err := m.connect(clientID, extra)
	require.NoError(m.t, err, "connect %s (level %d)", clientID, m.level)
	return ack
}

// subscribe subscribes to topics ({topic: {qos}}) and returns the granted
// codes (mqtt.js 5.16 fails the callback on a refusal: the codes are then
// the error's packet's).
func (m *mqttJS) subscribe(topics map[string]int, props map[string]any) []int {
	m.t.Helper()
	t := map[string]any{}
	for k, q := range topics {
		t[k] = map[string]any{"qos": q}
	}
	var res struct {
		Error *struct {
			Packet *mqttPacket `json:"packet"`
		} `json:"error"`
		Granted []struct {
			QoS int `json:"qos"`
		} `json:"granted"`
		Packet *mqttPacket `json:"packet"`
	}
	m.must(m.ctx, "subscribe", map[string]any{"topics": t, "properties": props}, &res)
	if res.Error != nil && res.Error.Packet != nil {
		return res.Error.Packet.Granted
	}
	out := make([]int, len(res.Granted))
	for i, g := range res.Granted {
		out[i] = g.QoS
	}
	return out
}

// publish publishes payload to topic at qos and returns mqtt.js's error
// (a refusing PUBACK or PUBREC fails the callback).
func (m *mqttJS) publish(topic, payload string, qos int, props map[string]any) error {
	_, err := m.call(m.ctx, "publish", map[string]any{"topic": topic, "payload": wireBytes(payload), "qos": qos, "properties": props})
	return err
}

// mustPublish publishes and fails the test on an error.
func (m *mqttJS) mustPublish(topic, payload string, qos int, props map[string]any) {
	m.t.Helper()
	require.NoError(m.t, m.publish(topic, payload, qos, props), "publish to %s", topic)
}

// message waits for the next message on topic.
func (m *mqttJS) message(topic string) mqttMessage {
	m.t.Helper()
	e := m.mustEvent(m.ctx, "message", func(e event) bool { return e.str("topic") == topic })
	return decodeMessage(m.t, e)
}

// messages returns every message received so far on topic, taken or not.
func (m *mqttJS) messages(topic string) []mqttMessage {
	var out []mqttMessage
	for _, e := range m.eventsNamed("message") {
		if e.str("topic") == topic {
			out = append(out, decodeMessage(m.t, e))
		}
	}
	return out
}

func decodeMessage(t *testing.T, e event) mqttMessage {
	var raw struct {
		Topic   string          `json:"topic"`
		Payload json.RawMessage `json:"payload"`
		Packet  mqttPacket      `json:"packet"`
	}
	e.decode(t, &raw)
	return mqttMessage{Topic: raw.Topic, Payload: fromWireBytes(t, raw.Payload), Packet: raw.Packet}
}

// wireBytes is binary data for the line protocol.
func wireBytes(s string) map[string]string {
	return map[string]string{"base64": base64.StdEncoding.EncodeToString([]byte(s))}
}

func fromWireBytes(t *testing.T, raw json.RawMessage) string {
	var w struct{ Base64 string }
	require.NoError(t, json.Unmarshal(raw, &w), "%s", raw)
	b, err := base64.StdEncoding.DecodeString(w.Base64)
	require.NoError(t, err)
	return string(b)
}

// jsCode returns the numeric code of an error mqtt.js reported, or -1.
func jsCode(err error) int {
	var je *jsError
	if e, ok := err.(*jsError); ok {
		je = e
	}
	var n int
	if je == nil || json.Unmarshal(je.Code, &n) != nil {
		return -1
	}
	return n
}

// newMQTTEmulator starts an emulator for the MQTT tests.
func newMQTTEmulator(t *testing.T, opts *emulator.Options) *emulatortest.Server {
	return emulatortest.New(t, opts)
}

// mqttURL mints an MQTT client URL for hub with the Go service SDK
// (ClientProtocolMQTT: /clients/mqtt/hubs/{hub}, the MQTT audience).
func mqttURL(t *testing.T, srv *emulatortest.Server, hub string, o webpubsub.ServiceClientGetClientAccessTokenOptions) string {
	t.Helper()
	o.Protocol = webpubsub.ClientProtocolMQTT
	u := goToken(t, srv.ConnectionString(), hub, o).URL
	require.True(t, strings.Contains(u, "/clients/mqtt/hubs/"+hub), u)
	return u
}

// levelName names a protocol level in subtests.
func levelName(level int) string { return fmt.Sprintf("level%d", level) }
