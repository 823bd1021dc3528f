package emulator_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
)

// rawMQTT is a bare MQTT client over a WebSocket, built from the codec, for
// tests that send what no real client would.
type rawMQTT struct {
	t  testing.TB
	ws *websocket.Conn
	nc net.Conn
	r  *mqtt.Reader
	v  mqtt.Version
}

// mqttURL mints an MQTT client URL of hub with the service SDK.
func mqttURL(t testing.TB, e *emulator.Emulator, hub string, roles ...string) string {
	t.Helper()
	sc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), hub, nil)
	require.NoError(t, err)
	tok, err := sc.GetClientAccessToken(context.Background(), &webpubsub.ServiceClientGetClientAccessTokenOptions{Roles: roles, Protocol: webpubsub.ClientProtocolMQTT})
	require.NoError(t, err)
	return tok.URL
}

// dialMQTT opens the WebSocket of an MQTT client without sending anything.
func dialMQTT(t testing.TB, url string) *rawMQTT {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"mqtt"}})
	require.NoError(t, err)
	ws.SetReadLimit(4 << 20)
	nc := websocket.NetConn(context.Background(), ws, websocket.MessageBinary)
	c := &rawMQTT{t: t, ws: ws, nc: nc, r: mqtt.NewReader(nc, &mqtt.Limits{MaxPacketSize: 4 << 20})}
	t.Cleanup(func() { _ = ws.CloseNow() })
	return c
}

// connectMQTT dials and connects as clientID at version v with keepAlive,
// and returns the client after a successful CONNACK.
func connectMQTT(t testing.TB, url, clientID string, v mqtt.Version, keepAlive uint16) *rawMQTT {
	t.Helper()
	c := dialMQTT(t, url)
	c.v = v
	c.r.SetVersion(v)
	c.send(&mqtt.Connect{ProtocolName: "MQTT", Version: v, CleanStart: true, KeepAlive: keepAlive, ClientID: clientID})
	ack, ok := c.read().(*mqtt.Connack)
	require.True(t, ok, "CONNACK")
	require.Equal(t, mqtt.Success, ack.ReasonCode)
	return c
}

// send writes p as one WebSocket message.
func (c *rawMQTT) send(p mqtt.Packet) {
	c.t.Helper()
	v := c.v
	if v == 0 {
		v = mqtt.V5
	}
	b, err := mqtt.Encode(nil, p, v)
	require.NoError(c.t, err)
	c.sendRaw(b)
}

// sendRaw writes b as one WebSocket message.
func (c *rawMQTT) sendRaw(b []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(c.t, c.ws.Write(ctx, websocket.MessageBinary, b))
}

// read reads the next packet, failing the test after 30 s.
func (c *rawMQTT) read() mqtt.Packet {
	c.t.Helper()
	p, err := c.readErr(30 * time.Second)
	require.NoError(c.t, err)
	return p
}

// readErr reads the next packet or the error that ended the stream.
func (c *rawMQTT) readErr(d time.Duration) (mqtt.Packet, error) {
	_ = c.nc.SetReadDeadline(time.Now().Add(d))
	return c.r.ReadPacket()
}

// closedWithin reports whether the server ends the stream within d (after
// an optional DISCONNECT, which it returns).
func (c *rawMQTT) closedWithin(d time.Duration) (*mqtt.Disconnect, bool) {
	deadline := time.Now().Add(d)
	var last *mqtt.Disconnect
	for time.Now().Before(deadline) {
		p, err := c.readErr(time.Until(deadline))
		if err != nil {
			var ne net.Error
			if ok := asNetTimeout(err, &ne); ok {
				return last, false
			}
			return last, true
		}
		if dp, ok := p.(*mqtt.Disconnect); ok {
			last = dp
		}
	}
	return last, false
}

func asNetTimeout(err error, ne *net.Error) bool {
	e, ok := err.(net.Error)
	if ok {
		*ne = e
	}
	return ok && e.Timeout()
}
