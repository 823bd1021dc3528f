package interop

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// expressContext is the connection context the express handler reports.
type expressContext struct {
	Hub          string         `json:"hub"`
	ConnectionID string         `json:"connectionId"`
	UserID       string         `json:"userId"`
	EventName    string         `json:"eventName"`
	Origin       string         `json:"origin"`
	States       map[string]any `json:"states"`
	Signature    string         `json:"signature"`
}

// TestExpressHandlerAsEmulatorUpstream runs @azure/web-pubsub-express 1.1.0
// as the upstream of the CLI emulator started with -upstream, and a Go
// client against that emulator.
func TestExpressHandlerAsEmulatorUpstream(t *testing.T) {
	requireNode(t)
	const hub = "chat"
	ctx := testCtx(t, scriptDeadline)
	up := startNode(t, "express.js", "HUB="+hub)
	var listening struct {
		Port int    `json:"port"`
		Path string `json:"path"`
	}
	up.mustEvent(ctx, "listening", nil).decode(t, &listening)
	require.NotZero(t, listening.Port)
	connStr := startCLIEmulator(t, "-key", testKey, "-upstream", fmt.Sprintf("http://127.0.0.1:%d/api/webpubsub/hubs/{hub}/", listening.Port))

	tok := goToken(t, connStr, hub, webpubsub.ServiceClientGetClientAccessTokenOptions{})
	// The query parameters tell the express handler what to answer.
	gc := newGoClient(t, tok.URL+"&user=ann&joinGroup=g1&addRole=webpubsub.sendToGroup.g1", fastGoOptions(client.ProtocolJSONReliable))
	connID := gc.ConnectionID()

	t.Run("validation handshake", func(t *testing.T) {
		req := up.mustEvent(ctx, "request", nil)
		var r struct {
			Method  string            `json:"method"`
			Headers map[string]string `json:"headers"`
		}
		req.decode(t, &r)
		assert.Equal(t, http.MethodOptions, r.Method, "validation comes first")
		assert.Equal(t, "1.0", r.Headers["ce-awpsversion"])
		assert.NotEmpty(t, r.Headers["webhook-request-origin"])
	})

	t.Run("connect sets user, groups and roles", func(t *testing.T) {
		var c struct {
			Context      expressContext      `json:"context"`
			Query        map[string][]string `json:"query"`
			Subprotocols []string            `json:"subprotocols"`
		}
		up.mustEvent(ctx, "connect", nil).decode(t, &c)
		assert.Equal(t, connID, c.Context.ConnectionID)
		assert.Equal(t, hub, c.Context.Hub)
		assert.Equal(t, []string{"ann"}, c.Query["user"])
		assert.NotContains(t, c.Query, "access_token", "the token is not forwarded")
		assert.Equal(t, []string{protocol.JSONReliable}, c.Subprotocols)

		gc.waitFor("connected event", func() bool { return len(gc.connected) == 1 })
		assert.Equal(t, "ann", gc.connected[0].UserID, "userId from the connect answer")
		// Groups from the answer: a group send reaches the client.
		sc, err := webpubsub.NewServiceClientFromConnectionString(connStr, hub, nil)
		require.NoError(t, err)
		_, err = sc.NewGroupClient("g1").SendToAll(ctx, webpubsub.TextMessage("to g1"), nil)
		require.NoError(t, err)
		gc.waitMessage("to g1")
		// Roles from the answer: sendToGroup on g1 only.
		_, err = gc.SendToGroup(ctx, "g1", client.Text("from ann"), nil)
		require.NoError(t, err)
		_, err = gc.SendToGroup(ctx, "g2", client.Text("x"), nil)
		var se *client.SendMessageError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "Forbidden", se.ErrorName)
	})

	t.Run("connected", func(t *testing.T) {
		var c struct{ Context expressContext }
		up.mustEvent(ctx, "connected", nil).decode(t, &c)
		assert.Equal(t, connID, c.Context.ConnectionID)
		assert.Equal(t, "ann", c.Context.UserID)
		assert.Equal(t, map[string]any{"visits": float64(0)}, c.Context.States, "state set by connect")
	})

	t.Run("user events answered with state carried", func(t *testing.T) {
		_, err := gc.SendEvent(ctx, "greet", client.Text("hi"), nil)
		require.NoError(t, err)
		gc.waitMessage("greet:hi:visits=1")
		_, err = gc.SendEvent(ctx, "greet", client.Text("again"), nil)
		require.NoError(t, err)
		m := gc.waitMessage("greet:again:visits=2")
		assert.Equal(t, client.DataTypeText, m.DataType)
		var u struct {
			Context  expressContext `json:"context"`
			DataType string         `json:"dataType"`
		}
		up.mustEvent(ctx, "user-event", nil).decode(t, &u)
		assert.Equal(t, "greet", u.Context.EventName)
		assert.Equal(t, "text", u.DataType)
		assert.Equal(t, "ann", u.Context.UserID)

		_, err = gc.SendEvent(ctx, "data", client.JSON(map[string]int{"n": 1}), nil)
		require.NoError(t, err)
		gc.waitMessage(`data:{"n":1}:visits=3`)
	})

	t.Run("a 401 answer refuses the client", func(t *testing.T) {
		c, err := client.New(tok.URL+"&deny=1", &client.Options{DisableAutoReconnect: true})
		require.NoError(t, err)
		err = c.Start(ctx)
		require.Error(t, err)
		var ce *client.ConnectError
		require.True(t, errors.As(err, &ce), "%v", err)
		assert.Equal(t, http.StatusUnauthorized, ce.StatusCode)
		up.mustEvent(ctx, "connect", func(e event) bool { return strings.Contains(string(e.Raw), `"deny":["1"]`) })
		assert.Len(t, up.eventsNamed("connected"), 1, "a refused connection has no connected event")
	})

	t.Run("disconnected", func(t *testing.T) {
		require.NoError(t, gc.Stop(ctx))
		var d struct {
			Context expressContext `json:"context"`
			Reason  string         `json:"reason"`
		}
		up.mustEvent(ctx, "disconnected", nil).decode(t, &d)
		assert.Equal(t, connID, d.Context.ConnectionID)
		assert.Equal(t, map[string]any{"visits": float64(3)}, d.Context.States)
	})

	t.Run("valid ce-signature on every POST", func(t *testing.T) {
		posts := 0
		for _, e := range up.eventsNamed("request") {
			var r struct {
				Method  string            `json:"method"`
				Headers map[string]string `json:"headers"`
			}
			require.NoError(t, json.Unmarshal(e.Raw, &r))
			if r.Method != http.MethodPost {
				assert.Empty(t, r.Headers["ce-signature"], "validation is not signed")
				continue
			}
			posts++
			id := r.Headers["ce-connectionid"]
			assert.True(t, protocol.VerifySignature(r.Headers["ce-signature"], id, testKey), "%s event of %s: signature %q", r.Headers["ce-eventname"], id, r.Headers["ce-signature"])
		}
		// connect, connected, 3 user events, the refused connect, disconnected.
		assert.GreaterOrEqual(t, posts, 7)
	})
}

