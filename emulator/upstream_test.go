package emulator_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

const upstreamKey = "upstream-test-key"

// startWithUpstream runs an eventhandler for hub "chat" in an httptest
// server and an emulator whose upstream is that handler.
func startWithUpstream(t *testing.T, opts *eventhandler.Options, handlers ...emulator.UpstreamHandler) *emulator.Emulator {
	t.Helper()
	if opts == nil || (len(opts.AccessKeys) == 0 && opts.ConnectionString == "") {
		// The handler checks the emulator's signatures (eventhandler.New
		// requires keys).
		o := eventhandler.Options{}
		if opts != nil {
			o = *opts
		}
		o.AccessKeys = []string{upstreamKey}
		opts = &o
	}
	h, err := eventhandler.New("chat", opts)
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	if len(handlers) == 0 {
		handlers = []emulator.UpstreamHandler{{
			URLTemplate:      srv.URL + "/api/webpubsub/hubs/{hub}",
			UserEventPattern: "*",
			SystemEvents:     []string{"connect", "connected", "disconnected"},
		}}
	}
	for i := range handlers {
		if handlers[i].URLTemplate == "" {
			handlers[i].URLTemplate = srv.URL + "/api/webpubsub/hubs/{hub}"
		}
	}
	return start(t, emulator.Options{AccessKey: upstreamKey, Upstream: handlers})
}

// dialStatus dials u and returns the handshake's HTTP status when it fails.
func dialStatus(t *testing.T, u, subprotocol string) int {
	t.Helper()
	status, _ := dialRefused(t, u, subprotocol)
	return status
}

// dialRefused dials u and returns the handshake's HTTP status and body when
// it fails.
func dialRefused(t *testing.T, u, subprotocol string) (int, string) {
	t.Helper()
	ws, resp, err := dialRaw(u, subprotocol)
	if err == nil {
		ws.CloseNow()
		t.Fatalf("connection to %s was accepted", u)
	}
	require.NotNil(t, resp, "handshake error without response: %v", err)
	var body []byte
	if resp.Body != nil {
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	return resp.StatusCode, string(body)
}

// deadURL returns the URL of an upstream that accepts TCP connections and
// closes them at once, so every call to it fails at the transport. Unlike the
// port of a closed server, its port cannot be taken over by another test's
// server while the test runs.
func deadURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return "http://" + ln.Addr().String()
}

