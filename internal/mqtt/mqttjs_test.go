package mqtt

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests prove the codec and the rules against mqtt.js 5.16.0 over a
// WebSocket, at protocol levels 4 and 5.

var versions = []Version{V311, V5}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// connectArgs are mqtt_client.js connect arguments.
func connectArgs(h *harness, v Version, clientID string, extra map[string]any) map[string]any {
	a := map[string]any{"url": h.url, "clientId": clientID, "protocolVersion": int(v)}
	for k, val := range extra {
		a[k] = val
	}
	return a
}

func b64(s string) map[string]string {
	return map[string]string{"base64": base64.StdEncoding.EncodeToString([]byte(s))}
}

func payloadOf(t *testing.T, raw json.RawMessage) string {
	var w struct{ Base64 string }
	require.NoError(t, json.Unmarshal(raw, &w))
	b, err := base64.StdEncoding.DecodeString(w.Base64)
	require.NoError(t, err)
	return string(b)
}

func TestMQTTJSConnect(t *testing.T) {
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) {
			ctx := testCtx(t)
			h := newHarness(t)
			js := startMQTTJS(t)
			will := map[string]any{"topic": "will/t", "payload": b64("bye"), "qos": 1}
			extra := map[string]any{"username": "user", "password": "pa ss", "keepalive": 30, "clean": true, "will": will,
				"headers": map[string]string{"Authorization": "Bearer token1"}}
			if v == V5 {
				extra["properties"] = map[string]any{"sessionExpiryInterval": 20, "receiveMaximum": 7,
					"maximumPacketSize": 65536, "userProperties": map[string]any{"app": "test", "multi": []string{"1", "2"}}}
				will["properties"] = map[string]any{"willDelayInterval": 5, "contentType": "text/plain",
					"userProperties": map[string]any{"w": "x"}, "correlationData": b64("cd")}
			}
			var ack jsPacket
			require.NoError(t, js.call(ctx, "connect", connectArgs(h, v, "c1", extra), &ack))
			assert.Equal(t, "connack", ack.Cmd)
			assert.False(t, ack.SessionPresent)

			p, err := h.waitFor(ctx, "", func(p Packet) bool { return p.Type() == CONNECT })
			require.NoError(t, err)
			c := p.(*Connect)
			assert.Equal(t, v, c.Version)
			assert.Equal(t, "c1", c.ClientID)
			assert.Equal(t, uint16(30), c.KeepAlive)
			assert.True(t, c.CleanStart)
			require.NotNil(t, c.Username)
			assert.Equal(t, "user", *c.Username)
			assert.Equal(t, []byte("pa ss"), c.Password)
			require.NotNil(t, c.Will)
			assert.Equal(t, "will/t", c.Will.Topic)
			assert.Equal(t, []byte("bye"), c.Will.Payload)
			assert.Equal(t, QoS1, c.Will.QoS)
			assert.Equal(t, "Bearer token1", h.headers[0].Get("Authorization"), "mqtt.js sends wsOptions headers")
			assert.Equal(t, "mqtt", h.headers[0].Get("Sec-WebSocket-Protocol"), "mqtt.js asks for subprotocol mqtt")
			if v == V5 {
				assert.Equal(t, uint32(20), c.Properties.SessionExpiryInterval)
				assert.Equal(t, uint16(7), c.Properties.ReceiveMaximum)
				assert.Equal(t, uint32(65536), c.Properties.MaximumPacketSize)
				assert.ElementsMatch(t, []UserProperty{{"app", "test"}, {"multi", "1"}, {"multi", "2"}}, c.Properties.User)
				assert.Equal(t, uint32(5), c.Will.Properties.WillDelayInterval)
				assert.Equal(t, "text/plain", c.Will.Properties.ContentType)
				assert.Equal(t, []byte("cd"), c.Will.Properties.CorrelationData)
				assert.Equal(t, []UserProperty{{"w", "x"}}, c.Will.Properties.User)

				props := ack.Properties
				assert.Equal(t, false, props["retainAvailable"])
				assert.Equal(t, false, props["wildcardSubscriptionAvailable"])
				assert.Equal(t, false, props["sharedSubscriptionAvailable"])
				assert.EqualValues(t, DefaultServerReceiveMaximum, props["receiveMaximum"])
				assert.EqualValues(t, DefaultMaxPacketSize, props["maximumPacketSize"])
				assert.Equal(t, map[string]any{"app": "echo test", "multi": []any{"echo 1", "echo 2"}}, props["userProperties"],
					"CONNACK user properties, repeated names as an array")
			}
		})
	}
}

