package upstream_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

func TestConnectAcceptedWithProperties(t *testing.T) {
	var got *eventhandler.ConnectRequest
	srv := serveHandler(t, "chat", &eventhandler.Options{
		AccessKeys:       []string{testKey},
		AllowedEndpoints: []string{testOrigin},
		OnConnect: func(_ context.Context, req *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
			got = req
			resp.UserID = "ann"
			resp.Groups = []string{"lobby"}
			resp.Roles = []string{protocol.RoleSendToGroup}
			resp.Subprotocol = protocol.JSON
			return resp.SetState("visits", 1)
		},
	}, nil)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL + "/api/webpubsub/hubs/{hub}/")}})
	s, res, err := inv.Connect(context.Background(), upstream.ConnectRequest{
		Hub: "chat", ConnectionID: "c1", UserID: "token-user", Subprotocol: protocol.JSONReliable,
		Claims:       map[string][]string{"sub": {"token-user"}},
		Query:        map[string][]string{"room": {"1"}},
		Headers:      map[string][]string{"X-App": {"x"}},
		Subprotocols: []string{protocol.JSONReliable, protocol.JSON},
	})
	require.NoError(t, err)
	require.NotNil(t, res)
	assert.Equal(t, protocol.ConnectResponse{UserID: "ann", Groups: []string{"lobby"}, Roles: []string{protocol.RoleSendToGroup}, Subprotocol: protocol.JSON}, *res)
	assert.Equal(t, "ann", s.UserID())
	st, err := base64.StdEncoding.DecodeString(s.State())
	require.NoError(t, err)
	assert.JSONEq(t, `{"visits":1}`, string(st))

	require.NotNil(t, got)
	assert.Equal(t, "chat", got.Context.Hub)
	assert.Equal(t, "c1", got.Context.ConnectionID)
	assert.Equal(t, "token-user", got.Context.UserID)
	assert.Equal(t, testOrigin, got.Context.Origin)
	assert.Equal(t, "connect", got.Context.EventName)
	assert.Empty(t, got.Context.Subprotocol, "no subprotocol is negotiated before connect")
	assert.Equal(t, []string{"token-user"}, got.Claims["sub"])
	assert.Equal(t, "1", got.Query.Get("room"))
	assert.Equal(t, []string{"x"}, got.Headers["X-App"])
	assert.Equal(t, []string{protocol.JSONReliable, protocol.JSON}, got.Subprotocols)
}

func TestConnectRejected(t *testing.T) {
	for _, status := range []int{400, 401, 500} {
		srv := serveHandler(t, "chat", &eventhandler.Options{
			AccessKeys: []string{testKey},
			OnConnect: func(context.Context, *eventhandler.ConnectRequest, *eventhandler.ConnectResponse) error {
				return eventhandler.Fail(status, "go away\nnow")
			},
		}, nil)
		inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL + "/api/webpubsub/hubs/{hub}")}})
		s, res, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
		var se *upstream.StatusError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "connect", se.Event)
		assert.Equal(t, status, se.Status)
		assert.Equal(t, "go away now", se.Reason, "the answer on one line")
		assert.Equal(t, "chat", se.Hub)
		assert.Equal(t, srv.URL+"/api/webpubsub/hubs/chat", se.URL)
		wantTries := 1
		if status == 500 {
			wantTries = 4 // 5xx is retried, as by the service
		}
		assert.Equal(t, wantTries, se.Tries)
		assert.Nil(t, s)
		assert.Nil(t, res)
	}
}

func TestSignedWithEveryKeyAndCheckedByHandler(t *testing.T) {
	// The handler knows only the secondary key: one matching value suffices.
	srv := serveHandler(t, "chat", &eventhandler.Options{AccessKeys: []string{testKey2}}, nil)
	inv := newInvoker(t, upstream.Config{AccessKeys: []string{testKey, testKey2}, Handlers: []upstream.Handler{allEvents(srv.URL + "/api/webpubsub/hubs/{hub}")}})
	_, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)

	// A handler with other keys refuses the events.
	other := serveHandler(t, "chat", &eventhandler.Options{AccessKeys: []string{"other"}}, nil)
	inv = newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(other.URL + "/api/webpubsub/hubs/{hub}")}})
	_, _, err = inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	var se *upstream.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusUnauthorized, se.Status)
}

