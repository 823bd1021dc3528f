package eventhandler

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

const testPath = "/api/webpubsub/hubs/chat/"

func TestNewValidatesOptions(t *testing.T) {
	_, err := New("1bad", nil)
	assert.ErrorContains(t, err, "hub")
	_, err = New(testHub, &Options{AccessKeys: []string{testKey}, Path: "relative"})
	assert.ErrorContains(t, err, "must start with /")
	_, err = New(testHub, &Options{AccessKeys: []string{testKey}, MaxBodyBytes: -1})
	assert.ErrorContains(t, err, "MaxBodyBytes")
	_, err = New(testHub, &Options{AccessKeys: []string{""}})
	assert.ErrorContains(t, err, "access key 0 is empty")
	_, err = New(testHub, &Options{AccessKeys: []string{testKey}, AllowedEndpoints: []string{"https://"}})
	assert.ErrorContains(t, err, "allowed endpoint")

	_, err = New(testHub, &Options{ConnectionString: "Endpoint=https://x.example;AccessKey=s3cr3t-key;Version=2.0"})
	assert.ErrorContains(t, err, "Version")
	assert.NotContains(t, err.Error(), "s3cr3t-key")

	h, err := New(testHub, &Options{AccessKeys: []string{testKey}})
	require.NoError(t, err)
	assert.Equal(t, testPath, h.Path())
	assert.Equal(t, testHub, h.Hub())
	h, err = New(testHub, &Options{AccessKeys: []string{testKey}, Path: "/hooks"})
	require.NoError(t, err)
	assert.Equal(t, "/hooks", h.Path())
}

func TestConnectAcceptsWithProperties(t *testing.T) {
	var got *ConnectRequest
	h, err := New(testHub, &Options{
		AccessKeys: []string{testKey},
		OnConnect: func(_ context.Context, req *ConnectRequest, resp *ConnectResponse) error {
			got = req
			resp.UserID = req.Query.Get("name")
			resp.Groups = []string{"lobby"}
			resp.Roles = []string{protocol.RoleSendToGroup}
			resp.Subprotocol = protocol.JSON
			return resp.SetState("visits", 1)
		},
	})
	require.NoError(t, err)
	srv := newServer(t, h)
	body, err := json.Marshal(protocol.ConnectRequest{
		Claims:             map[string][]string{"sub": {"ann"}},
		Query:              map[string][]string{"name": {"ann"}},
		Headers:            map[string][]string{"X-Test": {"1"}},
		Subprotocols:       []string{protocol.JSON, protocol.JSONReliable},
		ClientCertificates: []protocol.ClientCertificate{{Thumbprint: "abc"}},
	})
	require.NoError(t, err)
	resp := send(t, srv, testPath, event{ceType: protocol.EventTypeConnect, userID: "ann", contentType: protocol.ContentTypeJSON, body: body})
	raw := readBody(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode, raw)
	assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"), "as the express handler answers")
	var out protocol.ConnectResponse
	require.NoError(t, json.Unmarshal([]byte(raw), &out))
	assert.Equal(t, protocol.ConnectResponse{UserID: "ann", Groups: []string{"lobby"}, Roles: []string{protocol.RoleSendToGroup}, Subprotocol: protocol.JSON}, out)
	assert.Equal(t, map[string]any{"visits": float64(1)}, decodeStateHeader(t, resp.Header.Get(protocol.HeaderConnectionState)))

	require.NotNil(t, got)
	assert.Equal(t, ConnectionContext{Hub: testHub, ConnectionID: testConnID, EventName: "connect", Origin: testOrigin, UserID: "ann", ClientProtocol: ClientProtocolDefault, State: map[string]any{}}, got.Context)
	assert.Equal(t, []string{"ann"}, got.Claims["sub"])
	assert.Equal(t, []string{"1"}, got.Headers["X-Test"])
	assert.Equal(t, []string{protocol.JSON, protocol.JSONReliable}, got.Subprotocols)
	assert.Equal(t, []ClientCertificate{{Thumbprint: "abc"}}, got.ClientCertificates)
}

