package interop

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// mqttEventContext is the connection context the express handler reports
// for an MQTT client.
type mqttEventContext struct {
	ConnectionID   string         `json:"connectionId"`
	UserID         string         `json:"userId"`
	ClientProtocol string         `json:"clientProtocol"`
	States         map[string]any `json:"states"`
	MQTT           struct {
		PhysicalConnectionID string `json:"physicalConnectionId"`
		SessionID            string `json:"sessionId"`
	} `json:"mqtt"`
}

// TestMQTTExpressHandler runs @azure/web-pubsub-express 1.1.0 as the
// upstream of the emulator and an mqtt.js client: the handler takes the
// MQTT connect (with its mqtt member), connected only for a new session,
// user events (answered on the .../succeeded topic), and disconnected when
// the session ends, with the MQTT details of the last disconnect.
func TestMQTTExpressHandler(t *testing.T) {
	for _, level := range mqttLevels {
		t.Run(levelName(level), func(t *testing.T) { testMQTTExpressHandler(t, level) })
	}
}

func testMQTTExpressHandler(t *testing.T, level int) {
	const hub = "chat"
	ctx := testCtx(t, scriptDeadline)
	up := startNode(t, "express.js", "HUB="+hub)
	var listening struct{ Port int }
	up.mustEvent(ctx, "listening", nil).decode(t, &listening)
	srv := newMQTTEmulator(t, &emulator.Options{Upstream: []emulator.UpstreamHandler{{
		URLTemplate: fmt.Sprintf("http://127.0.0.1:%d/api/webpubsub/hubs/{hub}/", listening.Port), UserEventPattern: "*",
		SystemEvents: []string{"connect", "connected", "disconnected"},
	}}})
	u := mqttURL(t, srv, hub, webpubsub.ServiceClientGetClientAccessTokenOptions{}) + "&user=ann&addRole=webpubsub.joinLeaveGroup"

	m := newMQTT(t, ctx, level, u)
	m.mustConnect("ex1", mergeOpts(persistent(level), map[string]any{"username": "bob", "password": "s3cret"}))
	var c struct {
		Context mqttEventContext `json:"context"`
		MQTT    struct {
			ProtocolVersion int    `json:"protocolVersion"`
			Username        string `json:"username"`
			Password        string `json:"password"`
		} `json:"mqtt"`
		Subprotocols []string `json:"subprotocols"`
	}
	up.mustEvent(ctx, "connect", nil).decode(t, &c)
	assert.Equal(t, "mqtt", c.Context.ClientProtocol, "express takes it for an MQTT request")
	assert.Equal(t, "ex1", c.Context.ConnectionID)
	assert.NotEmpty(t, c.Context.MQTT.PhysicalConnectionID)
	assert.Equal(t, level, c.MQTT.ProtocolVersion)
	assert.Equal(t, "bob", c.MQTT.Username)
	assert.Equal(t, base64.StdEncoding.EncodeToString([]byte("s3cret")), c.MQTT.Password, "the password in base64")
	assert.Equal(t, []string{"mqtt"}, c.Subprotocols)

	var connected struct{ Context mqttEventContext }
	up.mustEvent(ctx, "connected", nil).decode(t, &connected)
	assert.Equal(t, "ann", connected.Context.UserID, "the connect answer's user")
	assert.NotEmpty(t, connected.Context.MQTT.SessionID)
	firstPhysical := c.Context.MQTT.PhysicalConnectionID

	props := map[string]any{"correlationData": wireBytes("corr-1"), "contentType": "text/plain"}
	if level == 4 {
		props = nil
	}
	m.mustPublish("$webpubsub/server/events/greet", "hi", 1, props)
	ans := m.message("$webpubsub/server/events/greet/succeeded")
	assert.Contains(t, ans.Payload, "greet:")
	assert.Contains(t, ans.Payload, ":visits=1")
	if level == 5 {
		assert.Equal(t, "hi", ans.Payload[len("greet:"):len("greet:hi")], "a text/plain event's data")
		assert.Equal(t, map[string]any{"base64": base64.StdEncoding.EncodeToString([]byte("corr-1"))}, ans.Packet.Properties["correlationData"])
		assert.Equal(t, map[string]any{"azure-status-code": "200"}, ans.Packet.Properties["userProperties"])
	}

	// A resumed session: a connect event, no connected event.
	m.must(ctx, "drop", nil, nil)
	m.mustEvent(ctx, "close", nil)
	m2 := newMQTT(t, ctx, level, u)
	ack := m2.mustConnect("ex1", persistent(level))
	assert.True(t, ack.SessionPresent)
	var c2 struct{ Context mqttEventContext }
	up.mustEvent(ctx, "connect", nil).decode(t, &c2)
	assert.NotEqual(t, firstPhysical, c2.Context.MQTT.PhysicalConnectionID, "a new network connection")
	assert.Len(t, up.eventsNamed("connected"), 1, "connected only for a new session")

	// The client disconnects; the session ends when REST closes it.
	m2.must(ctx, "end", map[string]any{}, nil)
	m2.mustEvent(ctx, "close", nil)
	_, err := srv.ServiceClient(hub, nil).CloseConnection(ctx, "ex1", nil)
	require.NoError(t, err)
	var d struct {
		Context mqttEventContext `json:"context"`
		MQTT    struct {
			InitiatedByClient bool                `json:"initiatedByClient"`
			DisconnectPacket  *struct{ Code int } `json:"disconnectPacket"`
		} `json:"mqtt"`
	}
	up.mustEvent(ctx, "disconnected", nil).decode(t, &d)
	assert.Equal(t, "ex1", d.Context.ConnectionID)
	assert.Equal(t, c2.Context.MQTT.PhysicalConnectionID, d.Context.MQTT.PhysicalConnectionID)
	assert.True(t, d.MQTT.InitiatedByClient, "the last disconnect was the client's DISCONNECT")
	require.NotNil(t, d.MQTT.DisconnectPacket)
	assert.Equal(t, 0, d.MQTT.DisconnectPacket.Code)

	// A connect refused by the handler: fail(401) becomes 5 / 0x87.
	_, err = newMQTT(t, ctx, level, u+"&deny=1").connect("ex2", nil)
	require.Error(t, err)
	want := 5
	if level == 5 {
		want = 0x87
	}
	assert.Equal(t, want, jsCode(err))
}

// mergeOpts returns a and b in one map (b wins).
func mergeOpts(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
