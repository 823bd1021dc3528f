package emulator_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// The client side of the emulator as the service and Microsoft's emulator
// behave (issue #20 items 4, 6 and 7).

var pubsubRoles = []string{protocol.RoleJoinLeaveGroup, protocol.RoleSendToGroup}

// TestAckIDCacheHoldsTheLastThousand: a connection remembers the last 1,000
// ackIds that succeeded, as Microsoft's emulator's AckCache: after 1,001
// joins the first id may be used again, the second is still a duplicate.
func TestAckIDCacheHoldsTheLastThousand(t *testing.T) {
	e := start(t, emulator.Options{})
	c, _ := connectJSON(t, e, "hub1", auth.Claims{Roles: pubsubRoles})
	for id := uint64(1); id <= 1001; id++ {
		c.send(protocol.JoinGroupMessage{Group: "g", AckID: ackID(id)})
	}
	for id := uint64(1); id <= 1001; id++ {
		require.True(t, c.ack(id).Success, "ackId %d", id)
	}
	c.send(protocol.JoinGroupMessage{Group: "g", AckID: ackID(2)})
	assert.Equal(t, protocol.DuplicateAck(2), c.ack(2))
	c.send(protocol.JoinGroupMessage{Group: "g", AckID: ackID(1)})
	assert.True(t, c.ack(1).Success, "the oldest of 1,001 was forgotten")
}

// TestMetadataTravelsToGroupMembersAndUpstream: a sendToGroup's metadata
// reach the group's JSON and protobuf members (and a reliable member's
// resend after a drop), not its simple WebSocket members; an event's
// metadata reach the upstream as x-webpubsub-metadata-<key> headers from a
// JSON client as from a protobuf one.
func TestMetadataTravelsToGroupMembersAndUpstream(t *testing.T) {
	headers := make(chan http.Header, 4)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Set(protocol.HeaderAllowedOrigin, "*")
			return
		}
		headers <- r.Header.Clone()
	}))
	t.Cleanup(up.Close)
	e := start(t, emulator.Options{Upstream: []emulator.UpstreamHandler{{URLTemplate: up.URL + "/{event}", UserEventPattern: "*"}}})
	member := auth.Claims{Groups: []string{"g"}, Roles: pubsubRoles}
	sender := dial(t, clientURL(t, e, "hub1", auth.Claims{Roles: pubsubRoles}), protocol.JSON)
	sender.connected()
	jr, cm, u := reliableClient(t, e, "hub1", member)
	pb := dial(t, clientURL(t, e, "hub1", member), protocol.Protobuf)
	pb.connected()
	simple := dial(t, clientURL(t, e, "hub1", member), "")

	md := map[string]string{"Trace-Id": "42", "tenant": "t1"}
	sender.sendRaw(websocket.MessageText, []byte(`{"type":"sendToGroup","group":"g","dataType":"text","data":"hi","ackId":1,"metadata":{"Trace-Id":"42","tenant":"t1"}}`))
	assert.True(t, sender.ack(1).Success)
	want := protocol.GroupDataMessage{Group: "g", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("hi")}, Metadata: md}
	assert.Equal(t, want, pb.next())
	got := jr.next()
	want.SequenceID = 1
	assert.Equal(t, want, got)
	_, raw := simple.read()
	assert.Equal(t, "hi", string(raw), "a simple client gets the payload only")

	// The reliable member's resend buffer holds the metadata too.
	require.True(t, e.DropConnection("hub1", cm.ConnectionID))
	r := dial(t, recoveryURL(u, cm.ConnectionID, cm.ReconnectionToken), protocol.JSONReliable)
	r.connected()
	assert.Equal(t, want, r.next(), "resent with its metadata")

	// A message with metadata and no data carries empty text.
	sender.sendRaw(websocket.MessageText, []byte(`{"type":"sendToGroup","group":"g","metadata":{"only":"this"}}`))
	assert.Equal(t, protocol.GroupDataMessage{Group: "g", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte{}}, Metadata: map[string]string{"only": "this"}}, pb.next())

	// Events: the metadata go upstream from either subprotocol family.
	sender.sendRaw(websocket.MessageText, []byte(`{"type":"event","event":"e","dataType":"text","data":"x","ackId":2,"metadata":{"Trace-Id":"7"}}`))
	h := <-headers
	assert.Equal(t, "7", h.Get("X-Webpubsub-Metadata-Trace-Id"))
	assert.True(t, sender.ack(2).Success)
	pb.send(protocol.EventMessage{Event: "e", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}, Metadata: map[string]string{"k": "v"}})
	h = <-headers
	assert.Equal(t, "v", h.Get("X-Webpubsub-Metadata-K"))
}

