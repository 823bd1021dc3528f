package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// connectAnswering runs an emulator whose connect handler answers every
// connect event with status 200 and the query parameter "answer" as body.
func connectAnswering(t *testing.T) *emulator.Emulator {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set(protocol.HeaderAllowedOrigin, "*")
			return
		}
		var body struct {
			Query map[string][]string `json:"query"`
		}
		require.NoError(t, decodeJSON(r, &body))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body.Query["answer"][0]))
	}))
	t.Cleanup(srv.Close)
	return start(t, emulator.Options{Upstream: []emulator.UpstreamHandler{{URLTemplate: srv.URL + "/{event}", SystemEvents: []string{"connect"}}}})
}

func TestConnectAnswerOverridesLikeTheService(t *testing.T) {
	e := connectAnswering(t)
	claims := auth.Claims{Subject: "tok", Roles: []string{protocol.RoleSendToGroup}, Groups: []string{"a"}}
	connect := func(answer string) (*wsClient, protocol.ConnectedMessage) {
		cl := dial(t, clientURL(t, e, "chat", claims)+"&answer="+urlEscape(answer), protocol.JSON)
		return cl, cl.connected()
	}
	inGroup := func(id, g string) bool {
		r := call(t, e, http.MethodGet, "/api/hubs/chat/groups/"+g+"/connections", "", nil)
		require.Equal(t, http.StatusOK, r.status, r.body)
		return containsString(r.body, id)
	}
	canSend := func(cl *wsClient, id uint64) bool {
		cl.send(protocol.SendToGroupMessage{Group: "z", AckID: ackID(id), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}})
		return cl.ack(id).Success
	}

	cl, cm := connect("null")
	assert.Equal(t, "tok", cm.UserID, "null keeps the token's user")
	assert.True(t, inGroup(cm.ConnectionID, "a"))
	assert.True(t, canSend(cl, 1))

	_, cm = connect(`{"userId": ""}`)
	assert.Empty(t, cm.UserID, "an empty userId makes the connection anonymous")

	cl, cm = connect(`{"roles": []}`)
	assert.Equal(t, "tok", cm.UserID, "an absent userId keeps the token's")
	assert.False(t, canSend(cl, 2), "an empty roles array removes the token's roles")

	_, cm = connect(`{"groups": []}`)
	assert.True(t, inGroup(cm.ConnectionID, "a"), "an empty groups array keeps the token's groups")

	_, cm = connect(`{"groups": ["b"], "roles": ["webpubsub.joinLeaveGroup"]}`)
	assert.True(t, inGroup(cm.ConnectionID, "b"))
	assert.False(t, inGroup(cm.ConnectionID, "a"), "a non-empty groups array replaces the token's")

	status, body := dialRefused(t, clientURL(t, e, "chat", claims)+"&answer="+urlEscape(`{"groups": ["  "]}`), protocol.JSON)
	assert.Equal(t, http.StatusInternalServerError, status, "an invalid group from the upstream is its failure")
	assert.Equal(t, "the connect event handler of hub \"chat\" answered with an invalid group: invalid group name: must not be blank\n", body, "the body says what to fix")
}

func decodeJSON(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }

func urlEscape(s string) string { return url.QueryEscape(s) }

func containsString(s, sub string) bool { return strings.Contains(s, sub) }
