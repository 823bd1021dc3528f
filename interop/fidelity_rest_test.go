package interop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/internal/auth"
)

// The JS client's live test "receives binary group message sent by service"
// (azure-sdk-for-js, web-pubsub-client): a client in a group receives
// serviceClient.group(g).sendToAll(...) as a group-message of that group,
// without a sender, on the JSON and the reliable JSON subprotocols.
func TestJSClientReceivesGroupMessageSentByService(t *testing.T) {
	requireNode(t)
	const hub = "fidelity"
	e := emulatortest.New(t, &emulator.Options{AccessKey: testKey})
	ctx := testCtx(t, scriptDeadline)
	svc := newJSService(t, ctx, e.ConnectionString(), hub)
	for _, proto := range []string{"json", "json.reliable"} {
		t.Run(proto, func(t *testing.T) {
			group := "binary-" + strings.ReplaceAll(proto, ".", "-")
			tok := goToken(t, e.ConnectionString(), hub, webpubsub.ServiceClientGetClientAccessTokenOptions{Roles: []string{"webpubsub.joinLeaveGroup"}})
			js := startNode(t, "client.js")
			js.must(ctx, "new", map[string]any{"url": tok.URL, "protocol": proto}, nil)
			js.must(ctx, "start", nil, nil)
			js.mustEvent(ctx, "connected", nil)
			js.must(ctx, "joinGroup", map[string]any{"group": group}, nil)

			payload := []byte{1, 2, 3, 255}
			svc.doGroup(group, "sendToAll", map[string]any{"base64": base64.StdEncoding.EncodeToString(payload)})
			ev := js.mustEvent(ctx, "group-message", func(e event) bool { return e.str("group") == group })
			var m struct {
				Group      string  `json:"group"`
				FromUserID *string `json:"fromUserId"`
				DataType   string  `json:"dataType"`
				Data       struct {
					Base64 string `json:"base64"`
				} `json:"data"`
			}
			ev.decode(t, &m)
			assert.Equal(t, group, m.Group)
			assert.Nil(t, m.FromUserID, "a message the service sent has no sender")
			assert.Equal(t, "binary", m.DataType)
			assert.Equal(t, base64.StdEncoding.EncodeToString(payload), m.Data.Base64)
			assert.Empty(t, js.eventsNamed("server-message"), "not a server message")
		})
	}
}

// The JS service SDK keeps a refused parameter's problem document as its
// error's message; Microsoft's live tests ("can broadcast with filter", "can
// broadcast to group with filter") parse it as JSON and compare its message.
func TestJSServiceSDKKeepsTheProblemDocument(t *testing.T) {
	requireNode(t)
	e := emulatortest.New(t, &emulator.Options{AccessKey: testKey})
	ctx := testCtx(t, scriptDeadline)
	svc := newJSService(t, ctx, e.ConnectionString(), "fidelity")
	const want = "Invalid syntax for 'invalid filter': Syntax error at position 14 in 'invalid filter'. (Parameter 'filter')"
	opts := map[string]any{"contentType": "text/plain", "filter": "invalid filter"}
	for _, group := range []string{"", "g"} {
		_, err := svc.callIn(group, "sendToAll", "hello", opts)
		var je *jsError
		require.True(t, errors.As(err, &je), "got %v", err)
		assert.Equal(t, "RestError", je.Name)
		assert.Equal(t, 400, je.StatusCode)
		var doc struct{ Message, Target string }
		require.NoError(t, json.Unmarshal([]byte(je.Message), &doc), "JSON.parse(error.message) of %q", je.Message)
		assert.Equal(t, want, doc.Message)
		assert.Equal(t, "filter", doc.Target)
	}
}

// dotnetToken mints a client access token the way the .NET SDK's
// JwtSecurityToken does (Microsoft's emulator issues its tokens so, in
// WebPubSubTokenService.IssueClientToken): the claims in the order they were
// added (sub, then one "role" and one "webpubsub.group" claim per value),
// then nbf, exp and aud (JwtPayload.AddFirstPriorityClaims); a claim type
// with a single value is written as a JSON string, not an array.
func dotnetToken(t *testing.T, key, aud, user, role, group string) string {
	t.Helper()
	now := time.Now().Unix()
	payload, err := json.Marshal(struct {
		Sub   string `json:"sub"`
		Role  string `json:"role"`
		Group string `json:"webpubsub.group"`
		Nbf   int64  `json:"nbf"`
		Exp   int64  `json:"exp"`
		Aud   string `json:"aud"`
	}{user, role, group, now, now + 3600, aud})
	require.NoError(t, err)
	enc := base64.RawURLEncoding
	signed := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(signed))
	return signed + "." + enc.EncodeToString(mac.Sum(nil))
}