func TestMQTTJSAssignedClientID(t *testing.T) {
	ctx := testCtx(t)
	h := newHarness(t)
	js := startMQTTJS(t)
	var ack jsPacket
	require.NoError(t, js.call(ctx, "connect", connectArgs(h, V5, "", map[string]any{"keepalive": 0}), &ack))
	assert.Equal(t, "assigned1", ack.Properties["assignedClientIdentifier"])
	assert.EqualValues(t, MaxKeepAlive, ack.Properties["serverKeepAlive"], "keep alive 0 is replaced and announced")
}

// What mqtt.js reports for each refusal of a CONNECT.
func TestMQTTJSConnectRefused(t *testing.T) {
	for _, tc := range []struct {
		name     string
		v        Version
		clientID string
		extra    map[string]any
		want     string // the code mqtt.js reports; "" = closed without CONNACK
	}{
		{"id a_b v4", V311, "a_b", nil, "2"},
		{"id a_b v5", V5, "a_b", nil, "133"},
		{"not authorized v4", V311, "refused", nil, "5"},
		{"not authorized v5", V5, "refused", nil, "135"},
		{"keep alive 181 v4", V311, "c1", map[string]any{"keepalive": 181}, ""},
		{"big will v5", V5, "c1", map[string]any{"will": map[string]any{"topic": "w", "payload": b64(string(make([]byte, 2001)))}}, "149"},
		{"big will v4", V311, "c1", map[string]any{"will": map[string]any{"topic": "w", "payload": b64(string(make([]byte, 2001)))}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			h := newHarness(t)
			js := startMQTTJS(t)
			err := js.call(ctx, "connect", connectArgs(h, tc.v, tc.clientID, tc.extra), nil)
			var je *jsErr
			require.ErrorAs(t, err, &je)
			if tc.want == "" {
				assert.Equal(t, "connection closed before CONNACK", je.Message)
				return
			}
			assert.Equal(t, tc.want, string(je.Code), "mqtt.js error %s", je.Message)
			t.Logf("mqtt.js reports: %s: %s (code %s)", je.Name, je.Message, je.Code)
		})
	}
}

// connected starts mqtt.js connected to a fresh harness as c1.
func connected(t *testing.T, v Version, extra map[string]any) (context.Context, *harness, *jsClient) {
	ctx := testCtx(t)
	h := newHarness(t)
	js := startMQTTJS(t)
	require.NoError(t, js.call(ctx, "connect", connectArgs(h, v, "c1", extra), nil))
	return ctx, h, js
}

type subResult struct {
	Error   *jsErr    `json:"error"`
	Granted []any     `json:"granted"`
	Packet  *jsPacket `json:"packet"`
}

func TestMQTTJSSubscribeCodes(t *testing.T) {
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) {
			ctx, h, js := connected(t, v, nil)
			var ok subResult
			require.NoError(t, js.call(ctx, "subscribe", map[string]any{"topics": map[string]any{"a": map[string]int{"qos": 2}, "b": map[string]int{"qos": 0}}}, &ok))
			assert.Nil(t, ok.Error)
			require.NotNil(t, ok.Packet)
			assert.Equal(t, []int{2, 0}, ok.Packet.Granted)

			for filter, v5code := range map[string]int{"x/#": 0xA2, "+": 0xA2, "$share/g/x": 0x9E, "denied": 0x87, " ": 0x8F} {
				var res subResult
				require.NoError(t, js.call(ctx, "subscribe", map[string]any{"topics": map[string]any{filter: map[string]int{"qos": 1}}}, &res))
				want := v5code
				if v == V311 {
					want = 0x80
				}
				require.NotNil(t, res.Error, "%q: mqtt.js 5.16 fails the subscribe callback", filter)
				assert.Contains(t, res.Error.Message, "Subscribe error: ")
				require.NotNil(t, res.Error.Packet)
				assert.Equal(t, []int{want}, res.Error.Packet.Granted, "%q", filter)
				t.Logf("%s %q: mqtt.js: %s, granted %v", v, filter, res.Error.Message, res.Error.Packet.Granted)
			}
			p, err := h.waitFor(ctx, "c1", func(p Packet) bool {
				s, ok := p.(*Subscribe)
				return ok && s.Subscriptions[0].Filter == " "
			})
			require.NoError(t, err)
			assert.Equal(t, QoS1, p.(*Subscribe).Subscriptions[0].QoS)

			var unsub jsPacket
			require.NoError(t, js.call(ctx, "unsubscribe", map[string]any{"topics": []string{"a", "never"}}, &unsub))
			assert.Equal(t, "unsuback", unsub.Cmd)
			if v == V5 {
				assert.Equal(t, []int{0, 0x11}, unsub.Granted, "mqtt.js puts UNSUBACK codes in granted")
			}
		})
	}
}

