package emulator_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/protocol/pb"
)

// anyData returns a protobuf payload: the serialized Any of an Int32Value.
func anyData(t *testing.T, v int32) protocol.Payload {
	t.Helper()
	a, err := anypb.New(wrapperspb.Int32(v))
	require.NoError(t, err)
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(a)
	require.NoError(t, err)
	return protocol.Payload{Type: protocol.DataTypeProtobuf, Data: b}
}

// readDownstream reads the next frame of a protobuf client as the generated
// message, to check the exact wire fields.
func readDownstream(t *testing.T, c *wsClient) *pb.DownstreamMessage {
	t.Helper()
	typ, data := c.read()
	require.Equal(t, websocket.MessageBinary, typ)
	var d pb.DownstreamMessage
	require.NoError(t, proto.Unmarshal(data, &d))
	return &d
}

func TestProtobufConnectedPingAndReliableToken(t *testing.T) {
	e := start(t, emulator.Options{})
	u := clientURL(t, e, "hub1", auth.Claims{Subject: "ann"})

	p := dial(t, u, protocol.Protobuf)
	d := readDownstream(t, p)
	cm := d.GetSystemMessage().GetConnectedMessage()
	require.NotNil(t, cm, "the first frame is the connected system message, got %v", d)
	assert.NotEmpty(t, cm.GetConnectionId())
	assert.Equal(t, "ann", cm.GetUserId())
	assert.Nil(t, cm.ReconnectionToken, "no reconnection token without the reliable subprotocol")
	p.send(protocol.PingMessage{})
	assert.NotNil(t, readDownstream(t, p).GetPongMessage())

	r := dial(t, u, protocol.ProtobufReliable)
	rc := r.connected()
	assert.NotEmpty(t, rc.ReconnectionToken)
}

func TestProtobufGroupsAcksAndPermissions(t *testing.T) {
	e := start(t, emulator.Options{})
	none := dial(t, clientURL(t, e, "hub1", auth.Claims{}), protocol.Protobuf)
	none.connected()
	none.send(protocol.JoinGroupMessage{Group: "g", AckID: ackID(1)})
	assert.Equal(t, protocol.ForbiddenAck(1, protocol.TypeJoinGroup, "g"), none.ack(1))
	none.send(protocol.SendToGroupMessage{Group: "g", AckID: ackID(2), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}})
	assert.Equal(t, protocol.ForbiddenAck(2, protocol.TypeSendToGroup, "g"), none.ack(2))

	claims := auth.Claims{Roles: []string{protocol.RoleJoinLeaveGroup, protocol.RoleSendToGroup}}
	p1 := dial(t, clientURL(t, e, "hub1", claims), protocol.Protobuf)
	p1.connected()
	p2 := dial(t, clientURL(t, e, "hub1", claims), protocol.ProtobufReliable)
	p2.connected()
	for _, c := range []*wsClient{p1, p2} {
		c.send(protocol.JoinGroupMessage{Group: "g", AckID: ackID(10)})
		assert.True(t, c.ack(10).Success)
	}
	p1.send(protocol.JoinGroupMessage{Group: "g", AckID: ackID(10)})
	assert.Equal(t, protocol.DuplicateAck(10), p1.ack(10), "an ackId is processed once")

	// noEcho keeps the message from the sender; the other member gets it
	// with a sequence id on the reliable subprotocol.
	data := anyData(t, 7)
	p1.send(protocol.SendToGroupMessage{Group: "g", AckID: ackID(11), NoEcho: true, Data: data})
	assert.True(t, p1.ack(11).Success)
	m, ok := p2.next().(protocol.GroupDataMessage)
	require.True(t, ok)
	assert.Equal(t, protocol.GroupDataMessage{Group: "g", Data: data, SequenceID: 1}, m)
	// Without noEcho the sender gets its own message.
	p1.send(protocol.SendToGroupMessage{Group: "g", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("echo")}})
	echo, ok := p1.next().(protocol.GroupDataMessage)
	require.True(t, ok)
	assert.Equal(t, "echo", string(echo.Data.Data))

	p1.send(protocol.LeaveGroupMessage{Group: "g", AckID: ackID(12)})
	assert.True(t, p1.ack(12).Success)

	// A message that parses but cannot be a valid request closes the
	// connection with 1007, even with an ack id, as in Microsoft's
	// emulator (WebPubSubProtobufV1Protocol.ParseMessage).
	b, err := proto.Marshal(&pb.UpstreamMessage{Message: &pb.UpstreamMessage_SendToGroupMessage_{SendToGroupMessage: &pb.UpstreamMessage_SendToGroupMessage{Group: "g", AckId: proto.Uint64(13)}}})
	require.NoError(t, err)
	p1.sendRaw(websocket.MessageBinary, b)
	d, ok := p1.next().(protocol.DisconnectedMessage)
	require.True(t, ok)
	const invalid = "The client message is not a valid protobuf.webpubsub.azure.v1 protocol message."
	assert.Equal(t, invalid, d.Message)
	var ce websocket.CloseError
	require.ErrorAs(t, p1.closeErr(), &ce)
	assert.Equal(t, websocket.StatusInvalidFramePayloadData, ce.Code)
	assert.Equal(t, invalid, ce.Reason)
}

