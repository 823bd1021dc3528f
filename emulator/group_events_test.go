package emulator_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// groupLog records the events an upstream received, as "<event> <group>".
type groupLog struct {
	mu     sync.Mutex
	events []string
}

func (l *groupLog) add(s string) {
	l.mu.Lock()
	l.events = append(l.events, s)
	l.mu.Unlock()
}

func (l *groupLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.events...)
}

func (l *groupLog) options() *eventhandler.Options {
	return &eventhandler.Options{
		OnConnect: func(_ context.Context, _ *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
			resp.Groups = []string{"answer"}
			return nil
		},
		OnConnected: func(context.Context, *eventhandler.ConnectedRequest) { l.add("connected") },
		OnGroupJoined: func(_ context.Context, r *eventhandler.GroupJoinedRequest) {
			l.add("joined " + r.Group)
		},
		OnGroupLeft:    func(_ context.Context, r *eventhandler.GroupLeftRequest) { l.add("left " + r.Group) },
		OnDisconnected: func(context.Context, *eventhandler.DisconnectedRequest) { l.add("disconnected") },
	}
}

// TestGroupPresenceEventsByEveryRoute checks that a handler asking for
// joined and left gets them for the token's and the connect answer's groups,
// the client's joinGroup/leaveGroup and the REST API's group operations, in
// order, after connected and before disconnected.
func TestGroupPresenceEventsByEveryRoute(t *testing.T) {
	var log groupLog
	e := startWithUpstream(t, log.options(), emulator.UpstreamHandler{
		UserEventPattern:    "*",
		SystemEvents:        []string{"connect", "connected", "disconnected"},
		GroupPresenceEvents: []string{"joined", "left"},
	})
	cl, id := connectJSON(t, e, "chat", auth.Claims{Subject: "ann", Groups: []string{"token"}, Roles: []string{protocol.RoleJoinLeaveGroup}})
	cl.send(protocol.JoinGroupMessage{Group: "client", AckID: ackID(1)})
	require.True(t, cl.ack(1).Success)
	cl.send(protocol.LeaveGroupMessage{Group: "client", AckID: ackID(2)})
	require.True(t, cl.ack(2).Success)
	for _, r := range []struct{ method, path string }{
		{http.MethodPut, "/api/hubs/chat/groups/rest/connections/" + id},
		{http.MethodDelete, "/api/hubs/chat/groups/rest/connections/" + id},
		{http.MethodPut, "/api/hubs/chat/users/ann/groups/user"},
		{http.MethodDelete, "/api/hubs/chat/users/ann/groups/user"},
		{http.MethodDelete, "/api/hubs/chat/connections/" + id + "/groups"},
	} {
		resp := call(t, e, r.method, r.path, "", nil)
		require.Less(t, resp.status, 300, "%s %s: %s", r.method, r.path, resp.body)
	}
	require.NoError(t, cl.ws.Close(1000, "bye"))
	require.Eventually(t, func() bool { l := log.get(); return len(l) > 0 && l[len(l)-1] == "disconnected" }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, []string{
		"connected",
		"joined answer", // the connect answer's groups replace the token's
		"joined client", "left client",
		"joined rest", "left rest",
		"joined user", "left user",
		"left answer",  // removed from all groups
		"disconnected", // closing leaves no group events
	}, log.get())
}

// TestGroupPresenceEventsForTokenGroups checks that the token's groups are
// reported after connected when no connect answer replaces them.
func TestGroupPresenceEventsForTokenGroups(t *testing.T) {
	var log groupLog
	e := startWithUpstream(t, log.options(), emulator.UpstreamHandler{
		SystemEvents:        []string{"connected", "disconnected"},
		GroupPresenceEvents: []string{"joined"},
	})
	cl, id := connectJSON(t, e, "chat", auth.Claims{Subject: "ann", Groups: []string{"t2", "t1"}})
	require.Less(t, call(t, e, http.MethodDelete, "/api/hubs/chat/connections/"+id+"/groups", "", nil).status, 300)
	require.NoError(t, cl.ws.Close(1000, "bye"))
	require.Eventually(t, func() bool { l := log.get(); return len(l) > 0 && l[len(l)-1] == "disconnected" }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, []string{"connected", "joined t1", "joined t2", "disconnected"}, log.get(), "joined only: no left events")
}

func TestGroupPresenceEventsOnlyWhenAsked(t *testing.T) {
	var log groupLog
	e := startWithUpstream(t, log.options(), emulator.UpstreamHandler{SystemEvents: []string{"connected", "disconnected"}})
	cl, id := connectJSON(t, e, "chat", auth.Claims{Subject: "ann", Groups: []string{"token"}})
	require.Less(t, call(t, e, http.MethodPut, "/api/hubs/chat/groups/rest/connections/"+id, "", nil).status, 300)
	require.NoError(t, cl.ws.Close(1000, "bye"))
	require.Eventually(t, func() bool { l := log.get(); return len(l) > 0 && l[len(l)-1] == "disconnected" }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, []string{"connected", "disconnected"}, log.get(), "no group events without groupPresenceEvents")
}