func TestMQTTJSPublishBothWays(t *testing.T) {
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) {
			ctx, h, js := connected(t, v, nil)
			var sub subResult
			require.NoError(t, js.call(ctx, "subscribe", map[string]any{"topics": map[string]any{
				"t": map[string]int{"qos": 2}, "low": map[string]int{"qos": 1}}}, &sub))
			require.Nil(t, sub.Error)
			props := map[string]any{"contentType": "application/json", "correlationData": b64("corr"),
				"responseTopic": "reply/here", "messageExpiryInterval": 60, "payloadFormatIndicator": true,
				"userProperties": map[string]any{"k": "v", "dup": []string{"1", "2"}}}
			for qos := 0; qos <= 2; qos++ {
				args := map[string]any{"topic": "t", "payload": fmt.Sprintf(`{"n":%d}`, qos), "qos": qos}
				if v == V5 {
					args["properties"] = props
				}
				require.NoError(t, js.call(ctx, "publish", args, nil), "QoS %d", qos)
				e, err := js.event(ctx, "message")
				require.NoError(t, err)
				assert.Equal(t, "t", e.Topic)
				assert.Equal(t, fmt.Sprintf(`{"n":%d}`, qos), payloadOf(t, e.Payload))
				assert.Equal(t, qos, e.Packet.QoS, "delivered at the publish's QoS")
				assert.False(t, e.Packet.Dup)
				if v == V5 {
					p := e.Packet.Properties
					assert.Equal(t, "application/json", p["contentType"])
					assert.Equal(t, "reply/here", p["responseTopic"])
					assert.Equal(t, true, p["payloadFormatIndicator"])
					assert.EqualValues(t, 60, p["messageExpiryInterval"])
					assert.Equal(t, map[string]any{"base64": base64.StdEncoding.EncodeToString([]byte("corr"))}, p["correlationData"])
					assert.Equal(t, map[string]any{"k": "v", "dup": []any{"1", "2"}}, p["userProperties"])
				}
				got, err := h.waitFor(ctx, "c1", func(p Packet) bool {
					pp, ok := p.(*Publish)
					return ok && pp.QoS == QoS(qos)
				})
				require.NoError(t, err)
				if v == V5 {
					pp := got.(*Publish)
					assert.Equal(t, []byte("corr"), pp.Properties.CorrelationData)
					assert.ElementsMatch(t, []UserProperty{{"k", "v"}, {"dup", "1"}, {"dup", "2"}}, pp.Properties.User)
				}
			}
			// The client acknowledged the broker's QoS 1 and QoS 2 deliveries:
			// PUBACK, then PUBREC, PUBREL, PUBCOMP.
			_, err := h.waitFor(ctx, "c1", func(p Packet) bool { return p.Type() == PUBACK })
			require.NoError(t, err)
			_, err = h.waitFor(ctx, "c1", func(p Packet) bool { return p.Type() == PUBCOMP })
			require.NoError(t, err)

			require.NoError(t, js.call(ctx, "publish", map[string]any{"topic": "low", "payload": "x", "qos": 2}, nil))
			e, err := js.event(ctx, "message")
			require.NoError(t, err)
			assert.Equal(t, 1, e.Packet.QoS, "downgraded to the subscription's QoS")
			_, err = h.waitFor(ctx, "c1", func(p Packet) bool { a, ok := p.(*Ack); return ok && a.Kind == PUBACK && a.PacketID == 3 })
			require.NoError(t, err)
			require.Eventually(t, func() bool { return h.outboundLen("c1") == 0 }, 10*time.Second, 10*time.Millisecond,
				"every delivery completed")
		})
	}
}

