package interop

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// MQTT 5.0 features: subscription identifiers, message expiry and user
// properties forwarded from an MQTT publisher, and a receive maximum the
// client sets.
func TestMQTT5Properties(t *testing.T) {
	ctx := testCtx(t, scriptDeadline)
	srv := newMQTTEmulator(t, nil)
	u := mqttURL(t, srv, "hub", allRoles)
	sub := newMQTT(t, ctx, 5, u)
	sub.mustConnect("sub", map[string]any{"properties": map[string]any{"receiveMaximum": 1}})
	require.Equal(t, []int{1}, sub.subscribe(map[string]int{"p": 1}, map[string]any{"subscriptionIdentifier": 42}))
	pub := newMQTT(t, ctx, 5, u)
	pub.mustConnect("pub", nil)
	for _, text := range []string{"one", "two", "three"} {
		pub.mustPublish("p", text, 1, map[string]any{"messageExpiryInterval": 60, "userProperties": map[string]any{"k": "v"}, "contentType": "text/plain"})
	}
	for _, text := range []string{"one", "two", "three"} {
		m := sub.message("p")
		assert.Equal(t, text, m.Payload, "a receive maximum of 1 still gets every message, in order")
		assert.Equal(t, 42.0, m.Packet.Properties["subscriptionIdentifier"])
		assert.Equal(t, map[string]any{"k": "v"}, m.Packet.Properties["userProperties"])
		assert.Equal(t, "text/plain", m.Packet.Properties["contentType"])
		left, ok := m.Packet.Properties["messageExpiryInterval"].(float64)
		assert.True(t, ok && left > 0 && left <= 60, "what is left of the expiry: %v", m.Packet.Properties["messageExpiryInterval"])
	}
}
