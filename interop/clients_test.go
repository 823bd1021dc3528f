package interop

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

// testKey is the access key of the emulators these tests start (base64,
// like the service's keys).
var testKey = base64.StdEncoding.EncodeToString([]byte("interop-test-access-key-32-bytes"))

// jsMessage is a group-message or server-message event of the JS client.
type jsMessage struct {
	Group      string          `json:"group"`
	FromUserID string          `json:"fromUserId"`
	Data       json.RawMessage `json:"data"`
	DataType   string          `json:"dataType"`
	SequenceID uint64          `json:"sequenceId"`
}

// jsText returns the text of a JS message ("" if its data is not a string).
func jsText(e event) string {
	var m jsMessage
	_ = json.Unmarshal(e.Raw, &m)
	var s string
	_ = json.Unmarshal(m.Data, &s)
	return s
}

// jsTexts returns the text data of every event named name, in order.
func jsTexts(p *nodeProc, name string) []string {
	var out []string
	for _, e := range p.eventsNamed(name) {
		out = append(out, jsText(e))
	}
	return out
}

// withText matches events whose data is the string s.
func withText(s string) func(event) bool {
	return func(e event) bool { return jsText(e) == s }
}

// fastGoOptions are Go client options with short retry delays.
func fastGoOptions(proto client.Protocol) client.Options {
	return client.Options{
		Protocol:            proto,
		MessageRetry:        client.RetryOptions{MaxRetries: 20, Delay: 20 * time.Millisecond},
		ReconnectRetry:      client.RetryOptions{Delay: 50 * time.Millisecond},
		SequenceAckInterval: 50 * time.Millisecond,
	}
}

// TestJSClientAndGoClientInOneGroup puts @azure/web-pubsub-client 1.1.0 and
// the Go client in one group through the emulator, over both JSON
// subprotocols, and checks each feature in both directions.
func TestJSClientAndGoClientInOneGroup(t *testing.T) {
	requireNode(t)
	for _, proto := range []client.Protocol{client.ProtocolJSON, client.ProtocolJSONReliable} {
		t.Run(string(proto), func(t *testing.T) { testClientsInOneGroup(t, proto) })
	}
}