func TestConnectionStringKeyChecksSignatures(t *testing.T) {
	h, err := New(testHub, &Options{ConnectionString: "Endpoint=https://demo.webpubsub.azure.com;AccessKey=" + testKey2 + ";Version=1.0;"})
	require.NoError(t, err)
	srv := newServer(t, h)
	resp := send(t, srv, testPath, event{ceType: protocol.EventTypeConnect, signature: protocol.Signature(testConnID, testKey2)})
	readBody(t, resp)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp = send(t, srv, testPath, event{ceType: protocol.EventTypeConnect}) // signed with testKey
	readBody(t, resp)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

func TestConnectWithoutChangesAnswers204(t *testing.T) {
	for name, opts := range map[string]*Options{
		"no callback":   {AccessKeys: []string{testKey}},
		"callback noop": {AccessKeys: []string{testKey}, OnConnect: func(context.Context, *ConnectRequest, *ConnectResponse) error { return nil }},
	} {
		t.Run(name, func(t *testing.T) {
			h, err := New(testHub, opts)
			require.NoError(t, err)
			srv := newServer(t, h)
			resp := send(t, srv, testPath, event{ceType: protocol.EventTypeConnect, body: []byte(`{}`)})
			assert.Empty(t, readBody(t, resp))
			assert.Equal(t, http.StatusNoContent, resp.StatusCode)
			assert.Empty(t, resp.Header.Get(protocol.HeaderConnectionState))
		})
	}
}

func TestConnectRejects(t *testing.T) {
	cases := []struct {
		name       string
		err        error
		wantStatus int
		wantReason string
	}{
		{"unauthorized", Fail(http.StatusUnauthorized, "who are you"), 401, "who are you"},
		{"bad request", Fail(http.StatusBadRequest, "no name"), 400, "no name"},
		{"wrapped status", errors.Join(errors.New("x"), Fail(http.StatusUnauthorized, "inner")), 401, "inner"},
		{"status out of range", Fail(302, "weird"), 500, "weird"},
		{"plain error", errors.New("database down at db.internal:5432"), 500, "the event handler failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := newTestLogger()
			h, err := New(testHub, &Options{AccessKeys: []string{testKey}, Logger: logger, OnConnect: func(_ context.Context, _ *ConnectRequest, resp *ConnectResponse) error {
				resp.UserID = "ignored"
				return tc.err
			}})
			require.NoError(t, err)
			srv := newServer(t, h)
			resp := send(t, srv, testPath, event{ceType: protocol.EventTypeConnect})
			assert.Equal(t, tc.wantReason, readBody(t, resp), "the reason is the whole body, as express answers")
			assert.Empty(t, resp.Header.Get("Content-Type"))
			assert.Equal(t, tc.wantStatus, resp.StatusCode)
			var se *StatusError
			if !errors.As(tc.err, &se) {
				assert.Contains(t, logs.String(), "database down at db.internal:5432", "the error's text is logged, not sent")
				assert.Contains(t, logs.String(), "connectionId="+testConnID)
			} else {
				assert.Empty(t, logs.String(), "a StatusError is an answer, not a failure to log")
			}
		})
	}
}

