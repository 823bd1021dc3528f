package interop

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulatortest"
)

// jsService is the JS service SDK in a Node process.
type jsService struct {
	*nodeProc
	ctx context.Context
}

func newJSService(t *testing.T, ctx context.Context, connStr, hub string) *jsService {
	s := &jsService{nodeProc: startNode(t, "service.js"), ctx: ctx}
	if connStr != "" {
		s.must(ctx, "new", map[string]any{"connectionString": connStr, "hub": hub}, nil)
	}
	return s
}

// call runs client[method](...args) (or client.group(group)[...] when group
// is not "") and returns the raw result.
func (s *jsService) callIn(group, method string, args ...any) (json.RawMessage, error) {
	a := map[string]any{"method": method, "args": args}
	if group != "" {
		a["group"] = group
	}
	return s.call(s.ctx, "call", a)
}

// do runs a method that must succeed.
func (s *jsService) do(method string, args ...any) {
	s.t.Helper()
	_, err := s.callIn("", method, args...)
	require.NoError(s.t, err, method)
}

// doGroup runs a group method that must succeed.
func (s *jsService) doGroup(group, method string, args ...any) {
	s.t.Helper()
	_, err := s.callIn(group, method, args...)
	require.NoError(s.t, err, "group(%s).%s", group, method)
}

// boolOf runs a method returning a boolean.
func (s *jsService) boolOf(method string, args ...any) bool {
	s.t.Helper()
	res, err := s.callIn("", method, args...)
	require.NoError(s.t, err, method)
	var b bool
	require.NoError(s.t, json.Unmarshal(res, &b), "%s returned %s", method, res)
	return b
}

// members lists the connection ids of group, page by page.
func (s *jsService) members(group string, maxPageSize, top int) [][]string {
	s.t.Helper()
	args := map[string]any{"group": group}
	if maxPageSize > 0 {
		args["maxPageSize"] = maxPageSize
	}
	if top > 0 {
		args["top"] = top
	}
	var res struct {
		Pages [][]struct {
			ConnectionID string `json:"connectionId"`
			UserID       string `json:"userId"`
		} `json:"pages"`
	}
	s.must(s.ctx, "listConnections", args, &res)
	out := [][]string{}
	for _, p := range res.Pages {
		ids := []string{}
		for _, m := range p {
			ids = append(ids, m.ConnectionID)
		}
		out = append(out, ids)
	}
	return out
}

// closedBy is what a client closed through the REST API with reason is
// told, in the service's words.
func closedBy(reason string) string {
	return "Application server closed the connection. Reason: " + reason
}

// textPlain is the option that sends a string as text/plain.
func textPlain() map[string]any { return map[string]any{"contentType": "text/plain"} }

