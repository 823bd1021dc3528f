package upstream_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

func TestGroupEventsInOrderAfterConnected(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	h := allEvents(srv.URL + "/{event}")
	h.GroupPresenceEvents = []string{"joined", "left"}
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{h}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1", UserID: "ann"})
	require.NoError(t, err)
	s.Connected()
	for _, g := range []string{"g1", "g2", "g3"} {
		s.GroupJoined(g)
	}
	s.GroupLeft("g2")
	s.Disconnected("bye")
	require.Eventually(t, func() bool { return len(rec.requests()) == 8 }, 5*time.Second, 5*time.Millisecond)
	var got []string
	for _, r := range rec.requests()[2:] {
		got = append(got, r.header.Get("ce-type")+" "+r.body)
	}
	assert.Equal(t, []string{
		protocol.EventTypeConnected + " {}",
		`azure.webpubsub.gp.joined {"group":"g1"}`,
		`azure.webpubsub.gp.joined {"group":"g2"}`,
		`azure.webpubsub.gp.joined {"group":"g3"}`,
		`azure.webpubsub.gp.left {"group":"g2"}`,
		protocol.EventTypeDisconnected + ` {"reason":"bye"}`,
	}, got, "group events follow connected and precede disconnected, in order")
	j := rec.requests()[3]
	assert.Equal(t, "/joined", j.path)
	assert.Equal(t, "joined", j.header.Get("ce-eventName"))
	assert.Equal(t, "application/json; charset=utf-8", j.header.Get("Content-Type"))
	assert.Equal(t, "ann", j.header.Get("ce-userId"))
	assert.True(t, protocol.VerifySignature(j.header.Get("ce-signature"), "c1", testKey))
	assert.Equal(t, "left", rec.requests()[6].header.Get("ce-eventName"))
}

func TestGroupEventsOnlyToHandlersThatAskForThem(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	joinedOnly := upstream.Handler{URLTemplate: srv.URL + "/only/{event}", GroupPresenceEvents: []string{"Joined"}}
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{joinedOnly, allEvents(srv.URL + "/all/{event}")}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	s.GroupLeft("g")
	s.GroupJoined("g")
	// Events of a session are sent in order, so a left event sent anywhere
	// would arrive before the joined one.
	require.Eventually(t, func() bool { return len(rec.requests()) == 4 }, 5*time.Second, 5*time.Millisecond)
	var paths []string
	for _, r := range rec.requests() {
		paths = append(paths, r.method+" "+r.path)
	}
	assert.Equal(t, []string{"OPTIONS /all/validate", "POST /all/connect", "OPTIONS /only/validate", "POST /only/joined"}, paths, "left goes nowhere (no handler asks for it); joined to the handler that asks for it")

	err = upstream.ValidateHandler(upstream.Handler{URLTemplate: "http://x/", GroupPresenceEvents: []string{"entered"}})
	assert.ErrorContains(t, err, `unknown group presence event "entered"`)
}
