package interop

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
)

// jwtParts decodes a JWT's header and claims without checking it.
func jwtParts(t *testing.T, token string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3, "a JWT has three parts")
	for i, out := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, out))
	}
	return header, claims
}

// TestTokensBothWays connects the JS client with a URL minted by the Go SDK
// and the Go client with a URL minted by the JS SDK, and checks that both
// SDKs put the same claims in their tokens for the same inputs.
func TestTokensBothWays(t *testing.T) {
	requireNode(t)
	const hub = "tokens"
	e := emulatortest.New(t, &emulator.Options{AccessKey: testKey})
	ctx := testCtx(t, scriptDeadline)
	svc := newJSService(t, ctx, e.ConnectionString(), hub)
	sc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), hub, nil)
	require.NoError(t, err)

	type jsToken struct {
		Token   string `json:"token"`
		BaseURL string `json:"baseUrl"`
		URL     string `json:"url"`
	}
	jsMint := func(t *testing.T, opts map[string]any) jsToken {
		res, err := svc.callIn("", "getClientAccessToken", opts)
		require.NoError(t, err)
		var tok jsToken
		require.NoError(t, json.Unmarshal(res, &tok))
		return tok
	}

	cases := []struct {
		name   string
		goOpts webpubsub.ServiceClientGetClientAccessTokenOptions
		jsOpts map[string]any
	}{
		{"user, roles, groups, 30 minutes",
			webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "tok-user", Roles: []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.tg"}, Groups: []string{"tg", "tg2"}, ExpiresAfter: 30 * time.Minute},
			map[string]any{"userId": "tok-user", "roles": []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.tg"}, "groups": []string{"tg", "tg2"}, "expirationTimeInMinutes": 30}},
		{"one role, one group",
			webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "u1", Roles: []string{"webpubsub.joinLeaveGroup"}, Groups: []string{"tg"}},
			map[string]any{"userId": "u1", "roles": []string{"webpubsub.joinLeaveGroup"}, "groups": []string{"tg"}}},
		{"anonymous, defaults", webpubsub.ServiceClientGetClientAccessTokenOptions{}, map[string]any{}},
	}
	for _, tc := range cases {
		t.Run("same claims: "+tc.name, func(t *testing.T) {
			goTok, err := sc.GetClientAccessToken(ctx, &tc.goOpts)
			require.NoError(t, err)
			jsTok := jsMint(t, tc.jsOpts)
			gh, gc := jwtParts(t, goTok.Token)
			jh, jc := jwtParts(t, jsTok.Token)
			assert.Equal(t, jh["alg"], gh["alg"])
			assert.Equal(t, jh["typ"], gh["typ"])
			for _, c := range []map[string]any{gc, jc} {
				require.Contains(t, c, "iat")
				require.Contains(t, c, "exp")
			}
			assert.Equal(t, jc["exp"].(float64)-jc["iat"].(float64), gc["exp"].(float64)-gc["iat"].(float64), "same lifetime")
			assert.InDelta(t, jc["iat"], gc["iat"], 60, "issued now")
			for _, c := range []map[string]any{gc, jc} {
				delete(c, "iat")
				delete(c, "exp")
				delete(c, "nbf") // neither sets it today; compared through the rest if one does
			}
			t.Logf("claims (without times): %v", gc)
			assert.Equal(t, jc, gc, "claims other than times")
			assert.Equal(t, jsTok.BaseURL, goTok.BaseURL)
		})
	}

	t.Run("JS client with a Go-minted URL", func(t *testing.T) {
		tok, err := sc.GetClientAccessToken(ctx, &cases[0].goOpts)
		require.NoError(t, err)
		js := startNode(t, "client.js")
		js.must(ctx, "new", map[string]any{"url": tok.URL, "protocol": "json.reliable"}, nil)
		js.must(ctx, "start", nil, nil)
		c := js.mustEvent(ctx, "connected", nil)
		assert.Equal(t, "tok-user", c.str("userId"))
		// In the token's groups, with its roles.
		_, err = sc.NewGroupClient("tg2").SendToAll(ctx, webpubsub.TextMessage("to tg2"), nil)
		require.NoError(t, err)
		m := js.mustEvent(ctx, "group-message", withText("to tg2"))
		assert.Equal(t, "tg2", m.str("group"), "a REST send to a group is a group message")
		js.must(ctx, "joinGroup", map[string]any{"group": "other"}, nil)
		js.must(ctx, "sendToGroup", map[string]any{"group": "tg", "data": "x", "dataType": "text"}, nil)
		_, err = js.call(ctx, "sendToGroup", map[string]any{"group": "other", "data": "x", "dataType": "text"})
		require.Error(t, err, "no role to send to other")
	})

	t.Run("Go client with a JS-minted URL", func(t *testing.T) {
		tok := jsMint(t, cases[0].jsOpts)
		g := newGoClient(t, tok.URL, client.Options{})
		g.waitFor("connected", func() bool { return len(g.connected) == 1 })
		assert.Equal(t, "tok-user", g.connected[0].UserID)
		_, err := sc.NewGroupClient("tg2").SendToAll(ctx, webpubsub.TextMessage("to tg2"), nil)
		require.NoError(t, err)
		g.waitMessage("to tg2")
		_, err = g.JoinGroup(ctx, "other", nil)
		require.NoError(t, err)
		_, err = g.SendToGroup(ctx, "tg", client.Text("x"), nil)
		require.NoError(t, err)
		_, err = g.SendToGroup(ctx, "other", client.Text("x"), nil)
		require.Error(t, err, "no role to send to other")
	})
}
