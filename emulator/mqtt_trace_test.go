package emulator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
)

// The live trace shows MQTT connections (subprotocol "mqtt") and their
// packets; a fault's WebSocket close code reaches an MQTT socket.
func TestMQTTInTheLiveTraceAndFaults(t *testing.T) {
	e := start(t, emulator.Options{})
	c := connectMQTT(t, mqttURL(t, e, "h", "webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"), "traced", mqtt.V5, 60)
	c.send(&mqtt.Subscribe{PacketID: 1, Subscriptions: []mqtt.Subscription{{Filter: "g", QoS: 1}, {Filter: "a/#"}}})
	_, ok := c.read().(*mqtt.Suback)
	require.True(t, ok)
	c.send(&mqtt.Publish{Topic: "g", Payload: []byte("hi")})
	_, ok = c.read().(*mqtt.Publish)
	require.True(t, ok, "its own message comes back")

	var kinds []string
	require.Eventually(t, func() bool {
		kinds = kinds[:0]
		for _, ev := range e.Trace().Snapshot().Events {
			if ev.ConnectionID == "traced" && (ev.Kind == trace.KindPacket || ev.Kind == trace.KindConnected) {
				kinds = append(kinds, string(ev.Kind)+" "+ev.Event+" "+ev.Group+" "+ev.Reason)
				assert.Equal(t, "mqtt", ev.Subprotocol)
			}
		}
		return len(kinds) == 5
	}, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, []string{
		"packet CONNACK out  ",
		"connected   ",
		"packet SUBSCRIBE in  ",
		"packet SUBACK out  0xA2 wildcard subscriptions not supported",
		"packet PUBLISH in g ",
	}, kinds)
	var row *trace.Connection
	for _, r := range e.Trace().Connections() {
		if r.ConnectionID == "traced" {
			row = &r
		}
	}
	require.NotNil(t, row)
	assert.Equal(t, []string{"g"}, row.Groups)

	ok, err := e.CloseConnectionWithCode("h", "traced", 4001, "fault")
	require.NoError(t, err)
	require.True(t, ok)
	_, closed := c.closedWithin(10 * time.Second)
	assert.True(t, closed)
}
