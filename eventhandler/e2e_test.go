package eventhandler_test

// End to end: the emulator calls the handler for every event of a Go
// client, and what the handler answers reaches the client.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

// within returns the next value of ch, failing the test after 20 seconds.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

func TestHandlerServesTheEmulatorsEvents(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Run("events", testHandlerServesTheEmulatorsEvents)
	goleak.VerifyNone(t, before) // the emulator, its client and the upstream server are gone
}

func testHandlerServesTheEmulatorsEvents(t *testing.T) {
	// Buffered beyond what the test expects, so that an unexpected extra
	// event fails an assertion instead of blocking the handler.
	connects := make(chan *eventhandler.ConnectRequest, 10)
	connected := make(chan eventhandler.ConnectionContext, 10)
	disconnected := make(chan eventhandler.ConnectionContext, 10)
	h, err := eventhandler.New("chat", &eventhandler.Options{
		AccessKeys: []string{emulator.DevAccessKey}, // the key of an emulator started with default options
		OnConnect: func(_ context.Context, req *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
			connects <- req
			resp.Groups = []string{"room"}
			resp.Roles = []string{"webpubsub.sendToGroup.room"}
			return resp.SetState("plan", "pro")
		},
		OnConnected:    func(_ context.Context, req *eventhandler.ConnectedRequest) { connected <- req.Context },
		OnDisconnected: func(_ context.Context, req *eventhandler.DisconnectedRequest) { disconnected <- req.Context },
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			resp.SetText("echo " + string(req.Data) + " for a " + fmt.Sprint(req.Context.State["plan"]) + " user")
			return nil
		},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	up := httptest.NewServer(mux)
	t.Cleanup(up.Close)

	srv := emulatortest.New(t, &emulator.Options{Upstream: []emulator.UpstreamHandler{{
		Hub: "chat", URLTemplate: up.URL + h.Path(), UserEventPattern: "*",
		SystemEvents: []string{"connect", "connected", "disconnected"},
	}}})
	serverMsgs := make(chan string, 10)
	groupMsgs := make(chan client.GroupMessage, 10)
	c := srv.NewClient("chat", &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "alice"}, &client.Options{
		OnServerMessage: func(_ context.Context, m client.ServerMessage) { serverMsgs <- string(m.Data) },
		OnGroupMessage:  func(_ context.Context, m client.GroupMessage) { groupMsgs <- m },
	})
	id := c.ConnectionID()

	req := within(t, connects, "the connect event")
	assert.Equal(t, id, req.Context.ConnectionID)
	assert.Equal(t, "alice", req.Context.UserID)
	assert.Equal(t, []string{"alice"}, req.Claims["sub"])
	cc := within(t, connected, "the connected event")
	assert.Equal(t, id, cc.ConnectionID)
	assert.Equal(t, "pro", cc.State["plan"], "the state set in connect comes back with later events")

	// The user event's answer comes back to the client, with the state.
	_, err = c.SendEvent(t.Context(), "hello", client.Text("hi"), nil)
	require.NoError(t, err)
	assert.Equal(t, "echo hi for a pro user", within(t, serverMsgs, "the user event's answer"))

	// The group and role granted in connect: the client may publish to
	// "room" and, being in it, receives its own message.
	_, err = c.SendToGroup(t.Context(), "room", client.Text("to the room"), nil)
	require.NoError(t, err)
	m := within(t, groupMsgs, "the group message")
	assert.Equal(t, "room", m.Group)
	assert.Equal(t, "alice", m.FromUserID)
	assert.Equal(t, "to the room", string(m.Data))

	stopCtx, cancel := context.WithTimeout(context.Background(), emulatortest.ClientTimeout)
	defer cancel()
	require.NoError(t, c.Stop(stopCtx))
	assert.Equal(t, id, within(t, disconnected, "the disconnected event").ConnectionID)
	assert.Empty(t, connects, "one connect event")
	assert.Empty(t, connected, "one connected event")
}