func TestProtobufBrokenFramesCloseTheConnection(t *testing.T) {
	e := start(t, emulator.Options{})
	u := clientURL(t, e, "hub1", auth.Claims{})
	cases := []struct {
		name string
		typ  websocket.MessageType
		data []byte
		code websocket.StatusCode
	}{
		{"not an UpstreamMessage", websocket.MessageBinary, []byte{0xff, 0xff, 0xff}, websocket.StatusInvalidFramePayloadData},
		{"invalid group", websocket.MessageBinary, mustProtobuf(t, protocol.JoinGroupMessage{Group: " ", AckID: ackID(1)}), websocket.StatusInvalidFramePayloadData},
		{"ttl above 300", websocket.MessageBinary, mustProtobuf(t, protocol.SendToGroupMessage{Group: "g", TTLSeconds: 301, Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}}), websocket.StatusInvalidFramePayloadData},
		{"invalid metadata", websocket.MessageBinary, mustProtobuf(t, protocol.EventMessage{Event: "e", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}, Metadata: map[string]string{"a b": "c"}}), websocket.StatusInvalidFramePayloadData},
		{"invalid event name", websocket.MessageBinary, mustProtobuf(t, protocol.EventMessage{Event: "a b", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}}), websocket.StatusInvalidFramePayloadData},
		{"text frame", websocket.MessageText, []byte(`{"type":"ping"}`), websocket.StatusUnsupportedData},
		{"larger than 1 MiB", websocket.MessageBinary, make([]byte, 1<<20+1), websocket.StatusMessageTooBig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, u, protocol.Protobuf)
			c.connected()
			ctx := t.Context()
			_ = c.ws.Write(ctx, tc.typ, tc.data)
			assert.Equal(t, tc.code, websocket.CloseStatus(c.closeErr()))
		})
	}
}

// mustProtobuf encodes m as a protobuf client writes it.
func mustProtobuf(t *testing.T, m protocol.Message) []byte {
	t.Helper()
	b, err := protocol.EncodeProtobuf(m)
	require.NoError(t, err)
	return b
}

