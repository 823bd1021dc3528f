package interop

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

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

// previewEnv is an emulator whose upstream is our event handler, with a JS
// client (client.js) started and connected.
type previewEnv struct {
	e  *emulatortest.Server
	js *nodeProc
}

var previewRoles = []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"}

func newPreviewEnv(t *testing.T, ctx context.Context, onEvent func(context.Context, *eventhandler.UserEventRequest, *eventhandler.UserEventResponse) error) *previewEnv {
	t.Helper()
	const hub = "chat"
	opts := emulator.Options{AccessKey: testKey}
	if onEvent != nil {
		h, err := eventhandler.New(hub, &eventhandler.Options{AccessKeys: []string{testKey}, OnUserEvent: onEvent})
		require.NoError(t, err)
		mux := http.NewServeMux()
		h.Register(mux)
		up := httptest.NewServer(mux)
		t.Cleanup(up.Close)
		opts.Upstream = []emulator.UpstreamHandler{{Hub: hub, URLTemplate: up.URL + h.Path(), UserEventPattern: "*"}}
	}
	e := emulatortest.New(t, &opts)
	js := startNode(t, "client.js")
	u := goToken(t, e.ConnectionString(), hub, webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "js-user", Roles: previewRoles}).URL
	js.must(ctx, "new", map[string]any{"url": u, "protocol": "json.reliable"}, nil)
	js.must(ctx, "start", nil, nil)
	js.mustEvent(ctx, "connected", nil)
	return &previewEnv{e: e, js: js}
}

func (v *previewEnv) goClient(t *testing.T, ctx context.Context) *client.Client {
	t.Helper()
	u := goToken(t, v.e.ConnectionString(), "chat", webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "go-user", Roles: previewRoles}).URL
	return newGoClient(t, u, fastGoOptions(client.ProtocolJSONReliable)).Client
}

// TestJSInvokeEventAnsweredByGoEventHandler: @azure/web-pubsub-client's
// invokeEvent through the emulator, answered by our eventhandler upstream.
func TestJSInvokeEventAnsweredByGoEventHandler(t *testing.T) {
	requireNode(t)
	ctx := testCtx(t, scriptDeadline)
	v := newPreviewEnv(t, ctx, func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
		switch req.Context.EventName {
		case "processOrder":
			var order struct{ OrderID int }
			if err := json.Unmarshal(req.Data, &order); err != nil {
				return err
			}
			return resp.SetJSON(map[string]any{"orderId": order.OrderID, "status": "accepted", "by": req.Context.UserID})
		case "greet":
			resp.SetText("hello " + string(req.Data))
			return nil
		case "reject":
			return &eventhandler.StatusError{Status: http.StatusBadRequest, Reason: "no such order"}
		}
		return nil
	})

	var res struct {
		InvocationID string          `json:"invocationId"`
		DataType     string          `json:"dataType"`
		Data         json.RawMessage `json:"data"`
	}
	v.js.must(ctx, "invokeEvent", map[string]any{"event": "processOrder", "data": map[string]int{"orderId": 7}, "dataType": "json"}, &res)
	assert.Equal(t, "1", res.InvocationID)
	assert.Equal(t, "json", res.DataType)
	assert.JSONEq(t, `{"orderId":7,"status":"accepted","by":"js-user"}`, string(res.Data))

	v.js.must(ctx, "invokeEvent", map[string]any{"event": "greet", "data": "js", "dataType": "text", "invocationId": "custom"}, &res)
	assert.Equal(t, "custom", res.InvocationID)
	assert.Equal(t, "text", res.DataType)
	assert.Equal(t, `"hello js"`, string(res.Data))

	_, err := v.js.call(ctx, "invokeEvent", map[string]any{"event": "reject", "data": "x", "dataType": "text"})
	var je *jsError
	require.ErrorAs(t, err, &je)
	assert.Equal(t, "InvocationError", je.Name)
	assert.Equal(t, "Internal server error", je.Message, "the service's generic words, never the upstream's")
}