func TestConnectedAndDisconnectedAreObserved(t *testing.T) {
	connected := make(chan *ConnectedRequest, 1)
	disconnected := make(chan *DisconnectedRequest, 1)
	h, err := New(testHub, &Options{
		AccessKeys:     []string{testKey},
		OnConnected:    func(_ context.Context, req *ConnectedRequest) { connected <- req },
		OnDisconnected: func(_ context.Context, req *DisconnectedRequest) { disconnected <- req },
	})
	require.NoError(t, err)
	srv := newServer(t, h)
	state := stateHeader(t, map[string]any{"n": "x"})

	resp := send(t, srv, testPath, event{ceType: protocol.EventTypeConnected, userID: "ann", state: state})
	readBody(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	c := <-connected
	assert.Equal(t, "connected", c.Context.EventName)
	assert.Equal(t, "ann", c.Context.UserID)
	assert.Equal(t, map[string]any{"n": "x"}, c.Context.State)

	resp = send(t, srv, testPath, event{ceType: protocol.EventTypeDisconnected, contentType: protocol.ContentTypeJSON, body: []byte(`{"reason":"closed by client"}`)})
	readBody(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	d := <-disconnected
	assert.Equal(t, "disconnected", d.Context.EventName)
	assert.Equal(t, "closed by client", d.Reason)
}

func TestUserEventAnswers(t *testing.T) {
	logger, logs := newTestLogger()
	h, err := New(testHub, &Options{
		AccessKeys: []string{testKey},
		Logger:     logger,
		OnUserEvent: func(_ context.Context, req *UserEventRequest, resp *UserEventResponse) error {
			switch req.Context.EventName {
			case "echo":
				switch req.DataType {
				case DataTypeText:
					resp.SetText("text:" + string(req.Data))
				case DataTypeJSON:
					return resp.SetJSON(map[string]any{"got": json.RawMessage(req.Data)})
				case DataTypeBinary:
					resp.SetBinary(append([]byte{0xff}, req.Data...))
				}
			case "silent":
			case "boom":
				return errors.New("handler failed")
			case "denied":
				return Fail(http.StatusForbidden, "not for you")
			case "badjson":
				return resp.SetJSON(func() {})
			}
			return nil
		},
	})
	require.NoError(t, err)
	srv := newServer(t, h)
	cases := []struct {
		name, event, contentType, body string
		wantStatus                     int
		wantType, wantBody             string
	}{
		{"text", "echo", "text/plain; charset=utf-8", "hi", 200, "text/plain; charset=utf-8", "text:hi"},
		{"json", "echo", "application/json", `{"a":1}`, 200, "application/json; charset=utf-8", `{"got":{"a":1}}`},
		{"binary", "echo", "application/octet-stream", "\x01\x02", 200, "application/octet-stream", "\xff\x01\x02"},
		{"no content type is binary", "echo", "", "\x01", 200, "application/octet-stream", "\xff\x01"},
		{"no answer", "silent", "text/plain", "x", 204, "", ""},
		// Refusals are answered as express answers fail(status, reason).
		{"error", "boom", "text/plain", "x", 500, "", "the event handler failed"},
		{"status error", "denied", "text/plain", "x", 403, "", "not for you"},
		{"unencodable answer", "badjson", "text/plain", "x", 500, "", "the event handler failed"},
		{"unsupported content type", "echo", "image/png", "x", 415, "text/plain; charset=utf-8", "unsupported content type of user event; use text/plain, application/json, application/octet-stream or application/x-protobuf\n"},
		{"invalid json", "echo", "application/json", "{", 400, "text/plain; charset=utf-8", "user event body is not valid JSON\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := send(t, srv, testPath, event{ceType: protocol.EventTypeUserPrefix + tc.event, contentType: tc.contentType, body: []byte(tc.body)})
			assert.Equal(t, tc.wantBody, readBody(t, resp))
			assert.Equal(t, tc.wantStatus, resp.StatusCode)
			assert.Equal(t, tc.wantType, resp.Header.Get("Content-Type"))
		})
	}
	assert.Contains(t, logs.String(), "handler failed", "callback errors are logged")
	assert.Contains(t, logs.String(), "response is not JSON-encodable")
}

func TestUserEventWithoutCallbackAnswers204(t *testing.T) {
	h, err := New(testHub, &Options{AccessKeys: []string{testKey}})
	require.NoError(t, err)
	srv := newServer(t, h)
	resp := send(t, srv, testPath, event{ceType: protocol.EventTypeUserPrefix + "message", contentType: "text/plain", body: []byte("hi")})
	readBody(t, resp)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
}

func TestStateIsReadAndUpdated(t *testing.T) {
	logger, logs := newTestLogger()
	h, err := New(testHub, &Options{AccessKeys: []string{testKey},
		Logger: logger,
		OnUserEvent: func(_ context.Context, req *UserEventRequest, resp *UserEventResponse) error {
			switch string(req.Data) {
			case "count":
				n, _ := req.Context.State["count"].(float64)
				if err := resp.SetState("count", n+1); err != nil {
					return err
				}
				resp.DeleteState("drop")
				// The request's view is not changed by SetState.
				if _, ok := req.Context.State["drop"]; !ok {
					return errors.New("request state changed")
				}
			case "clear":
				resp.ClearState()
			case "bad":
				return resp.SetState("f", func() {})
			}
			return nil
		},
	})
	require.NoError(t, err)
	srv := newServer(t, h)
	user := protocol.EventTypeUserPrefix + "message"

	resp := send(t, srv, testPath, event{ceType: user, contentType: "text/plain", body: []byte("count"),
		state: stateHeader(t, map[string]any{"count": 2, "drop": true, "keep": map[string]any{"a": "b"}})})
	readBody(t, resp)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, map[string]any{"count": float64(3), "keep": map[string]any{"a": "b"}}, decodeStateHeader(t, resp.Header.Get(protocol.HeaderConnectionState)))

	resp = send(t, srv, testPath, event{ceType: user, contentType: "text/plain", body: []byte("clear"), state: stateHeader(t, map[string]any{"a": 1})})
	readBody(t, resp)
	assert.Equal(t, map[string]any{}, decodeStateHeader(t, resp.Header.Get(protocol.HeaderConnectionState)))

	resp = send(t, srv, testPath, event{ceType: user, contentType: "text/plain", body: []byte("untouched"), state: stateHeader(t, map[string]any{"a": 1})})
	readBody(t, resp)
	assert.Empty(t, resp.Header.Get(protocol.HeaderConnectionState), "unchanged state is not echoed")

	resp = send(t, srv, testPath, event{ceType: user, contentType: "text/plain", body: []byte("bad")})
	assert.Equal(t, "the event handler failed", readBody(t, resp))
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Contains(t, logs.String(), `state \"f\" is not JSON-encodable`)
}

