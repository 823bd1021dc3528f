package interop

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulator/settings"
)

func TestMQTTConnectWithTheTokenInTheQueryOrAHeader(t *testing.T) {
	for _, level := range mqttLevels {
		t.Run(levelName(level), func(t *testing.T) {
			ctx := testCtx(t, scriptDeadline)
			srv := newMQTTEmulator(t, nil)
			full := mqttURL(t, srv, "hub", webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "ann"})
			q := newMQTT(t, ctx, level, full)
			ack := q.mustConnect("viaQuery", nil)
			assert.False(t, ack.SessionPresent)

			u, err := url.Parse(full)
			require.NoError(t, err)
			tok := u.Query().Get("access_token")
			u.RawQuery = ""
			h := newMQTT(t, ctx, level, u.String())
			h.mustConnect("viaHeader", map[string]any{"headers": map[string]string{"Authorization": "Bearer " + tok}})
			for _, id := range []string{"viaQuery", "viaHeader"} {
				ok, err := srv.ServiceClient("hub", nil).ConnectionExists(ctx, id, nil)
				require.NoError(t, err)
				assert.True(t, ok.Exists, "the client id is the connection id: %s", id)
			}
			ok, err := srv.ServiceClient("hub", nil).UserExists(ctx, "ann", nil)
			require.NoError(t, err)
			assert.True(t, ok.Exists, "the token's user")
		})
	}
}

func TestMQTTConnectRefusals(t *testing.T) {
	for _, level := range mqttLevels {
		t.Run(levelName(level), func(t *testing.T) {
			ctx := testCtx(t, scriptDeadline)
			srv := newMQTTEmulator(t, nil)
			good := mqttURL(t, srv, "hub", webpubsub.ServiceClientGetClientAccessTokenOptions{})

			t.Run("bad or missing token: 401 before the upgrade", func(t *testing.T) {
				for _, u := range []string{strings.Replace(good, "access_token=", "access_token=x", 1), strings.Split(good, "?")[0]} {
					assertRefused401(t, newMQTT(t, ctx, level, u))
				}
				// A token for the Web PubSub endpoint has another audience.
				other := goToken(t, srv.ConnectionString(), "hub", webpubsub.ServiceClientGetClientAccessTokenOptions{})
				tok := other.URL[strings.Index(other.URL, "access_token="):]
				assertRefused401(t, newMQTT(t, ctx, level, strings.Split(good, "?")[0]+"?"+tok))
			})

			idRefused := 2
			if level == 5 {
				idRefused = 133
			}
			for _, id := range []string{"a_b", strings.Repeat("x", 129)} {
				_, err := newMQTT(t, ctx, level, good).connect(id, nil)
				require.Error(t, err, "client id %q", id)
				assert.Equal(t, idRefused, jsCode(err), "client id %q: %v", id, err)
			}
			_, err := newMQTT(t, ctx, level, good).connect(strings.Repeat("x", 128), nil)
			assert.NoError(t, err, "128 characters are allowed")

			if level == 4 {
				for _, ka := range []int{0, 181} {
					_, err := newMQTT(t, ctx, level, good).connect("ka", map[string]any{"keepalive": ka})
					require.Error(t, err, "keep alive %d", ka)
					assert.Contains(t, err.Error(), "closed before CONNACK", "3.1.1 has no code: the connection closes")
				}
			} else {
				m := newMQTT(t, ctx, level, good)
				ack := m.mustConnect("", nil)
				id, _ := ack.Properties["assignedClientIdentifier"].(string)
				assert.Len(t, id, 32, "an empty id gets an assigned one")
				ok, err := srv.ServiceClient("hub", nil).ConnectionExists(ctx, id, nil)
				require.NoError(t, err)
				assert.True(t, ok.Exists)
				assert.Equal(t, false, ack.Properties["retainAvailable"], "retain is not supported")
				assert.Equal(t, false, ack.Properties["wildcardSubscriptionAvailable"])
			}
		})
	}
}

func TestMQTTAnonymousPolicy(t *testing.T) {
	ctx := testCtx(t, scriptDeadline)
	srv := newMQTTEmulator(t, &emulator.Options{Settings: &settings.Settings{Hubs: map[string]settings.Hub{"open": {AnonymousConnectPolicy: "allow"}}}})
	base := strings.Split(mqttURL(t, srv, "open", webpubsub.ServiceClientGetClientAccessTokenOptions{}), "?")[0]
	newMQTT(t, ctx, 5, base).mustConnect("anon", nil)
}

// assertRefused401 connects m and checks that the handshake was refused
// with 401: mqtt.js reports "Unexpected server response: 401".
func assertRefused401(t *testing.T, m *mqttJS) {
	t.Helper()
	_, err := m.connect("c1", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Unexpected server response: 401")
}
