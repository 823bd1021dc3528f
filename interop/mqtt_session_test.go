package interop

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
)

// persistent returns the connect options of a session kept 30 s: clean
// session 0 on 3.1.1, a session expiry on 5.0.
func persistent(level int) map[string]any {
	if level == 5 {
		return map[string]any{"clean": false, "properties": map[string]any{"sessionExpiryInterval": 30}}
	}
	return map[string]any{"clean": false}
}

// A session outlives a drop: messages published meanwhile arrive after the
// reconnect, which says Session Present.
func TestMQTTSessionResume(t *testing.T) {
	for _, level := range mqttLevels {
		t.Run(levelName(level), func(t *testing.T) {
			ctx := testCtx(t, scriptDeadline)
			srv := newMQTTEmulator(t, nil)
			u := mqttURL(t, srv, "hub", allRoles)
			m := newMQTT(t, ctx, level, u)
			ack := m.mustConnect("keep", persistent(level))
			assert.False(t, ack.SessionPresent)
			require.Equal(t, []int{1}, m.subscribe(map[string]int{"news": 1}, nil))
			m.must(ctx, "drop", nil, nil)
			m.mustEvent(ctx, "close", nil)
			require.Eventually(t, func() bool { return srv.DropConnection("hub", "keep") == false }, waitLong, 10*time.Millisecond, "the server saw the drop")

			g := srv.ServiceClient("hub", nil).NewGroupClient("news")
			for i := range 3 {
				_, err := g.SendToAll(ctx, webpubsub.TextMessage(fmt.Sprintf("while away %d", i)), nil)
				require.NoError(t, err)
			}
			exists, err := srv.ServiceClient("hub", nil).ConnectionExists(ctx, "keep", nil)
			require.NoError(t, err)
			assert.True(t, exists.Exists, "the session exists while the client is away")

			m2 := newMQTT(t, ctx, level, u)
			ack = m2.mustConnect("keep", persistent(level))
			assert.True(t, ack.SessionPresent)
			for i := range 3 {
				assert.Equal(t, fmt.Sprintf("while away %d", i), m2.message("news").Payload)
			}
			m3 := newMQTT(t, ctx, level, u)
			ack = m3.mustConnect("keep", nil) // clean: the session starts anew
			assert.False(t, ack.SessionPresent)
			disc := m2.mustEvent(ctx, "close", nil)
			_ = disc
			if level == 5 {
				d := m2.mustEvent(ctx, "disconnect", nil)
				var p struct{ Packet mqttPacket }
				d.decode(t, &p)
				assert.Equal(t, 0x8E, *p.Packet.ReasonCode, "session taken over")
			}
		})
	}
}

// A will is published when the connection drops, not after a normal
// DISCONNECT; on 5.0 also after DISCONNECT 0x04.
func TestMQTTWill(t *testing.T) {
	for _, level := range mqttLevels {
		t.Run(levelName(level), func(t *testing.T) {
			ctx := testCtx(t, scriptDeadline)
			srv := newMQTTEmulator(t, nil)
			u := mqttURL(t, srv, "hub", allRoles)
			watcher := newMQTT(t, ctx, level, u)
			watcher.mustConnect("watcher", nil)
			require.Equal(t, []int{1}, watcher.subscribe(map[string]int{"wills": 1}, nil))
			will := func(text string) map[string]any {
				return map[string]any{"will": map[string]any{"topic": "wills", "payload": wireBytes(text), "qos": 1}}
			}

			dropped := newMQTT(t, ctx, level, u)
			dropped.mustConnect("dropped", will("dropped left"))
			dropped.must(ctx, "drop", nil, nil)
			assert.Equal(t, "dropped left", watcher.message("wills").Payload)

			clean := newMQTT(t, ctx, level, u)
			clean.mustConnect("clean", will("clean left"))
			clean.must(ctx, "end", map[string]any{}, nil)
			if level == 5 {
				with := newMQTT(t, ctx, level, u)
				with.mustConnect("with", will("with will"))
				with.must(ctx, "end", map[string]any{"reasonCode": 4}, nil)
				assert.Equal(t, "with will", watcher.message("wills").Payload, "DISCONNECT 0x04 publishes the will")
			}
			// A last drop proves the clean DISCONNECT's will never came.
			last := newMQTT(t, ctx, level, u)
			last.mustConnect("last", will("last left"))
			last.must(ctx, "drop", nil, nil)
			assert.Equal(t, "last left", watcher.message("wills").Payload)
			for _, m := range watcher.messages("wills") {
				assert.NotEqual(t, "clean left", m.Payload)
			}

			refused := newMQTT(t, ctx, level, u)
			_, err := refused.connect("big", map[string]any{"will": map[string]any{"topic": "wills", "payload": wireBytes(strings.Repeat("x", 2001))}})
			require.Error(t, err, "a will payload over 2000 bytes is refused")
			_, err = newMQTT(t, ctx, level, u).connect("long", map[string]any{"will": map[string]any{"topic": strings.Repeat("t", 1025), "payload": wireBytes("x")}})
			require.Error(t, err, "a will topic over 1024 characters is refused")
		})
	}
}

// Closing by REST: a 5.0 client gets DISCONNECT 0x98 with the reason, a
// 3.1.1 client the close; the session ends.
func TestMQTTCloseByREST(t *testing.T) {
	for _, level := range mqttLevels {
		t.Run(levelName(level), func(t *testing.T) {
			ctx := testCtx(t, scriptDeadline)
			srv := newMQTTEmulator(t, nil)
			m := newMQTT(t, ctx, level, mqttURL(t, srv, "hub", webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "ann"}))
			m.mustConnect("c1", persistent(level))
			_, err := srv.ServiceClient("hub", nil).CloseUserConnections(ctx, "ann", &webpubsub.ServiceClientCloseUserConnectionsOptions{Reason: "maintenance"})
			require.NoError(t, err)
			if level == 5 {
				d := m.mustEvent(ctx, "disconnect", nil)
				var p struct{ Packet mqttPacket }
				d.decode(t, &p)
				assert.Equal(t, 0x98, *p.Packet.ReasonCode)
				assert.Equal(t, "maintenance", p.Packet.Properties["reasonString"])
			}
			m.mustEvent(ctx, "close", nil)
			exists, err := srv.ServiceClient("hub", nil).ConnectionExists(ctx, "c1", nil)
			require.NoError(t, err)
			assert.False(t, exists.Exists, "a REST close ends the session")
		})
	}
}