// TestProtobufMixedAudiences checks what each kind of client receives from
// the others and from REST, as the reference describes.
func TestProtobufMixedAudiences(t *testing.T) {
	e := start(t, emulator.Options{})
	claims := auth.Claims{Subject: "u", Groups: []string{"g"}, Roles: []string{protocol.RoleSendToGroup}}
	p := dial(t, clientURL(t, e, "hub1", claims), protocol.Protobuf)
	p.connected()
	j := dial(t, clientURL(t, e, "hub1", claims), protocol.JSON)
	j.connected()
	s := dial(t, clientURL(t, e, "hub1", claims), "")

	// A protobuf Any reaches JSON clients as base64 with dataType protobuf,
	// simple clients as a binary frame, protobuf clients as protobuf_data.
	data := anyData(t, 42)
	p.send(protocol.SendToGroupMessage{Group: "g", AckID: ackID(1), Data: data})
	d := readDownstream(t, p) // the sender is a member: its copy comes before the ack
	assert.True(t, p.ack(1).Success)
	got := d.GetDataMessage()
	require.NotNil(t, got)
	assert.Equal(t, "group", got.GetFrom())
	assert.Equal(t, "g", got.GetGroup())
	assert.Equal(t, "type.googleapis.com/google.protobuf.Int32Value", got.GetData().GetProtobufData().GetTypeUrl())

	typ, raw := j.read()
	assert.Equal(t, websocket.MessageText, typ)
	var js struct {
		Type, From, Group, FromUserID, DataType, Data string
	}
	require.NoError(t, json.Unmarshal(raw, &js))
	assert.Equal(t, "message", js.Type)
	assert.Equal(t, "protobuf", js.DataType)
	assert.Equal(t, base64.StdEncoding.EncodeToString(data.Data), js.Data, "the serialized Any, base64 encoded")

	typ, raw = s.read()
	assert.Equal(t, websocket.MessageBinary, typ)
	assert.Equal(t, data.Data, raw)

	// REST text, JSON and binary reach protobuf clients as text_data,
	// json_data and binary_data.
	for _, tc := range []struct {
		ct   string
		body []byte
		want func(*pb.MessageData) bool
	}{
		{"text/plain", []byte("hi"), func(m *pb.MessageData) bool { return m.GetTextData() == "hi" }},
		{"application/json", []byte(`{"a":1}`), func(m *pb.MessageData) bool { return m.GetJsonData() == `{"a":1}` }},
		{"application/octet-stream", []byte{0, 1}, func(m *pb.MessageData) bool {
			_, ok := m.GetData().(*pb.MessageData_BinaryData)
			return ok && string(m.GetBinaryData()) == "\x00\x01"
		}},
	} {
		r := call(t, e, http.MethodPost, "/api/hubs/hub1/:send", tc.ct, tc.body)
		require.Equal(t, http.StatusAccepted, r.status, r.body)
		d := readDownstream(t, p)
		assert.Equal(t, "server", d.GetDataMessage().GetFrom())
		assert.True(t, tc.want(d.GetDataMessage().GetData()), "%s became %v", tc.ct, d.GetDataMessage().GetData())
		_, _ = j.read()
		_, _ = s.read()
	}

	// A JSON client's text reaches protobuf clients as text_data, without
	// the fromUserId protobuf does not have.
	j.send(protocol.SendToGroupMessage{Group: "g", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("from json")}})
	m, ok := p.next().(protocol.GroupDataMessage)
	require.True(t, ok)
	assert.Equal(t, protocol.GroupDataMessage{Group: "g", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("from json")}}, m)
}