func TestRegisterServesPathWithoutTrailingSlash(t *testing.T) {
	h, err := New(testHub, &Options{AccessKeys: []string{testKey}})
	require.NoError(t, err)
	srv := newServer(t, h)
	for _, p := range []string{"/api/webpubsub/hubs/chat", "/api/webpubsub/hubs/chat/"} {
		resp := send(t, srv, p, event{ceType: protocol.EventTypeConnect})
		readBody(t, resp)
		assert.Equal(t, http.StatusNoContent, resp.StatusCode, p)
	}
}

func TestOtherMethodsAreRejected(t *testing.T) {
	h, err := New(testHub, &Options{AccessKeys: []string{testKey}})
	require.NoError(t, err)
	srv := newServer(t, h)
	resp, err := srv.Client().Get(srv.URL + testPath)
	require.NoError(t, err)
	readBody(t, resp)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "OPTIONS, POST", resp.Header.Get("Allow"))
}

func TestRegisterCoexistsWithCatchAllRoute(t *testing.T) {
	h, err := New(testHub, &Options{AccessKeys: []string{testKey}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "page") })
	require.NotPanics(t, func() { h.Register(mux) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	resp := send(t, srv, testPath, event{ceType: protocol.EventTypeConnect})
	readBody(t, resp)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode, "POST reaches the event handler")

	get, err := srv.Client().Get(srv.URL + "/")
	require.NoError(t, err)
	assert.Equal(t, "page", readBody(t, get), "GET / still reaches the page")
}