func TestSessionCarriesStateAndOrdersAsyncEvents(t *testing.T) {
	var mu sync.Mutex
	var log []string
	record := func(s string) {
		mu.Lock()
		log = append(log, s)
		mu.Unlock()
	}
	disconnected := make(chan *eventhandler.DisconnectedRequest, 1)
	srv := serveHandler(t, "chat", &eventhandler.Options{
		AccessKeys: []string{testKey},
		OnConnect: func(_ context.Context, _ *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
			record("connect")
			return resp.SetState("count", 0)
		},
		OnConnected: func(_ context.Context, req *eventhandler.ConnectedRequest) {
			record("connected")
		},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			n := req.Context.State["count"].(float64) + 1
			record("event")
			if err := resp.SetJSON(map[string]any{"count": n, "sub": req.Context.Subprotocol}); err != nil {
				return err
			}
			return resp.SetState("count", n)
		},
		OnDisconnected: func(_ context.Context, req *eventhandler.DisconnectedRequest) {
			record("disconnected")
			disconnected <- req
		},
	}, nil)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL + "/api/webpubsub/hubs/{hub}")}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1", UserID: "ann", Subprotocol: protocol.JSON})
	require.NoError(t, err)
	s.Connected()
	for i := 1; i <= 3; i++ {
		p, err := s.UserEvent(context.Background(), "count", protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")})
		require.NoError(t, err)
		require.NotNil(t, p)
		assert.Equal(t, protocol.DataTypeJSON, p.Type)
		assert.JSONEq(t, `{"count":`+string(rune('0'+i))+`,"sub":"json.webpubsub.azure.v1"}`, string(p.Data))
	}
	s.Disconnected("client closed")
	d := <-disconnected
	assert.Equal(t, "client closed", d.Reason)
	assert.Equal(t, "ann", d.Context.UserID)
	assert.Equal(t, map[string]any{"count": float64(3)}, d.Context.State)
	inv.Close()
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, "connect", log[0])
	assert.Equal(t, "disconnected", log[len(log)-1])
	assert.Contains(t, log, "connected")
	assert.Len(t, log, 6)
}

func TestUserEventPayloads(t *testing.T) {
	srv := serveHandler(t, "chat", &eventhandler.Options{
		AccessKeys: []string{testKey},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			switch req.Context.EventName {
			case "echo":
				switch req.DataType {
				case eventhandler.DataTypeText:
					resp.SetText(string(req.Data))
				case eventhandler.DataTypeJSON:
					return resp.SetJSON(map[string]any{"echo": string(req.Data)})
				case eventhandler.DataTypeBinary:
					resp.SetBinary(req.Data)
				}
			case "fail":
				return eventhandler.Fail(http.StatusInternalServerError, "cannot do that")
			}
			return nil
		},
	}, nil)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{
		{URLTemplate: srv.URL + "/api/webpubsub/hubs/{hub}", UserEventPattern: "echo, silent ,fail"},
	}})
	s, res, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	assert.Nil(t, res, "connect is not handled")

	cases := []struct {
		in   protocol.Payload
		want protocol.Payload
	}{
		{protocol.Payload{Type: protocol.DataTypeText, Data: []byte("héllo")}, protocol.Payload{Type: protocol.DataTypeText, Data: []byte("héllo")}},
		{protocol.Payload{Type: protocol.DataTypeJSON, Data: []byte(`[1]`)}, protocol.Payload{Type: protocol.DataTypeJSON, Data: []byte(`{"echo":"[1]"}`)}},
		{protocol.Payload{Type: protocol.DataTypeBinary, Data: []byte{0, 1, 2}}, protocol.Payload{Type: protocol.DataTypeBinary, Data: []byte{0, 1, 2}}},
		{protocol.Payload{Type: protocol.DataTypeProtobuf, Data: []byte{9}}, protocol.Payload{Type: protocol.DataTypeBinary, Data: []byte{9}}},
	}
	for _, tc := range cases {
		p, err := s.UserEvent(context.Background(), "echo", tc.in)
		require.NoError(t, err)
		require.NotNil(t, p)
		assert.Equal(t, tc.want, *p)
	}

	p, err := s.UserEvent(context.Background(), "silent", protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")})
	require.NoError(t, err)
	assert.Nil(t, p, "an answer without a body delivers nothing")

	p, err = s.UserEvent(context.Background(), "unlisted", protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")})
	require.NoError(t, err)
	assert.Nil(t, p, "no handler takes the event")

	_, err = s.UserEvent(context.Background(), "fail", protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")})
	var se *upstream.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "fail", se.Event)
	assert.Equal(t, 500, se.Status)
	assert.Equal(t, "cannot do that", se.Reason)
	assert.Equal(t, 4, se.Tries)
	assert.Equal(t, `upstream answered fail event of hub "chat" at `+srv.URL+`/api/webpubsub/hubs/chat with status 500 (after 4 tries): cannot do that`, err.Error())
}