func TestUpstreamEndToEnd(t *testing.T) {
	connected := make(chan *eventhandler.ConnectedRequest, 4)
	disconnected := make(chan *eventhandler.DisconnectedRequest, 4)
	e := startWithUpstream(t, &eventhandler.Options{
		AccessKeys:       []string{upstreamKey},
		AllowedEndpoints: []string{"127.0.0.1"},
		OnConnect: func(_ context.Context, req *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
			name := req.Query.Get("name")
			if name == "mallory" {
				return eventhandler.Fail(http.StatusUnauthorized, "mallory is not welcome")
			}
			resp.UserID = name
			resp.Groups = []string{"lobby"}
			resp.Roles = []string{protocol.RoleSendToGroup}
			return resp.SetState("count", 0)
		},
		OnConnected:    func(_ context.Context, req *eventhandler.ConnectedRequest) { connected <- req },
		OnDisconnected: func(_ context.Context, req *eventhandler.DisconnectedRequest) { disconnected <- req },
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			switch req.Context.EventName {
			case "count":
				n := req.Context.State["count"].(float64) + 1
				resp.SetText(req.Context.UserID + " " + string(req.Data) + " " + strconv.Itoa(int(n)))
				return resp.SetState("count", n)
			case "json":
				return resp.SetJSON(map[string]any{"echo": string(req.Data)})
			case "fail":
				return eventhandler.Fail(http.StatusInternalServerError, "the handler broke")
			case "refuse":
				return eventhandler.Fail(http.StatusBadRequest, "the handler refused")
			case "forbid":
				return eventhandler.Fail(http.StatusForbidden, "not for you")
			}
			return nil
		},
	})

	t.Run("connect rejected", func(t *testing.T) {
		status := dialStatus(t, clientURL(t, e, "chat", auth.Claims{})+"&name=mallory", protocol.JSON)
		assert.Equal(t, http.StatusUnauthorized, status)
	})

	cl := dial(t, clientURL(t, e, "chat", auth.Claims{Subject: "token-user"})+"&name=ann", protocol.JSON)
	cm := cl.connected()
	assert.Equal(t, "ann", cm.UserID, "the upstream set the user")

	select {
	case c := <-connected:
		assert.Equal(t, cm.ConnectionID, c.Context.ConnectionID)
		assert.Equal(t, "ann", c.Context.UserID)
		assert.Equal(t, protocol.JSON, c.Context.Subprotocol)
		assert.Equal(t, map[string]any{"count": float64(0)}, c.Context.State, "state set on connect")
	case <-time.After(10 * time.Second):
		t.Fatal("connected event not observed")
	}

	// The upstream's group was joined and its role granted.
	r := call(t, e, http.MethodPost, "/api/hubs/chat/groups/lobby/:send", "text/plain", []byte("to lobby"))
	require.Equal(t, http.StatusAccepted, r.status, r.body)
	assert.Equal(t, "to lobby", cl.groupText("lobby"))
	cl.send(protocol.SendToGroupMessage{Group: "elsewhere", AckID: ackID(1), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}})
	assert.True(t, cl.ack(1).Success, "the upstream granted webpubsub.sendToGroup")

	// User events are answered (the answer before the ack, as the service)
	// and carry the state across events.
	for i := 1; i <= 2; i++ {
		cl.send(protocol.EventMessage{Event: "count", AckID: ackID(uint64(10 + i)), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("hi")}})
		assert.Equal(t, "ann hi "+strconv.Itoa(i), cl.serverText())
		assert.True(t, cl.ack(uint64(10+i)).Success)
	}
	cl.send(protocol.EventMessage{Event: "json", Data: protocol.Payload{Type: protocol.DataTypeJSON, Data: []byte(`{"a":1}`)}})
	m := cl.next()
	sm, ok := m.(protocol.ServerDataMessage)
	require.True(t, ok, "want server message, got %#v", m)
	assert.Equal(t, protocol.DataTypeJSON, sm.Data.Type)
	assert.JSONEq(t, `{"echo":"{\"a\":1}"}`, string(sm.Data.Data))

	// Any non-2xx answer fails the event with the service's generic words:
	// the handler's text is for the log and the trace, not the client.
	for id, event := range map[uint64]string{20: "fail", 21: "refuse", 22: "forbid"} {
		cl.send(protocol.EventMessage{Event: event, AckID: ackID(id), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}})
		assert.Equal(t, protocol.AckMessage{AckID: id, Error: &protocol.AckError{Name: "InternalServerError", Message: "Internal server error"}}, cl.ack(id), event)
	}
	// A failed event may be retried with the same ackId.
	cl.send(protocol.EventMessage{Event: "json", AckID: ackID(20), Data: protocol.Payload{Type: protocol.DataTypeJSON, Data: []byte(`1`)}})
	cl.next() // the answer
	assert.True(t, cl.ack(20).Success)

	require.NoError(t, cl.ws.Close(websocket.StatusNormalClosure, "bye"))
	select {
	case d := <-disconnected:
		assert.Equal(t, cm.ConnectionID, d.Context.ConnectionID)
		assert.Equal(t, "ann", d.Context.UserID)
		assert.Equal(t, map[string]any{"count": float64(2)}, d.Context.State, "state carried to disconnected")
	case <-time.After(10 * time.Second):
		t.Fatal("disconnected event not observed")
	}
}

func TestUpstreamSimpleWebSocket(t *testing.T) {
	e := startWithUpstream(t, &eventhandler.Options{
		AccessKeys: []string{upstreamKey},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			if req.Context.EventName != protocol.UserEventMessage {
				return errors.New("unexpected event " + req.Context.EventName)
			}
			if req.DataType == eventhandler.DataTypeBinary {
				resp.SetBinary(append([]byte{0xee}, req.Data...))
				return nil
			}
			resp.SetText("echo:" + string(req.Data))
			return nil
		},
	}, emulator.UpstreamHandler{Hub: "chat", UserEventPattern: "message"})
	cl := dial(t, clientURL(t, e, "chat", auth.Claims{}), "")
	cl.sendRaw(websocket.MessageText, []byte("ping"))
	typ, data := cl.read()
	assert.Equal(t, websocket.MessageText, typ)
	assert.Equal(t, "echo:ping", string(data))
	cl.sendRaw(websocket.MessageBinary, []byte{1, 2})
	typ, data = cl.read()
	assert.Equal(t, websocket.MessageBinary, typ)
	assert.Equal(t, []byte{0xee, 1, 2}, data)
}