func TestProtobufReliableRecoveryKeepsTheSubprotocol(t *testing.T) {
	e := start(t, emulator.Options{})
	u := clientURL(t, e, "hub1", auth.Claims{Groups: []string{"g"}})
	c := dial(t, u, protocol.ProtobufReliable)
	cm := c.connected()
	require.NotEmpty(t, cm.ReconnectionToken)
	for i := 1; i <= 4; i++ {
		send(t, e, "/api/hubs/hub1/:send", fmt.Sprint("m", i))
	}
	for i := 1; i <= 4; i++ {
		seq, text := seqText(t, c)
		assert.Equal(t, uint64(i), seq)
		assert.Equal(t, fmt.Sprint("m", i), text)
	}
	c.send(protocol.SequenceAckMessage{SequenceID: 2})
	c.send(protocol.PingMessage{})
	_, ok := c.next().(protocol.PongMessage)
	require.True(t, ok)

	require.True(t, e.DropConnection("hub1", cm.ConnectionID))
	_ = c.closeErr()
	send(t, e, "/api/hubs/hub1/groups/g/:send", "m5")

	r := dial(t, recoveryURL(u, cm.ConnectionID, cm.ReconnectionToken), protocol.ProtobufReliable)
	assert.Equal(t, protocol.ProtobufReliable, r.ws.Subprotocol())
	again := r.connected()
	assert.Equal(t, cm.ConnectionID, again.ConnectionID)
	for i := 3; i <= 5; i++ {
		seq, text := seqText(t, r)
		assert.Equal(t, uint64(i), seq, "resent in order from the first unacked")
		assert.Equal(t, fmt.Sprint("m", i), text)
	}

	// A recovery that cannot succeed is closed with 1008 in the protobuf
	// subprotocol the client asked for.
	bad := dial(t, recoveryURL(u, cm.ConnectionID, "forged"), protocol.ProtobufReliable)
	assert.Equal(t, protocol.ProtobufReliable, bad.ws.Subprotocol())
	assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(bad.closeErr()))
}

func TestProtobufUserEventUpstream(t *testing.T) {
	type seen struct {
		header http.Header
		body   []byte
	}
	events := make(chan seen, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Set(protocol.HeaderAllowedOrigin, "*")
			return
		}
		b, _ := io.ReadAll(r.Body)
		events <- seen{header: r.Header.Clone(), body: b}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("thanks"))
	}))
	t.Cleanup(srv.Close)
	e := start(t, emulator.Options{Upstream: []emulator.UpstreamHandler{{URLTemplate: srv.URL + "/{event}", UserEventPattern: "*"}}})
	p := dial(t, clientURL(t, e, "hub1", auth.Claims{}), protocol.Protobuf)
	p.connected()

	data := anyData(t, 5)
	p.send(protocol.EventMessage{Event: "order", AckID: ackID(1), Data: data, Metadata: map[string]string{"tenant": "t1", "trace-id": "42"}})
	ev := <-events
	assert.Equal(t, protocol.ContentTypeProtobuf, ev.header.Get("Content-Type"))
	assert.Equal(t, data.Data, ev.body, "the serialized Any")
	assert.Equal(t, "t1", ev.header.Get("x-webpubsub-metadata-tenant"))
	assert.Equal(t, "42", ev.header.Get("x-webpubsub-metadata-trace-id"))
	assert.Equal(t, protocol.Protobuf, ev.header.Get(protocol.HeaderSubprotocol))
	assert.Equal(t, "thanks", p.serverText(), "the answer comes before the ack")
	assert.True(t, p.ack(1).Success)

	// Other payloads keep their content types.
	p.send(protocol.EventMessage{Event: "note", Data: protocol.Payload{Type: protocol.DataTypeJSON, Data: []byte(`{"x":1}`)}})
	ev = <-events
	assert.Equal(t, protocol.ContentTypeJSON, ev.header.Get("Content-Type"))
	assert.Equal(t, `{"x":1}`, string(ev.body))
	assert.Empty(t, ev.header.Get("x-webpubsub-metadata-tenant"))
	assert.Equal(t, "thanks", p.serverText())
}

// TestProtobufRecipientsShareMessageBytes: a broadcast to reliable JSON and
// protobuf clients that do not read is held once per wire format, not once
// per recipient.
func TestProtobufRecipientsShareMessageBytes(t *testing.T) {
	const (
		clients  = 10 // per subprotocol
		messages = 32
		size     = 256 << 10
	)
	e := start(t, emulator.Options{})
	for i := 0; i < clients; i++ {
		for _, sub := range []string{protocol.ProtobufReliable, protocol.JSONReliable} {
			c := dial(t, clientURL(t, e, "hub1", auth.Claims{Subject: fmt.Sprint("u", i)}), sub)
			c.connected() // it never reads again
		}
	}
	before := liveHeap()
	for i := 0; i < messages; i++ {
		send(t, e, "/api/hubs/hub1/:send", fmt.Sprint(i, strings.Repeat("x", size)))
	}
	grown := int64(liveHeap()) - int64(before)
	perCopy := int64(messages * size)
	t.Logf("heap grew %d KiB for %d KiB of distinct messages to %d clients", grown>>10, perCopy>>10, 2*clients)
	// One copy per recipient would be 20x. Shared frames cost one copy per
	// wire format (2x) plus the payload, the frame each blocked writer is
	// sending with its sequence id (20 x one message) and noise: about 4x.
	assert.Less(t, grown, 8*perCopy, "each recipient holds its own copy of the messages")
}