// A token minted as the .NET SDK mints it, with one role and one group as
// JSON strings, connects the JS client and the Go client: the role and the
// group apply.
func TestDotNetShapedTokenIsAccepted(t *testing.T) {
	requireNode(t)
	const hub = "dotnet"
	e := emulatortest.New(t, &emulator.Options{AccessKey: testKey})
	ctx := testCtx(t, scriptDeadline)
	sc := e.ServiceClient(hub, nil)
	ws := "ws" + strings.TrimPrefix(e.URL(), "http") + "/client/hubs/" + hub + "?access_token="
	mint := func(user string) string {
		return dotnetToken(t, e.AccessKey(), e.URL()+"/client/hubs/"+hub, user, "webpubsub.sendToGroup.dg", "dg")
	}
	_, claims := jwtParts(t, mint("x"))
	assert.IsType(t, "", claims["role"], "a single role is a string")
	assert.IsType(t, "", claims["webpubsub.group"], "a single group is a string")

	js := startNode(t, "client.js")
	js.must(ctx, "new", map[string]any{"url": ws + url.QueryEscape(mint("js-dotnet")), "protocol": "json.reliable"}, nil)
	js.must(ctx, "start", nil, nil)
	assert.Equal(t, "js-dotnet", js.mustEvent(ctx, "connected", nil).str("userId"))
	g := newGoClient(t, ws+url.QueryEscape(mint("go-dotnet")), client.Options{})
	g.waitFor("connected", func() bool { return len(g.connected) == 1 })
	assert.Equal(t, "go-dotnet", g.connected[0].UserID)

	_, err := sc.NewGroupClient("dg").SendToAll(ctx, webpubsub.TextMessage("to dg"), nil)
	require.NoError(t, err)
	js.mustEvent(ctx, "group-message", withText("to dg"))
	assert.Equal(t, "dg", g.waitMessage("to dg").Group, "the token's single group was joined")
	js.must(ctx, "sendToGroup", map[string]any{"group": "dg", "data": "from js", "dataType": "text"}, nil)
	g.waitMessage("from js")
	_, err = g.SendToGroup(ctx, "dg", client.Text("from go"), nil)
	require.NoError(t, err, "the single role applies")
	_, err = g.SendToGroup(ctx, "other", client.Text("x"), nil)
	require.Error(t, err, "and only to its group")
}

// The official JS client connects with a token whose audience is the
// emulator's address with the wss scheme, as a client SDK that builds its
// own URL signs it; a foreign host is still refused.
func TestJSClientWithWssAudience(t *testing.T) {
	requireNode(t)
	const hub = "wss"
	e := emulatortest.New(t, &emulator.Options{AccessKey: testKey})
	ctx := testCtx(t, scriptDeadline)
	host := strings.TrimPrefix(e.URL(), "http://")
	sign := func(aud string) string {
		tok, err := auth.Sign(e.AccessKey(), &auth.Claims{Subject: "wss-user", Audience: aud, ExpiresAt: time.Now().Add(time.Hour).Unix()})
		require.NoError(t, err)
		return "ws://" + host + "/client/hubs/" + hub + "?access_token=" + url.QueryEscape(tok)
	}
	js := startNode(t, "client.js")
	js.must(ctx, "new", map[string]any{"url": sign("wss://" + host + "/client/hubs/" + hub + "/"), "protocol": "json"}, nil)
	js.must(ctx, "start", nil, nil)
	assert.Equal(t, "wss-user", js.mustEvent(ctx, "connected", nil).str("userId"))

	foreign := startNode(t, "client.js")
	foreign.must(ctx, "new", map[string]any{"url": sign("wss://evil.example/client/hubs/" + hub), "protocol": "json", "autoReconnect": false}, nil)
	_, err := foreign.call(ctx, "start", nil)
	require.Error(t, err, "a token for another host is refused")
}