func testClientsInOneGroup(t *testing.T, proto client.Protocol) {
	const hub, group = "chat", "g"
	reliable := proto == client.ProtocolJSONReliable
	ctx := testCtx(t, scriptDeadline)

	// An upstream (our event handler) answers user events with
	// "echo:<user>:<data>", which the emulator sends back to the caller.
	h, err := eventhandler.New(hub, &eventhandler.Options{
		AccessKeys: []string{testKey},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			resp.SetText("echo:" + req.Context.UserID + ":" + req.Context.EventName + ":" + string(req.Data))
			return nil
		},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	up := httptest.NewServer(mux)
	t.Cleanup(up.Close)

	e := emulatortest.New(t, &emulator.Options{AccessKey: testKey, Upstream: []emulator.UpstreamHandler{{
		Hub: hub, URLTemplate: up.URL + h.Path(), UserEventPattern: "*",
	}}})
	sc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), hub, nil)
	require.NoError(t, err)
	roles := []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"}

	js := startNode(t, "client.js")
	jsURL := goToken(t, e.ConnectionString(), hub, webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "js-user", Roles: roles}).URL
	jsProto := "json"
	if reliable {
		jsProto = "json.reliable"
	}
	js.must(ctx, "new", map[string]any{"url": jsURL, "protocol": jsProto}, nil)
	js.must(ctx, "start", nil, nil)
	jsConnID := js.mustEvent(ctx, "connected", nil).str("connectionId")
	require.NotEmpty(t, jsConnID)

	goURL := goToken(t, e.ConnectionString(), hub, webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "go-user", Roles: roles}).URL
	gc := newGoClient(t, goURL, fastGoOptions(proto))

	js.must(ctx, "joinGroup", map[string]any{"group": group}, nil)
	_, err = gc.JoinGroup(ctx, group, nil)
	require.NoError(t, err)

	jsSend := func(t *testing.T, data any, dataType string, extra map[string]any) {
		t.Helper()
		args := map[string]any{"group": group, "data": data, "dataType": dataType}
		for k, v := range extra {
			args[k] = v
		}
		js.must(ctx, "sendToGroup", args, nil)
	}

	t.Run("group messages both directions", func(t *testing.T) {
		_, err := gc.SendToGroup(ctx, group, client.Text("go-1"), nil)
		require.NoError(t, err)
		m := js.mustEvent(ctx, "group-message", withText("go-1"))
		var jm jsMessage
		m.decode(t, &jm)
		assert.Equal(t, group, jm.Group)
		assert.Equal(t, "go-user", jm.FromUserID, "fromUserId")
		assert.Equal(t, "text", jm.DataType)
		assert.Equal(t, reliable, jm.SequenceID > 0, "sequence ids only on the reliable subprotocol")
		gc.waitMessage("go-1") // the sender's echo

		jsSend(t, "js-1", "text", nil)
		got := gc.waitMessage("js-1")
		assert.Equal(t, received{Group: group, FromUserID: "js-user", DataType: client.DataTypeText, Data: "js-1", SequenceID: got.SequenceID}, got)
		assert.Equal(t, reliable, got.SequenceID > 0)
		js.mustEvent(ctx, "group-message", withText("js-1"))

		// JSON and binary data.
		_, err = gc.SendToGroup(ctx, group, client.JSON(map[string]any{"from": "go"}), nil)
		require.NoError(t, err)
		m = js.mustEvent(ctx, "group-message", func(e event) bool { var jm jsMessage; _ = json.Unmarshal(e.Raw, &jm); return jm.DataType == "json" })
		m.decode(t, &jm)
		assert.JSONEq(t, `{"from":"go"}`, string(jm.Data))

		_, err = gc.SendToGroup(ctx, group, client.Binary([]byte{1, 2, 3}), nil)
		require.NoError(t, err)
		m = js.mustEvent(ctx, "group-message", func(e event) bool { var jm jsMessage; _ = json.Unmarshal(e.Raw, &jm); return jm.DataType == "binary" })
		m.decode(t, &jm)
		assert.JSONEq(t, `{"base64":"AQID"}`, string(jm.Data))

		jsSend(t, map[string]any{"from": "js"}, "json", nil)
		gc.waitFor("JSON from JS", func() bool {
			for _, m := range gc.msgs {
				if m.DataType == client.DataTypeJSON && m.FromUserID == "js-user" {
					return assert.JSONEq(t, `{"from":"js"}`, m.Data)
				}
			}
			return false
		})
		jsSend(t, map[string]any{"base64": base64.StdEncoding.EncodeToString([]byte{4, 5, 6})}, "binary", nil)
		gc.waitFor("binary from JS", func() bool {
			for _, m := range gc.msgs {
				if m.DataType == client.DataTypeBinary && m.FromUserID == "js-user" {
					return assert.Equal(t, string([]byte{4, 5, 6}), m.Data)
				}
			}
			return false
		})
	})

	t.Run("noEcho", func(t *testing.T) {
		jsSend(t, "js-noecho", "text", map[string]any{"noEcho": true})
		jsSend(t, "js-mark", "text", nil)
		gc.waitMessage("js-noecho")
		js.mustEvent(ctx, "group-message", withText("js-mark"))
		assert.NotContains(t, jsTexts(js, "group-message"), "js-noecho", "noEcho keeps the message from its JS sender")

		_, err := gc.SendToGroup(ctx, group, client.Text("go-noecho"), &client.SendToGroupOptions{NoEcho: true})
		require.NoError(t, err)
		_, err = gc.SendToGroup(ctx, group, client.Text("go-mark"), nil)
		require.NoError(t, err)
		js.mustEvent(ctx, "group-message", withText("go-noecho"))
		gc.waitMessage("go-mark")
		assert.NotContains(t, gc.datas(), "go-noecho", "noEcho keeps the message from its Go sender")
	})

	t.Run("server messages", func(t *testing.T) {
		_, err := sc.SendToAll(ctx, webpubsub.TextMessage("srv-all"), nil)
		require.NoError(t, err)
		m := js.mustEvent(ctx, "server-message", withText("srv-all"))
		var jm jsMessage
		m.decode(t, &jm)
		assert.Equal(t, "text", jm.DataType)
		assert.Equal(t, reliable, jm.SequenceID > 0)
		got := gc.waitMessage("srv-all")
		assert.Equal(t, "", got.Group)

		_, err = sc.SendToUser(ctx, "js-user", webpubsub.JSONMessage(map[string]int{"n": 1}), nil)
		require.NoError(t, err)
		m = js.mustEvent(ctx, "server-message", func(e event) bool { var jm jsMessage; _ = json.Unmarshal(e.Raw, &jm); return jm.DataType == "json" })
		m.decode(t, &jm)
		assert.JSONEq(t, `{"n":1}`, string(jm.Data))

		_, err = sc.SendToConnection(ctx, gc.ConnectionID(), webpubsub.BinaryMessage([]byte{9, 8}), nil)
		require.NoError(t, err)
		got = gc.waitMessage(string([]byte{9, 8}))
		assert.Equal(t, client.DataTypeBinary, got.DataType)
	})

	t.Run("sendEvent", func(t *testing.T) {
		var r struct{ AckID *uint64 }
		js.must(ctx, "sendEvent", map[string]any{"event": "hello", "data": "from js", "dataType": "text"}, &r)
		require.NotNil(t, r.AckID, "an acked event")
		js.mustEvent(ctx, "server-message", withText("echo:js-user:hello:from js"))

		_, err := gc.SendEvent(ctx, "hello", client.Text("from go"), nil)
		require.NoError(t, err)
		gc.waitMessage("echo:go-user:hello:from go")
	})

	t.Run("caller ackId sent twice", func(t *testing.T) {
		var r1, r2 struct {
			AckID        uint64 `json:"ackId"`
			IsDuplicated bool   `json:"isDuplicated"`
		}
		js.must(ctx, "sendToGroup", map[string]any{"group": group, "data": "js-dup", "dataType": "text", "ackId": 7001}, &r1)
		js.must(ctx, "sendToGroup", map[string]any{"group": group, "data": "js-dup", "dataType": "text", "ackId": 7001}, &r2)
		assert.Equal(t, uint64(7001), r1.AckID)
		assert.False(t, r1.IsDuplicated)
		assert.True(t, r2.IsDuplicated, "the service answers Duplicate and the JS client counts it as success")

		a1, err := gc.SendToGroup(ctx, group, client.Text("go-dup"), &client.SendToGroupOptions{AckID: 7002})
		require.NoError(t, err)
		a2, err := gc.SendToGroup(ctx, group, client.Text("go-dup"), &client.SendToGroupOptions{AckID: 7002})
		require.NoError(t, err, "Duplicate counts as success")
		assert.False(t, a1.Duplicated)
		assert.True(t, a2.Duplicated)

		_, err = gc.SendToGroup(ctx, group, client.Text("dup-mark"), nil)
		require.NoError(t, err)
		js.mustEvent(ctx, "group-message", withText("dup-mark"))
		gc.waitMessage("dup-mark")
		assert.Equal(t, 1, count(jsTexts(js, "group-message"), "js-dup"), "sent once")
		assert.Equal(t, 1, count(jsTexts(js, "group-message"), "go-dup"), "sent once")
		assert.Equal(t, 1, count(gc.datas(), "js-dup"))
		assert.Equal(t, 1, count(gc.datas(), "go-dup"))
	})

	t.Run("JS client survives DropConnection", func(t *testing.T) {
		const n = 40
		before := len(js.eventsNamed("connected"))
		for i := range n {
			if i == n/3 {
				require.True(t, e.DropConnection(hub, jsConnID), "drop the JS client's connection")
				if !reliable {
					// A plain JSON client gets a new connection and
					// rejoins the group before reporting it; messages sent
					// meanwhile are lost by design, so wait.
					js.mustEvent(ctx, "connected", nil)
				}
			}
			_, err := gc.SendToGroup(ctx, group, client.Text("to-js-"+strconv.Itoa(i)), &client.SendToGroupOptions{NoEcho: true})
			require.NoError(t, err)
		}
		_, err := gc.SendToGroup(ctx, group, client.Text("to-js-end"), &client.SendToGroupOptions{NoEcho: true})
		require.NoError(t, err)
		js.mustEvent(ctx, "group-message", withText("to-js-end"))
		from := 0
		if !reliable {
			from = n / 3 // messages in flight when a plain JSON connection drops are lost by design
		}
		assertOnceInOrder(t, jsTexts(js, "group-message"), "to-js-", n, from)
		if reliable {
			assert.Len(t, js.eventsNamed("connected"), before, "the reliable JS client recovered its connection")
			assert.Empty(t, js.eventsNamed("disconnected"))
		} else {
			jsConnID = js.eventsNamed("connected")[len(js.eventsNamed("connected"))-1].str("connectionId")
		}
	})

	t.Run("Go client survives DropConnection", func(t *testing.T) {
		const n = 40
		goConnID := gc.ConnectionID()
		start := 0
		for i := range n {
			if i == n/3 {
				require.True(t, e.DropConnection(hub, goConnID), "drop the Go client's connection")
				if !reliable {
					// Probe until the new connection is back in the group.
					for p := 0; ; p++ {
						probe := fmt.Sprintf("probe-%d", p)
						jsSend(t, probe, "text", map[string]any{"noEcho": true})
						if gc.hasMessage(probe) {
							break
						}
					}
					start = i
				}
			}
			jsSend(t, "to-go-"+strconv.Itoa(i), "text", map[string]any{"noEcho": true})
		}
		jsSend(t, "to-go-end", "text", map[string]any{"noEcho": true})
		gc.waitMessage("to-go-end")
		assertOnceInOrder(t, gc.datas(), "to-go-", n, start)
		if reliable {
			assert.Equal(t, goConnID, gc.ConnectionID(), "the reliable Go client recovered its connection")
		}
	})

	if reliable {
		t.Run("JS sender survives DropConnection", func(t *testing.T) {
			const n = 30
			done := make(chan error, 1)
			go func() {
				// @azure/web-pubsub-client 1.1.0 retries a send whose ack
				// was lost with a new ackId unless the caller chose one, so a
				// retried send is delivered twice; with caller ackIds the
				// service answers the retry Duplicate and delivers it once.
				_, err := js.call(ctx, "sendMany", map[string]any{"group": group, "prefix": "many-js", "count": n, "noEcho": true, "firstAckId": 100000})
				done <- err
			}()
			js.mustEvent(ctx, "sent", func(e event) bool { return string(e.Fields["index"]) == "9" })
			require.True(t, e.DropConnection(hub, jsConnID))
			require.NoError(t, <-done)
			jsSend(t, "many-js-end", "text", map[string]any{"noEcho": true})
			gc.waitMessage("many-js-end")
			assertOnceInOrder(t, gc.datas(), "many-js-", n, 0)
		})

		t.Run("Go sender survives DropConnection", func(t *testing.T) {
			const n = 30
			for i := range n {
				if i == n/3 {
					require.True(t, e.DropConnection(hub, gc.ConnectionID()))
				}
				// The Go client retries a send whose ack was lost with the
				// same ackId, so the service delivers it once.
				_, err := gc.SendToGroup(ctx, group, client.Text("many-go-"+strconv.Itoa(i)), &client.SendToGroupOptions{NoEcho: true})
				require.NoError(t, err)
			}
			_, err := gc.SendToGroup(ctx, group, client.Text("many-go-end"), &client.SendToGroupOptions{NoEcho: true})
			require.NoError(t, err)
			js.mustEvent(ctx, "group-message", withText("many-go-end"))
			assertOnceInOrder(t, jsTexts(js, "group-message"), "many-go-", n, 0)
		})
	}
}

// assertOnceInOrder checks that msgs hold prefix+i for i in [from, n) exactly
// once each, in order, and nothing else with prefix except prefix+"end".
func assertOnceInOrder(t *testing.T, msgs []string, prefix string, n, from int) {
	t.Helper()
	var got []string
	for _, m := range msgs {
		if len(m) > len(prefix) && m[:len(prefix)] == prefix && m != prefix+"end" {
			got = append(got, m)
		}
	}
	var want []string
	for i := range n {
		want = append(want, prefix+strconv.Itoa(i))
	}
	if from > 0 {
		// Messages sent before a plain JSON client was back may be lost;
		// the ones after must all arrive.
		require.GreaterOrEqual(t, len(got), n-from)
		assert.Equal(t, want[from:], got[len(got)-(n-from):], "messages after the client was back: exactly once, in order")
		seen := map[string]bool{}
		for _, m := range got {
			assert.False(t, seen[m], "%s repeated", m)
			seen[m] = true
		}
		return
	}
	assert.Equal(t, want, got, "every message exactly once, in order")
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