// TestProtobufSendToGroupTTL: a protobuf client's ttl_seconds bounds how long
// its group message is resent to a recovering reliable client.
func TestProtobufSendToGroupTTL(t *testing.T) {
	e := start(t, emulator.Options{})
	u := clientURL(t, e, "hub1", auth.Claims{Groups: []string{"g"}})
	rx := dial(t, u, protocol.JSONReliable)
	cm := rx.connected()
	tx := dial(t, clientURL(t, e, "hub1", auth.Claims{Roles: []string{protocol.RoleSendToGroup}}), protocol.Protobuf)
	tx.connected()
	require.True(t, e.DropConnection("hub1", cm.ConnectionID))
	_ = rx.closeErr()

	tx.send(protocol.SendToGroupMessage{Group: "g", AckID: ackID(1), TTLSeconds: 1, Data: text("short-lived")})
	assert.True(t, tx.ack(1).Success)
	tx.send(protocol.SendToGroupMessage{Group: "g", AckID: ackID(2), Data: text("forever")})
	assert.True(t, tx.ack(2).Success)
	time.Sleep(1100 * time.Millisecond) // let the 1 s TTL run out

	r := dial(t, recoveryURL(u, cm.ConnectionID, cm.ReconnectionToken), protocol.JSONReliable)
	r.connected()
	m := r.groupMessage()
	assert.Equal(t, "forever", string(m.Data.Data))
	assert.Equal(t, uint64(2), m.SequenceID)
}

// TestProtobufUserEventReachesOurEventHandler: a protobuf client's Any event
// with metadata, sent through the emulator to our eventhandler, arrives as a
// Protobuf event whose data unpacks to the Any the client sent, with the
// metadata entries the emulator could send as headers.
func TestProtobufUserEventReachesOurEventHandler(t *testing.T) {
	got := make(chan *eventhandler.UserEventRequest, 1)
	e := startWithUpstream(t, &eventhandler.Options{
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			got <- req
			resp.SetText("received " + string(req.DataType))
			return nil
		},
	})
	p := dial(t, clientURL(t, e, "chat", auth.Claims{}), protocol.Protobuf)
	p.connected()

	data := anyData(t, 42)
	p.send(protocol.EventMessage{Event: "order", AckID: ackID(1), Data: data, Metadata: map[string]string{"Tenant": "t1"}})
	req := <-got
	assert.Equal(t, eventhandler.DataTypeProtobuf, req.DataType)
	var a anypb.Any
	require.NoError(t, proto.Unmarshal(req.Data, &a))
	var v wrapperspb.Int32Value
	require.NoError(t, a.UnmarshalTo(&v))
	assert.Equal(t, int32(42), v.GetValue())
	assert.Equal(t, map[string]string{"tenant": "t1"}, req.Metadata, "header names are case-insensitive: the handler lower-cases them")
	assert.Equal(t, "received protobuf", p.serverText(), "the answer comes before the ack")
	assert.True(t, p.ack(1).Success)

	// An event without metadata has none upstream.
	p.send(protocol.EventMessage{Event: "note", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("hi")}})
	req = <-got
	assert.Equal(t, eventhandler.DataTypeText, req.DataType)
	assert.Nil(t, req.Metadata)
	assert.Equal(t, "received text", p.serverText())
}
