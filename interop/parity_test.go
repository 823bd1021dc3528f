package interop

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// parityHandler is the Go eventhandler configured as js/parity.js.
func parityHandler(t *testing.T, hub string) http.Handler {
	h, err := eventhandler.New(hub, &eventhandler.Options{
		AccessKeys: []string{testKey},
		OnConnect: func(_ context.Context, req *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
			c := req.Query.Get("case")
			switch {
			case c == "accept":
				resp.UserID = "device-1"
				resp.MQTT = &eventhandler.MQTTConnectResponseProperties{UserProperties: []eventhandler.MQTTUserProperty{{Name: "welcome", Value: "yes"}}}
			case c == "state":
				resp.UserID = "u"
				return resp.SetState("k", "v")
			case strings.HasPrefix(c, "mqtt-"):
				code, _ := strconv.Atoi(c[5:])
				return &eventhandler.MQTTConnectError{Code: uint8(code), Reason: "r" + c[5:]}
			case strings.HasPrefix(c, "fail-"):
				status, _ := strconv.Atoi(c[5:])
				return eventhandler.Fail(status, "denied")
			}
			return nil
		},
		OnConnected:    func(context.Context, *eventhandler.ConnectedRequest) {},
		OnDisconnected: func(context.Context, *eventhandler.DisconnectedRequest) {},
		OnGroupJoined:  func(context.Context, *eventhandler.GroupJoinedRequest) {},
		OnGroupLeft:    func(context.Context, *eventhandler.GroupLeftRequest) {},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			if req.Context.EventName == "state" {
				if err := resp.SetState("seen", true); err != nil {
					return err
				}
				return resp.SetJSON(req.Context.State)
			}
			resp.SetText("echo:" + string(req.Data))
			return nil
		},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	return mux
}

// parityRequest is one upstream request as the service sends it.
type parityRequest struct {
	name        string
	ceType      string
	mqtt        bool
	contentType string
	body        string
	// state is the ce-connectionState header sent; "" sends none.
	state string
}

// answer is what an upstream answered, reduced to what must match.
type answer struct {
	Status      int
	ContentType string
	Body        string
	State       map[string]any
}

func doParityRequest(t *testing.T, base, hub string, r parityRequest) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/api/webpubsub/hubs/"+hub+"/", bytes.NewReader([]byte(r.body)))
	require.NoError(t, err)
	h := req.Header
	const connID = "conn-parity"
	h.Set("ce-specversion", "1.0")
	h.Set("ce-type", r.ceType)
	h.Set("ce-source", "/hubs/"+hub+"/client/"+connID)
	h.Set("ce-id", "1")
	h.Set("ce-time", "2026-01-01T00:00:00Z")
	h.Set("ce-awpsversion", "1.0")
	h.Set("ce-hub", hub)
	h.Set("ce-connectionId", connID)
	h.Set("ce-userId", "device-1")
	h.Set("ce-signature", protocol.Signature(connID, testKey))
	h.Set("WebHook-Request-Origin", "127.0.0.1")
	name := r.ceType[strings.LastIndex(r.ceType, ".")+1:]
	h.Set("ce-eventName", name)
	if r.mqtt {
		h.Set("ce-subprotocol", "mqtt")
		h.Set("ce-physicalConnectionId", "phys-1")
		h.Set("ce-sessionId", "sess-1")
	}
	if r.contentType != "" {
		h.Set("Content-Type", r.contentType)
	}
	if r.state != "" {
		h.Set("ce-connectionState", r.state)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: string(b)}
	if v := resp.Header.Get("ce-connectionState"); v != "" {
		raw, err := base64.StdEncoding.DecodeString(v)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &a.State))
	}
	return a
}

// stateParityRequests send connection states written in the ways express
// reads its own (utils.fromBase64JsonString: Node's lenient base64, then a
// JSON object, else {} with a warning); the handlers answer the states they
// read and add one, so the answers show what each read and writes.
func stateParityRequests() []parityRequest {
	obj := []byte(`{"a":1,"b":"ÿþ?","n":null,"l":[1,"x"]}`) // its base64 holds "/" and padding
	std := base64.StdEncoding.EncodeToString(obj)
	states := map[string]string{
		"standard base64":         std,
		"unpadded base64":         base64.RawStdEncoding.EncodeToString(obj),
		"URL-safe base64":         base64.URLEncoding.EncodeToString(obj),
		"base64 with white space": " " + std[:8] + " \t" + std[8:],
		"base64 then garbage":     std + "!!=x",
		"base64 of an array":      base64.StdEncoding.EncodeToString([]byte(`[1]`)),
		"base64 of null":          base64.StdEncoding.EncodeToString([]byte(`null`)),
		"not base64 JSON":         "initial",
		"truncated base64":        std[:10],
	}
	var reqs []parityRequest
	for name, st := range states {
		reqs = append(reqs, parityRequest{name: "state: " + name, ceType: protocol.EventTypeUserPrefix + "state", contentType: "text/plain", body: "x", state: st})
	}
	return reqs
}