// TestJSGroupStreamReadByGoReceiver: a JS openGroupStream read by the Go
// client's SubscribeGroupStreams, ended and aborted.
func TestJSGroupStreamReadByGoReceiver(t *testing.T) {
	requireNode(t)
	ctx := testCtx(t, scriptDeadline)
	v := newPreviewEnv(t, ctx, nil)
	gc := v.goClient(t, ctx)
	sub := gc.SubscribeGroupStreams(nil)
	t.Cleanup(sub.Close)
	_, err := gc.JoinGroup(ctx, "g", nil)
	require.NoError(t, err)

	v.js.must(ctx, "streamToGroup", map[string]any{"group": "g", "streamId": "js-1", "dataType": "text", "fragments": []string{"a", "b", "c"}}, nil)
	gs, err := sub.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, "js-1", gs.StreamID)
	assert.Equal(t, "js-user", gs.FromUserID)
	var got []string
	for f, err := range gs.Fragments(ctx) {
		require.NoError(t, err)
		got = append(got, string(f.Data))
	}
	assert.Equal(t, []string{"a", "b", "c"}, got)

	v.js.must(ctx, "streamToGroup", map[string]any{"group": "g", "streamId": "js-2", "dataType": "json", "fragments": []any{map[string]int{"n": 1}},
		"abort": map[string]string{"message": "producer crashed", "userErrorCode": "P1"}}, nil)
	gs, err = sub.Next(ctx)
	require.NoError(t, err)
	f, err := gs.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, client.DataTypeJSON, f.DataType)
	assert.JSONEq(t, `{"n":1}`, string(f.Data))
	_, err = gs.Next(ctx)
	var se *client.StreamError
	require.ErrorAs(t, err, &se)
	// The name the JS client's live streaming test expects of the service.
	assert.Equal(t, client.StreamError{Name: "UserError", Message: "producer crashed", UserErrorCode: "P1"}, *se)
}

// TestGoGroupStreamReadByJSOnGroupStream: the Go client's OpenGroupStream
// read by the JS client's onGroupStream, ended and aborted.
func TestGoGroupStreamReadByJSOnGroupStream(t *testing.T) {
	requireNode(t)
	ctx := testCtx(t, scriptDeadline)
	v := newPreviewEnv(t, ctx, nil)
	v.js.must(ctx, "joinGroup", map[string]any{"group": "g"}, nil)
	v.js.must(ctx, "onGroupStream", map[string]any{}, nil)
	gc := v.goClient(t, ctx)

	w, err := gc.OpenGroupStream(ctx, "g", &client.OpenGroupStreamOptions{StreamID: "go-1"})
	require.NoError(t, err)
	for _, s := range []string{"x", "y", "z"} {
		require.NoError(t, w.Write(ctx, client.Text(s)))
	}
	require.NoError(t, w.End(ctx))
	open := v.js.mustEvent(ctx, "stream-open", nil)
	assert.Equal(t, "go-1", open.str("streamId"))
	assert.Equal(t, "g", open.str("group"))
	end := v.js.mustEvent(ctx, "stream-end", func(e event) bool { return e.str("streamId") == "go-1" })
	_, hasErr := end.Fields["error"]
	assert.False(t, hasErr, "the stream ends cleanly: %s", end.Raw)
	assert.Equal(t, []string{"x", "y", "z"}, jsTexts(v.js, "stream-fragment"))

	w, err = gc.OpenGroupStream(ctx, "g", &client.OpenGroupStreamOptions{StreamID: "go-2"})
	require.NoError(t, err)
	require.NoError(t, w.Write(ctx, client.Binary([]byte{1, 2, 3})))
	require.NoError(t, w.Abort(ctx, &client.StreamError{Message: "go producer failed", UserErrorCode: "G1"}))
	frag := v.js.mustEvent(ctx, "stream-fragment", func(e event) bool { return e.str("streamId") == "go-2" })
	assert.JSONEq(t, `{"base64":"AQID"}`, string(frag.Fields["data"]))
	end = v.js.mustEvent(ctx, "stream-end", func(e event) bool { return e.str("streamId") == "go-2" })
	var ended struct {
		Error struct {
			Name          string `json:"name"`
			Message       string `json:"message"`
			UserErrorCode string `json:"userErrorCode"`
		} `json:"error"`
	}
	end.decode(t, &ended)
	assert.Equal(t, "UserError", ended.Error.Name, "as the JS client's live streaming test expects of the service")
	assert.Equal(t, "go producer failed", ended.Error.Message)
	assert.Equal(t, "G1", ended.Error.UserErrorCode)
	assert.False(t, errors.Is(w.Err(), io.EOF))
}