// TestExpressHandlerReceivesGroupEvents runs the CLI emulator with a
// settings file whose handler asks for group presence events, and checks
// that the express handler's onGroupJoined / onGroupLeft receive them.
func TestExpressHandlerReceivesGroupEvents(t *testing.T) {
	requireNode(t)
	const hub = "chat"
	ctx := testCtx(t, scriptDeadline)
	up := startNode(t, "express.js", "HUB="+hub)
	var listening struct{ Port int }
	up.mustEvent(ctx, "listening", nil).decode(t, &listening)
	cfg := filepath.Join(t.TempDir(), "settings.json")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`{"hubs": {"chat": {"eventHandlers": [{
		"urlTemplate": "http://127.0.0.1:%d/api/webpubsub/hubs/{hub}/",
		"userEventPattern": "*",
		"systemEvents": ["connect", "connected", "disconnected"],
		"groupPresenceEvents": {"eventNames": ["joined", "left"]}
	}]}}}`, listening.Port)), 0o600))
	connStr := startCLIEmulator(t, "-key", testKey, "-config", cfg)

	tok := goToken(t, connStr, hub, webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "ann", Roles: []string{"webpubsub.joinLeaveGroup"}})
	gc := newGoClient(t, tok.URL+"&joinGroup=answered", fastGoOptions(client.ProtocolJSON))
	_, err := gc.JoinGroup(ctx, "g1", nil)
	require.NoError(t, err)
	_, err = gc.LeaveGroup(ctx, "g1", nil)
	require.NoError(t, err)

	type groupEvent struct {
		Context expressContext `json:"context"`
		Group   string         `json:"group"`
	}
	var j1, j2, l groupEvent
	up.mustEvent(ctx, "group-joined", nil).decode(t, &j1)
	up.mustEvent(ctx, "group-joined", nil).decode(t, &j2)
	up.mustEvent(ctx, "group-left", nil).decode(t, &l)
	assert.Equal(t, "answered", j1.Group, "the connect answer's group, reported after connected")
	assert.Equal(t, "g1", j2.Group)
	assert.Equal(t, "g1", l.Group)
	for _, e := range []groupEvent{j1, j2, l} {
		assert.Equal(t, gc.ConnectionID(), e.Context.ConnectionID)
		assert.Equal(t, "ann", e.Context.UserID)
		assert.Equal(t, hub, e.Context.Hub)
	}
	assert.Len(t, up.eventsNamed("connected"), 1)
}
