package interop

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
)

func TestMQTTPubSubByRole(t *testing.T) {
	for _, level := range mqttLevels {
		t.Run(levelName(level), func(t *testing.T) {
			ctx := testCtx(t, scriptDeadline)
			srv := newMQTTEmulator(t, nil)
			sub := newMQTT(t, ctx, level, mqttURL(t, srv, "hub", webpubsub.ServiceClientGetClientAccessTokenOptions{Roles: []string{"webpubsub.joinLeaveGroup.b"}}))
			ack := sub.mustConnect("sub1", nil)
			assert.Equal(t, 0, ack.code())
			assert.Equal(t, []int{1}, sub.subscribe(map[string]int{"b": 1}, nil))
			refused := 128
			if level == 5 {
				refused = 135
			}
			assert.Equal(t, []int{refused}, sub.subscribe(map[string]int{"a": 1}, nil), "joinLeaveGroup.b allows b only")

			pub := newMQTT(t, ctx, level, mqttURL(t, srv, "hub", webpubsub.ServiceClientGetClientAccessTokenOptions{Roles: []string{"webpubsub.sendToGroup.b"}}))
			pub.mustConnect("pub1", nil)
			pub.mustPublish("b", "hello", 1, nil)
			m := sub.message("b")
			assert.Equal(t, "hello", m.Payload)
			assert.Equal(t, 1, m.Packet.QoS)
			err := pub.publish("a", "nope", 1, nil)
			if level == 5 {
				require.Error(t, err, "sendToGroup.b does not allow a")
				assert.Equal(t, 135, jsCode(err))
			} else {
				require.NoError(t, err, "3.1.1 acknowledges and drops")
			}
		})
	}
}

// Without roles a client can neither subscribe nor publish; REST Grant,
// Check and Revoke Permission act on the MQTT session; an unauthorized QoS
// 0 publish closes the connection (Azure/azure-webpubsub#793).
func TestMQTTPermissionsOverREST(t *testing.T) {
	for _, level := range mqttLevels {
		t.Run(levelName(level), func(t *testing.T) {
			ctx := testCtx(t, scriptDeadline)
			srv := newMQTTEmulator(t, nil)
			sc := srv.ServiceClient("hub", nil)
			m := newMQTT(t, ctx, level, mqttURL(t, srv, "hub", webpubsub.ServiceClientGetClientAccessTokenOptions{}))
			m.mustConnect("c1", nil)
			refused := 128
			if level == 5 {
				refused = 135
			}
			assert.Equal(t, []int{refused}, m.subscribe(map[string]int{"x": 0}, nil))
			_, err := sc.GrantPermission(ctx, webpubsub.PermissionJoinLeaveGroup, "c1", &webpubsub.ServiceClientGrantPermissionOptions{TargetName: "x"})
			require.NoError(t, err)
			has, err := sc.HasPermission(ctx, webpubsub.PermissionJoinLeaveGroup, "c1", &webpubsub.ServiceClientHasPermissionOptions{TargetName: "x"})
			require.NoError(t, err)
			assert.True(t, has.HasPermission)
			assert.Equal(t, []int{0}, m.subscribe(map[string]int{"x": 0}, nil))
			ok, err := sc.NewGroupClient("x").Exists(ctx, nil)
			require.NoError(t, err)
			assert.True(t, ok.Exists, "the subscription is a membership")
			_, err = sc.RevokePermission(ctx, webpubsub.PermissionJoinLeaveGroup, "c1", &webpubsub.ServiceClientRevokePermissionOptions{TargetName: "x"})
			require.NoError(t, err)
			assert.Equal(t, []int{refused}, m.subscribe(map[string]int{"x": 1}, nil))

			m.mustPublish("x", "no role", 0, nil) // QoS 0 has no ack: the connection closes
			m.mustEvent(ctx, "close", nil)
		})
	}
}