// TestJSServiceSDK drives all 25 operations of @azure/web-pubsub 1.2.0
// against the emulator and checks their effect with Go clients.
func TestJSServiceSDK(t *testing.T) {
	requireNode(t)
	const hub = "svc"
	e := emulatortest.New(t, nil)
	ctx := testCtx(t, scriptDeadline)

	connect := func(t *testing.T, user string, groups ...string) *goClient {
		tok := goToken(t, e.ConnectionString(), hub, webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: user, Groups: groups})
		return newGoClient(t, tok.URL, client.Options{DisableAutoReconnect: true})
	}
	t.Run("all 25 operations", func(t *testing.T) {
		ann, bob, cat := connect(t, "ann"), connect(t, "bob"), connect(t, "cat")
		js := newJSService(t, ctx, e.ConnectionString(), hub)
		// 1. Health (the generated client's HEAD /api/health).
		var h struct{ Status int }
		js.must(ctx, "health", nil, &h)
		assert.Equal(t, 200, h.Status)

		// 2-4. Sends with filter, excluded and TTL.
		js.do("sendToAll", "all-1", textPlain())
		js.do("sendToAll", map[string]any{"n": 2}, map[string]any{"filter": "userId ne 'bob'"})
		js.do("sendToAll", "all-3", map[string]any{"contentType": "text/plain", "excludedConnections": []string{cat.ConnectionID()}})
		js.do("sendToAll", "all-4", map[string]any{"contentType": "text/plain", "messageTtlSeconds": 60})
		js.do("sendToUser", "ann", "user-5", textPlain())
		js.do("sendToUser", "bob", "user-6", map[string]any{"contentType": "text/plain", "filter": "userId eq 'bob'"})
		js.do("sendToUser", "bob", "user-7", map[string]any{"contentType": "text/plain", "filter": "userId eq 'nobody'"})
		js.do("sendToConnection", bob.ConnectionID(), map[string]any{"base64": base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 255})}, map[string]any{"messageTtlSeconds": 30})

		// 5-9. Groups by connection and user, group sends.
		js.doGroup("g1", "addConnection", ann.ConnectionID())
		js.doGroup("g1", "addUser", "bob")
		js.doGroup("g1", "sendToAll", "group-8", textPlain())
		js.doGroup("g1", "sendToAll", "group-9", map[string]any{"contentType": "text/plain", "excludedConnections": []string{ann.ConnectionID()}})
		js.doGroup("g1", "sendToAll", "group-10", map[string]any{"contentType": "text/plain", "filter": "userId eq 'ann'"})
		js.doGroup("g1", "sendToAll", "group-11", map[string]any{"contentType": "text/plain", "messageTtlSeconds": 300})
		js.do("sendToAll", "end", textPlain())

		binary := string([]byte{0, 1, 2, 255})
		want := map[*goClient][]string{
			ann: {"all-1", `{"n":2}`, "all-3", "all-4", "user-5", "group-8", "group-10", "group-11", "end"},
			bob: {"all-1", "all-3", "all-4", "user-6", binary, "group-8", "group-9", "group-11", "end"},
			cat: {"all-1", `{"n":2}`, "all-4", "end"},
		}
		for c, w := range want {
			c.waitMessage("end")
			assert.Equal(t, w, c.datas(), "messages of %s", c.ConnectionID())
		}
		msgs := bob.messages()
		for _, m := range append(ann.messages(), msgs...) {
			if strings.HasPrefix(m.Data, "group-") {
				assert.Equal(t, "g1", m.Group, "a REST send to a group is a group message: %s", m.Data)
				assert.Empty(t, m.FromUserID, "without a sender")
			} else {
				assert.Empty(t, m.Group, "a server message: %s", m.Data)
			}
		}
		assert.Equal(t, client.DataTypeText, msgs[0].DataType)
		assert.Equal(t, client.DataTypeBinary, msgs[4].DataType)
		assert.Equal(t, client.DataTypeJSON, ann.messages()[1].DataType)

		// 10-13. Exists, 404 answered as false.
		assert.True(t, js.boolOf("connectionExists", ann.ConnectionID()))
		assert.False(t, js.boolOf("connectionExists", "no-such-connection"))
		assert.True(t, js.boolOf("userExists", "ann"))
		assert.False(t, js.boolOf("userExists", "nobody"))
		assert.True(t, js.boolOf("groupExists", "g1"))
		assert.False(t, js.boolOf("groupExists", "no-such-group"))

		// 14. Paged listing.
		pages := js.members("g1", 1, 0)
		assert.Len(t, pages, 2, "maxPageSize 1 gives one member per page")
		assert.ElementsMatch(t, []string{ann.ConnectionID(), bob.ConnectionID()}, append(append([]string{}, pages[0]...), pages[1]...))
		assert.Len(t, js.members("g1", 0, 1)[0], 1, "top 1")
		for _, p := range js.members("no-such-group", 0, 0) {
			assert.Empty(t, p, "a missing group lists empty")
		}

		// 15-16. Remove by connection and user.
		js.doGroup("g1", "removeConnection", ann.ConnectionID())
		js.doGroup("g1", "removeUser", "bob")
		assert.False(t, js.boolOf("groupExists", "g1"))

		// 17-18. Add and remove by filter.
		js.do("addConnectionsToGroups", []string{"g2", "g3"}, "userId eq 'cat'")
		assert.Equal(t, [][]string{{cat.ConnectionID()}}, js.members("g2", 0, 0))
		assert.Equal(t, [][]string{{cat.ConnectionID()}}, js.members("g3", 0, 0))
		js.do("removeConnectionsFromGroups", []string{"g2"}, "userId eq 'cat'")
		assert.False(t, js.boolOf("groupExists", "g2"))
		assert.True(t, js.boolOf("groupExists", "g3"))

		// 19-20. Remove from all groups.
		js.do("removeConnectionFromAllGroups", cat.ConnectionID())
		assert.False(t, js.boolOf("groupExists", "g3"))
		js.doGroup("g4", "addUser", "ann")
		js.doGroup("g5", "addUser", "ann")
		assert.True(t, js.boolOf("groupExists", "g4"))
		js.do("removeUserFromAllGroups", "ann")
		assert.False(t, js.boolOf("groupExists", "g4"))
		assert.False(t, js.boolOf("groupExists", "g5"))

		// 21-23. Permissions, with their effect on a Go client.
		_, err := ann.SendToGroup(ctx, "p1", client.Text("x"), nil)
		require.Error(t, err, "no role to send to p1 yet")
		assert.False(t, js.boolOf("hasPermission", ann.ConnectionID(), "sendToGroup", map[string]any{"targetName": "p1"}))
		js.do("grantPermission", ann.ConnectionID(), "sendToGroup", map[string]any{"targetName": "p1"})
		assert.True(t, js.boolOf("hasPermission", ann.ConnectionID(), "sendToGroup", map[string]any{"targetName": "p1"}))
		_, err = ann.SendToGroup(ctx, "p1", client.Text("x"), nil)
		require.NoError(t, err, "granted sendToGroup on p1")
		js.do("revokePermission", ann.ConnectionID(), "sendToGroup", map[string]any{"targetName": "p1"})
		assert.False(t, js.boolOf("hasPermission", ann.ConnectionID(), "sendToGroup", map[string]any{"targetName": "p1"}))
		_, err = ann.SendToGroup(ctx, "p1", client.Text("x"), nil)
		require.Error(t, err, "revoked")

		// 24. Client access token: a Go client connects with it, in its group.
		res, err := js.callIn("", "getClientAccessToken", map[string]any{"userId": "dan", "groups": []string{"g6"}, "roles": []string{"webpubsub.joinLeaveGroup"}})
		require.NoError(t, err)
		var tok struct{ Token, URL string }
		require.NoError(t, json.Unmarshal(res, &tok))
		dan := newGoClient(t, tok.URL, client.Options{DisableAutoReconnect: true})
		assert.Equal(t, [][]string{{dan.ConnectionID()}}, js.members("g6", 0, 0))
		assert.True(t, js.boolOf("userExists", "dan"))

		// 25-28. Closes, with reasons the clients see.
		js.do("closeConnection", dan.ConnectionID(), map[string]any{"reason": "bye dan"})
		assert.Equal(t, closedBy("bye dan"), dan.waitDisconnected().Message)
		assert.False(t, js.boolOf("connectionExists", dan.ConnectionID()))

		js.doGroup("g7", "addConnection", cat.ConnectionID())
		js.doGroup("g7", "closeAllConnections", map[string]any{"reason": "bye g7"})
		assert.Equal(t, closedBy("bye g7"), cat.waitDisconnected().Message)

		js.do("closeUserConnections", "bob", map[string]any{"reason": "bye bob"})
		assert.Equal(t, closedBy("bye bob"), bob.waitDisconnected().Message)
		assert.False(t, js.boolOf("userExists", "bob"))

		js.do("closeAllConnections", map[string]any{"reason": "bye all"})
		assert.Equal(t, closedBy("bye all"), ann.waitDisconnected().Message)
		assert.False(t, js.boolOf("connectionExists", ann.ConnectionID()))
	})

	t.Run("wrong key is answered 401", func(t *testing.T) {
		wrong := newJSService(t, ctx, "", hub)
		wrong.must(ctx, "new", map[string]any{"endpoint": e.URL(), "key": base64.StdEncoding.EncodeToString([]byte("not the emulator's key, 32 bytes")), "hub": hub}, nil)
		_, err := wrong.callIn("", "sendToAll", "x", textPlain())
		require.Error(t, err)
		assert.Equal(t, 401, jsStatus(err), "%v", err)
		_, err = wrong.callIn("", "connectionExists", "c")
		require.Error(t, err)
		assert.Equal(t, 401, jsStatus(err), "%v", err)
	})
}
