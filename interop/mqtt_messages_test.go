package interop

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
)

var allRoles = webpubsub.ServiceClientGetClientAccessTokenOptions{Roles: []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"}}

// QoS 0, 1 and 2 both ways: a subscriber gets the lower of the publisher's
// and its own QoS.
func TestMQTTQoSDowngrade(t *testing.T) {
	for _, level := range mqttLevels {
		t.Run(levelName(level), func(t *testing.T) {
			ctx := testCtx(t, scriptDeadline)
			srv := newMQTTEmulator(t, nil)
			u := mqttURL(t, srv, "hub", allRoles)
			subs := make([]*mqttJS, 3)
			for q := range subs {
				subs[q] = newMQTT(t, ctx, level, u)
				subs[q].mustConnect(fmt.Sprintf("sub%d", q), nil)
				require.Equal(t, []int{q}, subs[q].subscribe(map[string]int{"t": q}, nil))
			}
			pub := newMQTT(t, ctx, level, u)
			pub.mustConnect("pub", nil)
			for pq := 0; pq <= 2; pq++ {
				payload := fmt.Sprintf("qos%d", pq)
				pub.mustPublish("t", payload, pq, nil)
				for sq, s := range subs {
					m := s.message("t")
					assert.Equal(t, payload, m.Payload)
					assert.Equal(t, min(pq, sq), m.Packet.QoS, "published at %d, subscribed at %d", pq, sq)
				}
			}
		})
	}
}

func TestMQTTTokenGroupsAndRefusedFilters(t *testing.T) {
	for _, level := range mqttLevels {
		t.Run(levelName(level), func(t *testing.T) {
			ctx := testCtx(t, scriptDeadline)
			srv := newMQTTEmulator(t, nil)
			m := newMQTT(t, ctx, level, mqttURL(t, srv, "hub", webpubsub.ServiceClientGetClientAccessTokenOptions{
				Roles: []string{"webpubsub.joinLeaveGroup"}, Groups: []string{"g"},
			}))
			m.mustConnect("c1", nil)
			_, err := srv.ServiceClient("hub", nil).NewGroupClient("g").SendToAll(ctx, webpubsub.TextMessage("to g"), nil)
			require.NoError(t, err)
			got := m.message("g")
			assert.Equal(t, "to g", got.Payload, "the token's group is a subscription")
			assert.Equal(t, 0, got.Packet.QoS, "with the default options: QoS 0")

			wildcard, shared := 128, 128
			if level == 5 {
				wildcard, shared = 0xA2, 0x9E
			}
			assert.Equal(t, []int{wildcard}, m.subscribe(map[string]int{"a/#": 1}, nil))
			assert.Equal(t, []int{wildcard}, m.subscribe(map[string]int{"+": 0}, nil))
			assert.Equal(t, []int{shared}, m.subscribe(map[string]int{"$share/x/a": 0}, nil))
		})
	}
}

// REST sends: to all, a user and a connection on $webpubsub/server/messages
// (QoS 1, no subscription needed), to a group on its topic; adding a
// connection to a group subscribes it.
func TestMQTTRESTSends(t *testing.T) {
	for _, level := range mqttLevels {
		t.Run(levelName(level), func(t *testing.T) {
			ctx := testCtx(t, scriptDeadline)
			srv := newMQTTEmulator(t, nil)
			sc := srv.ServiceClient("hub", nil)
			m := newMQTT(t, ctx, level, mqttURL(t, srv, "hub", webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "ann"}))
			m.mustConnect("c1", nil)
			_, err := sc.SendToAll(ctx, webpubsub.TextMessage("all"), nil)
			require.NoError(t, err)
			_, err = sc.SendToUser(ctx, "ann", webpubsub.JSONMessage(map[string]int{"n": 1}), nil)
			require.NoError(t, err)
			_, err = sc.SendToConnection(ctx, "c1", webpubsub.BinaryMessage([]byte{1, 2}), nil)
			require.NoError(t, err)
			want := []struct{ payload, contentType string }{{"all", "text/plain"}, {`{"n":1}`, "application/json"}, {"\x01\x02", "application/octet-stream"}}
			for _, w := range want {
				got := m.message("$webpubsub/server/messages")
				assert.Equal(t, w.payload, got.Payload)
				assert.Equal(t, 1, got.Packet.QoS)
				if level == 5 {
					assert.Equal(t, w.contentType, got.Packet.Properties["contentType"])
				}
			}
			_, err = sc.NewGroupClient("g").AddConnection(ctx, "c1", nil)
			require.NoError(t, err)
			_, err = sc.NewGroupClient("g").SendToAll(ctx, webpubsub.TextMessage("group"), nil)
			require.NoError(t, err)
			got := m.message("g")
			assert.Equal(t, "group", got.Payload)
			assert.Equal(t, 0, got.Packet.QoS, "a REST join has the default options")
		})
	}
}

// A JSON client and an MQTT client in one group, both ways, with the data
// types mapped to 5.0 content types.
func TestMQTTAndJSONClientInOneGroup(t *testing.T) {
	for _, level := range mqttLevels {
		t.Run(levelName(level), func(t *testing.T) {
			ctx := testCtx(t, scriptDeadline)
			srv := newMQTTEmulator(t, nil)
			m := newMQTT(t, ctx, level, mqttURL(t, srv, "hub", allRoles))
			m.mustConnect("mq", nil)
			require.Equal(t, []int{1}, m.subscribe(map[string]int{"room": 1}, nil))
			tok := goToken(t, srv.ConnectionString(), "hub", webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "json", Roles: allRoles.Roles})
			g := newGoClient(t, tok.URL, fastGoOptions(client.ProtocolJSONReliable))
			_, err := g.JoinGroup(ctx, "room", nil)
			require.NoError(t, err)

			_, err = g.SendToGroup(ctx, "room", client.Text("hi"), &client.SendToGroupOptions{NoEcho: true})
			require.NoError(t, err)
			_, err = g.SendToGroup(ctx, "room", client.JSON(map[string]int{"a": 1}), &client.SendToGroupOptions{NoEcho: true})
			require.NoError(t, err)
			_, err = g.SendToGroup(ctx, "room", client.Binary([]byte{9}), &client.SendToGroupOptions{NoEcho: true})
			require.NoError(t, err)
			for _, w := range []struct{ payload, ct string }{{"hi", "text/plain"}, {`{"a":1}`, "application/json"}, {"\x09", "application/octet-stream"}} {
				got := m.message("room")
				assert.Equal(t, w.payload, got.Payload)
				assert.Equal(t, 1, got.Packet.QoS, "a reliable client's message at QoS 1")
				if level == 5 {
					assert.Equal(t, w.ct, got.Packet.Properties["contentType"])
				}
			}

			props := map[string]any{"contentType": "application/json"}
			if level == 4 {
				props = nil
			}
			m.mustPublish("room", `{"from":"mqtt"}`, 1, props)
			g.waitFor("the MQTT message", func() bool { return len(g.msgs) > 0 })
			got := g.messages()[0]
			assert.Equal(t, "room", got.Group)
			if level == 5 {
				assert.Equal(t, client.DataTypeJSON, got.DataType)
				assert.JSONEq(t, `{"from":"mqtt"}`, got.Data)
			} else {
				assert.Equal(t, client.DataTypeBinary, got.DataType, "a 3.1.1 message is binary")
				assert.Equal(t, `{"from":"mqtt"}`, got.Data)
			}
		})
	}
}