func TestMQTTJSPublishRefused(t *testing.T) {
	ctx, _, js := connected(t, V5, nil)
	for _, qos := range []int{1, 2} {
		err := js.call(ctx, "publish", map[string]any{"topic": "denied", "payload": "x", "qos": qos}, nil)
		var je *jsErr
		require.ErrorAs(t, err, &je, "QoS %d", qos)
		assert.Equal(t, "135", string(je.Code))
		assert.Equal(t, "Publish error: Not authorized", je.Message)
	}
	err := js.call(ctx, "publish", map[string]any{"topic": "$webpubsub/server/messages", "payload": "x", "qos": 1}, nil)
	var je *jsErr
	require.ErrorAs(t, err, &je)
	assert.Equal(t, "144", string(je.Code), "a reserved topic is an invalid topic name")

	ctx, _, js = connected(t, V311, nil)
	require.NoError(t, js.call(ctx, "publish", map[string]any{"topic": "denied", "payload": "x", "qos": 1}, nil),
		"3.1.1 acks cannot refuse")
}

func TestMQTTJSServerDisconnect(t *testing.T) {
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) {
			ctx, _, js := connected(t, v, nil)
			require.NoError(t, js.call(ctx, "publish", map[string]any{"topic": "kick", "payload": "", "qos": 0}, nil))
			if v == V5 {
				e, err := js.event(ctx, "disconnect")
				require.NoError(t, err)
				require.NotNil(t, e.Packet.ReasonCode)
				assert.Equal(t, int(AdministrativeAction), *e.Packet.ReasonCode)
				assert.Equal(t, "kicked by the test", e.Packet.Properties["reasonString"])
				assert.Equal(t, map[string]any{"by": "harness"}, e.Packet.Properties["userProperties"])
			}
			_, err := js.event(ctx, "close")
			require.NoError(t, err)
		})
	}
}

func TestMQTTJSClientDisconnectReason(t *testing.T) {
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) {
			ctx, h, js := connected(t, v, nil)
			args := map[string]any{}
			if v == V5 {
				args = map[string]any{"reasonCode": 4, "properties": map[string]any{"reasonString": "bye", "sessionExpiryInterval": 0}}
			}
			require.NoError(t, js.call(ctx, "end", args, nil))
			p, err := h.waitFor(ctx, "c1", func(p Packet) bool { return p.Type() == DISCONNECT })
			require.NoError(t, err)
			d := p.(*Disconnect)
			if v == V5 {
				assert.Equal(t, DisconnectWithWillMessage, d.ReasonCode)
				assert.Equal(t, "bye", d.Properties.ReasonString)
				assert.True(t, WillOnClose(d))
			} else {
				assert.Equal(t, &Disconnect{}, d)
				assert.False(t, WillOnClose(d))
			}
		})
	}
}

// A QoS 1 delivery the client did not acknowledge before the connection
// dropped is sent again, with DUP, when the session resumes.
func TestMQTTJSSessionResumeResendsWithDup(t *testing.T) {
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) {
			extra := map[string]any{"clean": false}
			if v == V5 {
				extra["properties"] = map[string]any{"sessionExpiryInterval": 30}
			}
			ctx, h, js := connected(t, v, extra)
			require.NoError(t, js.call(ctx, "subscribe", map[string]any{"topics": map[string]any{"drop": map[string]int{"qos": 1}}}, nil))
			require.NoError(t, js.call(ctx, "publish", map[string]any{"topic": "drop", "payload": "once", "qos": 1}, nil))
			e, err := js.event(ctx, "message")
			require.NoError(t, err)
			assert.False(t, e.Packet.Dup)
			_, err = js.event(ctx, "close")
			require.NoError(t, err)

			var ack jsPacket
			require.NoError(t, js.call(ctx, "connect", connectArgs(h, v, "c1", extra), &ack))
			assert.True(t, ack.SessionPresent)
			e, err = js.event(ctx, "message")
			require.NoError(t, err)
			assert.Equal(t, "once", payloadOf(t, e.Payload))
			assert.True(t, e.Packet.Dup, "the resend has DUP set")
			assert.Equal(t, 1, e.Packet.QoS)
			require.Eventually(t, func() bool { return h.outboundLen("c1") == 0 }, 10*time.Second, 10*time.Millisecond)
		})
	}
}