// TestUserEventAnswers: the upstream's answer reaches the client before the
// ack, with its X-WebPubSub-Metadata-* headers as the message's metadata; an
// answer with a Content-Type the service does not support fails the event
// (InternalServerError for a JSON client, 1011 for a simple one), as does a
// non-2xx answer.
func TestUserEventAnswers(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Set(protocol.HeaderAllowedOrigin, "*")
			return
		}
		body, _ := io.ReadAll(r.Body)
		switch string(body) {
		case "metadata":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-WebPubSub-Metadata-Trace-Id", "9")
			w.Header().Add("X-WebPubSub-Metadata-Repeated", "first")
			w.Header().Add("X-WebPubSub-Metadata-Repeated", "last")
			_, _ = w.Write([]byte(`{"ok":true}`))
		case "xml":
			w.Header().Set("Content-Type", "application/xml")
			_, _ = w.Write([]byte(`<ok/>`))
		default:
			http.Error(w, "handler says no", http.StatusConflict)
		}
	}))
	t.Cleanup(up.Close)
	e := start(t, emulator.Options{Upstream: []emulator.UpstreamHandler{{URLTemplate: up.URL + "/{event}", UserEventPattern: "*"}}})
	for _, sub := range []string{protocol.JSON, protocol.Protobuf} {
		c := dial(t, clientURL(t, e, "hub1", auth.Claims{}), sub)
		c.connected()
		c.send(protocol.EventMessage{Event: "e", AckID: ackID(1), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("metadata")}})
		assert.Equal(t, protocol.ServerDataMessage{Data: protocol.Payload{Type: protocol.DataTypeJSON, Data: []byte(`{"ok":true}`)},
			Metadata: map[string]string{"trace-id": "9", "repeated": "last"}}, c.next(), sub+": the answer first, with its metadata")
		assert.True(t, c.ack(1).Success, sub)
		for id, body := range map[uint64]string{2: "xml", 3: "no"} {
			c.send(protocol.EventMessage{Event: "e", AckID: ackID(id), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte(body)}})
			assert.Equal(t, protocol.InternalServerErrorAck(id), c.ack(id), "%s: %s", sub, body)
		}
	}
	for _, body := range []string{"xml", "no"} {
		s := dial(t, clientURL(t, e, "hub1", auth.Claims{}), "")
		s.sendRaw(websocket.MessageText, []byte(body))
		assert.Equal(t, websocket.StatusInternalError, websocket.CloseStatus(s.closeErr()), body)
	}
}

// TestSubprotocolsAreNegotiatedIgnoringCase: a client that spells a
// subprotocol in another case gets it, the handshake answering with the
// client's own spelling (which the ws package under the JS client
// requires), for a new connection and a recovery, and an upstream may
// choose among the requested ones ignoring case.
func TestSubprotocolsAreNegotiatedIgnoringCase(t *testing.T) {
	e := start(t, emulator.Options{})
	const upper = "JSON.Reliable.WebPubSub.Azure.V1"
	c := dial(t, clientURL(t, e, "hub1", auth.Claims{}), upper)
	assert.Equal(t, upper, c.ws.Subprotocol())
	c.codec = protocol.CodecFor(protocol.JSONReliable)
	cm := c.connected()
	assert.NotEmpty(t, cm.ReconnectionToken, "the reliable subprotocol")
	require.True(t, e.DropConnection("hub1", cm.ConnectionID))
	r := dial(t, recoveryURL(clientURL(t, e, "hub1", auth.Claims{}), cm.ConnectionID, cm.ReconnectionToken), upper)
	assert.Equal(t, upper, r.ws.Subprotocol())
	r.codec = protocol.CodecFor(protocol.JSONReliable)
	assert.Equal(t, cm.ConnectionID, r.connected().ConnectionID, "recovered")

	p := dial(t, clientURL(t, e, "hub1", auth.Claims{}), "Protobuf.WebPubSub.Azure.V1")
	assert.Equal(t, "Protobuf.WebPubSub.Azure.V1", p.ws.Subprotocol())
	p.codec = protocol.CodecFor(protocol.Protobuf)
	p.connected() // a binary protobuf frame
}

// TestSubprotocolChosenByTheUpstreamIgnoringCase: the connect handler's
// answer names one of the requested subprotocols in another case.
func TestSubprotocolChosenByTheUpstreamIgnoringCase(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Set(protocol.HeaderAllowedOrigin, "*")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"subprotocol":"json.webpubsub.azure.v1"}`))
	}))
	t.Cleanup(up.Close)
	e := start(t, emulator.Options{Upstream: []emulator.UpstreamHandler{{URLTemplate: up.URL + "/{event}", SystemEvents: []string{"connect"}}}})
	ws, resp, err := websocket.Dial(t.Context(), clientURL(t, e, "hub1", auth.Claims{}), &websocket.DialOptions{Subprotocols: []string{protocol.JSONReliable, "JSON.WEBPUBSUB.AZURE.V1"}})
	require.NoError(t, err)
	if resp.Body != nil {
		resp.Body.Close()
	}
	defer ws.CloseNow()
	assert.Equal(t, "JSON.WEBPUBSUB.AZURE.V1", ws.Subprotocol())
	c := &wsClient{t: t, ws: ws, codec: protocol.JSONCodec}
	assert.Empty(t, c.connected().ReconnectionToken, "the plain JSON subprotocol the handler chose")
}

// TestConnectAcceptedByAny2xx: a connect handler that answers 202 (or 204)
// accepts the client, its body applied as a 200's is.
func TestConnectAcceptedByAny2xx(t *testing.T) {
	for _, status := range []int{http.StatusAccepted, http.StatusNoContent} {
		up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodOptions {
				w.Header().Set(protocol.HeaderAllowedOrigin, "*")
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"userId":"from-handler"}`))
		}))
		t.Cleanup(up.Close)
		e := start(t, emulator.Options{Upstream: []emulator.UpstreamHandler{{URLTemplate: up.URL + "/{event}", SystemEvents: []string{"connect"}}}})
		c := dial(t, clientURL(t, e, "hub1", auth.Claims{Subject: "token-user"}), protocol.JSON)
		want := "from-handler"
		if status == http.StatusNoContent {
			want = "token-user" // a 204 has no body
		}
		assert.Equal(t, want, c.connected().UserID, "status %d", status)
	}
}
