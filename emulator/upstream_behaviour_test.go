package emulator_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
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

func TestUpstreamAckIDOfASuccessfulEventIsNotSentAgain(t *testing.T) {
	var calls atomic.Int32
	h, err := eventhandler.New("chat", &eventhandler.Options{
		AccessKeys: []string{upstreamKey},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			// The first four calls (one try and three retries) fail.
			if calls.Add(1) <= 4 {
				return eventhandler.Fail(http.StatusServiceUnavailable, "busy")
			}
			return nil
		},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	logger, logs := newLog(slog.LevelDebug)
	e := start(t, emulator.Options{AccessKey: upstreamKey, Logger: logger, Upstream: []emulator.UpstreamHandler{{URLTemplate: srv.URL + "/api/webpubsub/hubs/{hub}", UserEventPattern: "*"}}})
	cl, id := connectJSON(t, e, "chat", auth.Claims{})
	ev := protocol.EventMessage{Event: "e", AckID: ackID(5), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}}

	cl.send(ev)
	a := cl.ack(5)
	require.NotNil(t, a.Error)
	assert.Equal(t, protocol.ErrorInternalServerError, a.Error.Name)
	assert.Equal(t, int32(4), calls.Load(), "a 503 is retried three times")
	logs.waitFor(t, "level=WARN", "upstream call failed; retrying", "connectionId="+id)
	// Why it failed goes to the log: the handler's URL, its status and its
	// answer, and the likely fix.
	logs.waitFor(t, "level=WARN", "user event failed", "connectionId="+id, srv.URL+"/api/webpubsub/hubs/chat", "with 503", "busy", "see its log")
	logs.waitFor(t, "level=DEBUG", "upstream call", "event=e", "status=503")

	cl.send(ev)
	assert.True(t, cl.ack(5).Success, "a failed event can be retried with the same ackId")
	assert.Equal(t, int32(5), calls.Load())

	cl.send(ev)
	a = cl.ack(5)
	require.NotNil(t, a.Error)
	assert.Equal(t, protocol.ErrorDuplicate, a.Error.Name)
	assert.Equal(t, int32(5), calls.Load(), "the upstream is not called again for a processed ackId")
}

func TestUpstreamConnectBodyWithoutCredentials(t *testing.T) {
	got := make(chan *eventhandler.ConnectRequest, 1)
	e := startWithUpstream(t, &eventhandler.Options{
		AccessKeys: []string{upstreamKey},
		OnConnect: func(_ context.Context, req *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
			got <- req
			return nil
		},
	}, emulator.UpstreamHandler{SystemEvents: []string{"connect"}})
	tok := clientToken(t, e, "chat", auth.Claims{Subject: "ann"})
	ws, resp, err := dialWithHeader(wsBase(e)+"/client/hubs/chat?name=ann&access_token="+tok, http.Header{"X-Custom": {"1"}})
	require.NoError(t, err)
	closeBody(resp)
	ws.CloseNow()
	req := <-got
	assert.Equal(t, "ann", req.Query.Get("name"))
	assert.False(t, req.Query.Has("access_token"), "the token is not forwarded")
	assert.Equal(t, []string{"1"}, req.Headers["X-Custom"])
	for k := range req.Headers {
		assert.NotContains(t, []string{"Authorization", "Sec-Websocket-Key", "Connection", "Upgrade"}, k)
	}
	assert.Equal(t, []string{"ann"}, req.Claims["sub"])

	// A token in the Authorization header is not forwarded either.
	ws, resp, err = dialWithHeader(wsBase(e)+"/client/hubs/chat", http.Header{"Authorization": {"Bearer " + tok}})
	require.NoError(t, err)
	closeBody(resp)
	ws.CloseNow()
	req = <-got
	assert.NotContains(t, req.Headers, "Authorization")
}

// dialWithHeader dials u with the JSON subprotocol and extra headers.
func dialWithHeader(u string, h http.Header) (*websocket.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: []string{protocol.JSON}, HTTPHeader: h})
}

func closeBody(resp *http.Response) {
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
}