func TestUpstreamFailuresRefuseConnections(t *testing.T) {
	t.Run("origin not allowed by the upstream", func(t *testing.T) {
		e := startWithUpstream(t, &eventhandler.Options{AccessKeys: []string{upstreamKey}, AllowedEndpoints: []string{"service.example"}},
			emulator.UpstreamHandler{SystemEvents: []string{"connect"}})
		assert.Equal(t, http.StatusInternalServerError, dialStatus(t, clientURL(t, e, "chat", auth.Claims{}), protocol.JSON))
	})
	t.Run("signature made with another key", func(t *testing.T) {
		e := startWithUpstream(t, &eventhandler.Options{AccessKeys: []string{"not-the-emulator-key"}},
			emulator.UpstreamHandler{SystemEvents: []string{"connect"}})
		assert.Equal(t, http.StatusUnauthorized, dialStatus(t, clientURL(t, e, "chat", auth.Claims{}), protocol.JSON))
	})
	t.Run("unreachable upstream", func(t *testing.T) {
		dead := deadURL(t)
		e := start(t, emulator.Options{Upstream: []emulator.UpstreamHandler{{URLTemplate: dead + "/events/{hub}?code=function-key", SystemEvents: []string{"connect"}}}})
		status, body := dialRefused(t, clientURL(t, e, "chat", auth.Claims{}), protocol.JSON)
		assert.Equal(t, http.StatusInternalServerError, status)
		// The refused handshake's body, where the service fixes no text,
		// names the handler (its query values redacted) and the hub.
		assert.Contains(t, body, dead+"/events/chat?code=")
		assert.Contains(t, body, `hub "chat"`)
		assert.NotContains(t, body, "function-key")
	})
	t.Run("invalid configuration", func(t *testing.T) {
		_, err := emulator.New(&emulator.Options{Upstream: []emulator.UpstreamHandler{{URLTemplate: "not a url", SystemEvents: []string{"connect"}}}})
		require.ErrorContains(t, err, "invalid upstream configuration")
	})
	t.Run("other hubs are not sent upstream", func(t *testing.T) {
		e := startWithUpstream(t, &eventhandler.Options{OnConnect: func(context.Context, *eventhandler.ConnectRequest, *eventhandler.ConnectResponse) error {
			return eventhandler.Fail(http.StatusUnauthorized, "no")
		}}, emulator.UpstreamHandler{Hub: "chat", SystemEvents: []string{"connect"}})
		cl := dial(t, clientURL(t, e, "other", auth.Claims{}), protocol.JSON)
		cl.connected()
		assert.Equal(t, http.StatusUnauthorized, dialStatus(t, clientURL(t, e, "chat", auth.Claims{}), protocol.JSON))
	})
}

func TestUpstreamChoosesSubprotocol(t *testing.T) {
	e := startWithUpstream(t, &eventhandler.Options{
		OnConnect: func(_ context.Context, req *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
			resp.Subprotocol = req.Query.Get("pick")
			return nil
		},
	}, emulator.UpstreamHandler{SystemEvents: []string{"connect"}})
	base := clientURL(t, e, "chat", auth.Claims{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, base+"&pick="+url.QueryEscape(protocol.JSON), &websocket.DialOptions{Subprotocols: []string{protocol.JSONReliable, protocol.JSON}})
	require.NoError(t, err)
	if resp.Body != nil {
		resp.Body.Close()
	}
	defer ws.CloseNow()
	assert.Equal(t, protocol.JSON, ws.Subprotocol(), "the upstream's choice wins over the emulator's preference")

	assert.Equal(t, http.StatusInternalServerError, dialStatus(t, base+"&pick=mqtt", protocol.JSON), "a subprotocol the client did not offer is refused")
}

func TestUpstreamUserEventFailureIsGenericForTheClient(t *testing.T) {
	dead := deadURL(t)
	e := startWithUpstream(t, &eventhandler.Options{AccessKeys: []string{upstreamKey}},
		emulator.UpstreamHandler{SystemEvents: []string{"connect", "connected", "disconnected"}},
		emulator.UpstreamHandler{URLTemplate: dead + "/secret-path/{event}", UserEventPattern: "*"})
	cl := dial(t, clientURL(t, e, "chat", auth.Claims{}), protocol.JSON)
	cl.connected()
	cl.send(protocol.EventMessage{Event: "hello", AckID: ackID(1), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}})
	a := cl.ack(1)
	assert.False(t, a.Success)
	require.NotNil(t, a.Error)
	assert.Equal(t, protocol.ErrorInternalServerError, a.Error.Name)
	assert.Equal(t, "Internal server error", a.Error.Message, "the upstream's address is not revealed")
}
