package interop

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

// TestJSEventFailsAsTheService: the JS client's sendEvent fails with the
// service's InternalServerError "Internal server error" when no handler of
// the hub takes the event and when the handler answers a status that is
// not 2xx (its own text stays with the emulator's log); an answered event
// delivers the answer before the ack. (#20.6)
func TestJSEventFailsAsTheService(t *testing.T) {
	requireNode(t)
	ctx := testCtx(t, scriptDeadline)
	h, err := eventhandler.New("chat", &eventhandler.Options{AccessKeys: []string{testKey},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			if req.Context.EventName == "refused" {
				return eventhandler.Fail(http.StatusConflict, "the handler's own reason")
			}
			resp.SetText("answer to " + req.Context.EventName)
			return nil
		}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	up := httptest.NewServer(mux)
	t.Cleanup(up.Close)
	e := emulatortest.New(t, &emulator.Options{AccessKey: testKey, Upstream: []emulator.UpstreamHandler{
		{Hub: "chat", URLTemplate: up.URL + h.Path(), UserEventPattern: "answered,refused"},
	}})
	js := startNode(t, "client.js")
	js.must(ctx, "new", map[string]any{"url": e.ClientURL("chat", nil), "protocol": "json.reliable"}, nil)
	js.must(ctx, "start", nil, nil)

	js.must(ctx, "sendEvent", map[string]any{"event": "answered", "data": "x", "dataType": "text"}, nil)
	js.mustEvent(ctx, "server-message", withText("answer to answered"))

	for _, event := range []string{"unhandled", "refused"} {
		_, err := js.call(ctx, "sendEvent", map[string]any{"event": event, "data": "x", "dataType": "text"})
		var je *jsError
		require.ErrorAs(t, err, &je, event)
		assert.Equal(t, "SendMessageError", je.Name, event)
		var detail struct{ Name, Message string }
		require.NoError(t, json.Unmarshal(je.ErrorDetail, &detail), "%s: %s", event, je.ErrorDetail)
		assert.Equal(t, "InternalServerError", detail.Name, event)
		assert.Equal(t, "Internal server error", detail.Message, event)
	}
}

// TestWSNegotiatesSubprotocolsIgnoringCase: the ws package under the JS
// client accepts only an answer that is exactly one of the subprotocols it
// asked for; the emulator negotiates them ignoring case and answers with
// the client's spelling. (#20.10)
func TestWSNegotiatesSubprotocolsIgnoringCase(t *testing.T) {
	requireNode(t)
	ctx := testCtx(t, scriptDeadline)
	e := emulatortest.New(t, &emulator.Options{AccessKey: testKey})
	js := startNode(t, "client.js")
	var r struct {
		Protocol string `json:"protocol"`
		Frame    string `json:"frame"`
	}
	js.must(ctx, "rawSocket", map[string]any{"url": e.ClientURL("chat", nil), "protocols": []string{"JSON.Reliable.WebPubSub.Azure.V1"}}, &r)
	assert.Equal(t, "JSON.Reliable.WebPubSub.Azure.V1", r.Protocol)
	assert.Contains(t, r.Frame, `"event":"connected"`)
	assert.Contains(t, r.Frame, `"reconnectionToken"`, "the reliable subprotocol")
}

// TestJSClientAcceptedByA202Connect: a connect handler that answers 202
// accepts the JS client with its answer, as the service does. (#20.10)
func TestJSClientAcceptedByA202Connect(t *testing.T) {
	requireNode(t)
	ctx := testCtx(t, scriptDeadline)
	connect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Set("WebHook-Allowed-Origin", "*")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"userId":"set-by-202"}`))
	}))
	t.Cleanup(connect.Close)
	e := emulatortest.New(t, &emulator.Options{AccessKey: testKey, Upstream: []emulator.UpstreamHandler{
		{Hub: "chat", URLTemplate: connect.URL + "/{event}", SystemEvents: []string{"connect"}},
	}})
	js := startNode(t, "client.js")
	u := goToken(t, e.ConnectionString(), "chat", webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "from-token"}).URL
	js.must(ctx, "new", map[string]any{"url": u, "protocol": "json"}, nil)
	js.must(ctx, "start", nil, nil)
	c := js.mustEvent(ctx, "connected", nil)
	assert.Equal(t, "set-by-202", c.str("userId"))
	assert.False(t, strings.Contains(string(c.Raw), "from-token"))
}