// TestEventHandlerParityWithExpress sends the same requests to the express
// handler and to ours, configured alike, and compares status, body,
// Content-Type and connection state.
func TestEventHandlerParityWithExpress(t *testing.T) {
	requireNode(t)
	const hub = "parity"
	ctx := testCtx(t, scriptDeadline)
	js := startNode(t, "parity.js", "HUB="+hub)
	var l struct{ Port int }
	js.mustEvent(ctx, "listening", nil).decode(t, &l)
	expressURL := fmt.Sprintf("http://127.0.0.1:%d", l.Port)
	ours := httptest.NewServer(parityHandler(t, hub))
	t.Cleanup(ours.Close)

	connect := func(mqttVersion int, c string) string {
		body := `{"claims":{},"query":{"case":["` + c + `"]},"headers":{},"subprotocols":[],"clientCertificates":[]`
		if mqttVersion > 0 {
			body += `,"mqtt":{"protocolVersion":` + strconv.Itoa(mqttVersion) + `,"username":"user","password":"pw","userProperties":[{"name":"a","value":"b"}]}`
		}
		return body + "}"
	}
	const jsonCT = "application/json; charset=utf-8"
	reqs := []parityRequest{
		{name: "MQTT connect accepted with user properties", ceType: protocol.EventTypeConnect, mqtt: true, contentType: jsonCT, body: connect(5, "accept")},
		{name: "connect accepted with state", ceType: protocol.EventTypeConnect, contentType: jsonCT, body: connect(0, "state")},
		{name: "connect accepted without answer", ceType: protocol.EventTypeConnect, contentType: jsonCT, body: connect(0, "")},
		{name: "MQTT connect accepted without answer", ceType: protocol.EventTypeConnect, mqtt: true, contentType: jsonCT, body: connect(4, "")},
		{name: "connect refused 401", ceType: protocol.EventTypeConnect, contentType: jsonCT, body: connect(0, "fail-401")},
		{name: "connect refused 400", ceType: protocol.EventTypeConnect, contentType: jsonCT, body: connect(0, "fail-400")},
	}
	for _, code := range []int{1, 2, 3, 4, 5, 128, 129, 131, 133, 134, 135, 136, 137, 138, 144, 151, 155, 157, 159} {
		v := 5
		if code < 128 {
			v = 4
		}
		reqs = append(reqs, parityRequest{name: fmt.Sprintf("MQTT %d.x refusal code %d", v, code), ceType: protocol.EventTypeConnect, mqtt: true, contentType: jsonCT, body: connect(v, fmt.Sprintf("mqtt-%d", code))})
	}
	for _, v := range []int{3, 4, 5} {
		for _, status := range []int{400, 401, 500} {
			reqs = append(reqs, parityRequest{name: fmt.Sprintf("MQTT v%d refused with HTTP %d", v, status), ceType: protocol.EventTypeConnect, mqtt: true, contentType: jsonCT, body: connect(v, fmt.Sprintf("fail-%d", status))})
		}
	}
	reqs = append(reqs,
		parityRequest{name: "MQTT connected", ceType: protocol.EventTypeConnected, mqtt: true, contentType: jsonCT, body: `{}`},
		parityRequest{name: "group joined", ceType: protocol.EventTypeGroupJoined, contentType: jsonCT, body: `{"group":"g1"}`},
		parityRequest{name: "MQTT group left", ceType: protocol.EventTypeGroupLeft, mqtt: true, contentType: jsonCT, body: `{"group":"g1"}`},
		parityRequest{name: "MQTT disconnected", ceType: protocol.EventTypeDisconnected, mqtt: true, contentType: jsonCT,
			body: `{"reason":"bye","mqtt":{"disconnectPacket":{"code":142,"userProperties":[{"name":"n","value":"v"}]},"initiatedByClient":false}}`},
		parityRequest{name: "user event", ceType: protocol.EventTypeUserPrefix + "echo", contentType: "text/plain", body: "hi"},
	)
	reqs = append(reqs, stateParityRequests()...)
	for _, r := range reqs {
		t.Run(r.name, func(t *testing.T) {
			want := doParityRequest(t, expressURL, hub, r)
			got := doParityRequest(t, ours.URL, hub, r)
			assert.Equal(t, want.Status, got.Status, "status")
			assert.Equal(t, want.ContentType, got.ContentType, "Content-Type")
			if strings.HasPrefix(want.ContentType, "application/json") {
				assert.JSONEq(t, want.Body, got.Body, "body")
			} else {
				assert.Equal(t, want.Body, got.Body, "body")
			}
			assert.Equal(t, want.State, got.State, "ce-connectionState")
		})
	}
}

// A plain JSON state (which a handler in another language may set: the
// service treats the state as an opaque string) is read by our handler as
// it is; the express handler 1.1.0 reads only base64 and sees {} (with a
// warning). Both then write standard base64 JSON.
func TestEventHandlerReadsPlainJSONStateUnlikeExpress(t *testing.T) {
	requireNode(t)
	const hub = "parity"
	ctx := testCtx(t, scriptDeadline)
	js := startNode(t, "parity.js", "HUB="+hub)
	var l struct{ Port int }
	js.mustEvent(ctx, "listening", nil).decode(t, &l)
	ours := httptest.NewServer(parityHandler(t, hub))
	t.Cleanup(ours.Close)
	r := parityRequest{ceType: protocol.EventTypeUserPrefix + "state", contentType: "text/plain", body: "x", state: `{"a":1}`}

	express := doParityRequest(t, fmt.Sprintf("http://127.0.0.1:%d", l.Port), hub, r)
	assert.JSONEq(t, `{}`, express.Body, "express reads no state")
	assert.Equal(t, map[string]any{"seen": true}, express.State)

	got := doParityRequest(t, ours.URL, hub, r)
	assert.JSONEq(t, `{"a":1}`, got.Body, "ours reads the plain JSON state")
	assert.Equal(t, map[string]any{"a": float64(1), "seen": true}, got.State)
}
