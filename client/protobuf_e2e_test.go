package client_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// withProtocol returns fastOptions speaking protocol.
func withProtocol(protocol client.Protocol) *client.Options {
	o := fastOptions()
	o.Protocol = protocol
	return o
}

func TestProtobufJoinSendReceiveAcrossProtocols(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var ra, rb, rj recorder
	a := startClient(t, v.url(t, "alice", allRoles...), ra.hook(withProtocol(client.ProtocolProtobufReliable)))
	b := startClient(t, v.url(t, "bob", allRoles...), rb.hook(withProtocol(client.ProtocolProtobuf)))
	j := startClient(t, v.url(t, "judy", allRoles...), rj.hook(withProtocol(client.ProtocolJSONReliable)))
	ctx := ctxT(t)
	for _, c := range []*client.Client{a, b, j} {
		_, err := c.JoinGroup(ctx, "room", nil)
		require.NoError(t, err)
	}

	res, err := a.SendToGroup(ctx, "room", client.Protobuf(wrapperspb.String("hello")), &client.SendToGroupOptions{NoEcho: true})
	require.NoError(t, err)
	assert.NotZero(t, res.AckID)
	_, err = a.SendToGroup(ctx, "room", client.Text("text"), nil)
	require.NoError(t, err)
	_, err = a.SendToGroup(ctx, "room", client.JSON(map[string]int{"n": 1}), nil)
	require.NoError(t, err)
	_, err = a.SendToGroup(ctx, "room", client.Binary([]byte{0, 255}), &client.SendToGroupOptions{FireAndForget: true})
	require.NoError(t, err)

	// Both a protobuf and a JSON receiver get the Any with its type URL.
	for _, r := range []*recorder{&rb, &rj} {
		require.Eventually(t, func() bool { return len(r.groupMessages()) == 4 }, 5*time.Second, 5*time.Millisecond)
		got := r.groupMessages()
		assert.Equal(t, client.DataTypeProtobuf, got[0].DataType)
		assert.Equal(t, "room", got[0].Group)
		a, err := got[0].Any()
		require.NoError(t, err)
		assert.Equal(t, "type.googleapis.com/google.protobuf.StringValue", a.GetTypeUrl())
		var s wrapperspb.StringValue
		require.NoError(t, a.UnmarshalTo(&s))
		assert.Equal(t, "hello", s.GetValue())
		assert.Equal(t, client.DataTypeText, got[1].DataType)
		assert.Equal(t, "text", string(got[1].Data))
		assert.Equal(t, client.DataTypeJSON, got[2].DataType)
		assert.JSONEq(t, `{"n":1}`, string(got[2].Data))
		assert.Equal(t, client.DataTypeBinary, got[3].DataType)
		assert.Equal(t, []byte{0, 255}, got[3].Data)
		_, err = got[1].Any()
		assert.ErrorContains(t, err, `not "protobuf"`)
	}
	assert.Zero(t, rb.groupMessages()[0].SequenceID, "the plain protobuf subprotocol has no sequence ids")
	assert.NotZero(t, rj.groupMessages()[0].SequenceID)
	assert.Empty(t, rb.groupMessages()[0].FromUserID, "protobuf has no fromUserId")
	assert.Equal(t, "alice", rj.groupMessages()[0].FromUserID)

	// noEcho held for the first message only.
	require.Eventually(t, func() bool { return len(ra.groupMessages()) == 3 }, 5*time.Second, 5*time.Millisecond)
	assert.NotZero(t, ra.groupMessages()[0].SequenceID, "the reliable protobuf subprotocol carries sequence ids")

	// A JSON client's protobuf data reaches protobuf clients as the Any.
	_, err = j.SendToGroup(ctx, "room", client.Protobuf(wrapperspb.Int64(9)), nil)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(rb.groupMessages()) == 5 }, 5*time.Second, 5*time.Millisecond)
	got, err := rb.groupMessages()[4].Any()
	require.NoError(t, err)
	n, err := got.UnmarshalNew()
	require.NoError(t, err)
	assert.True(t, proto.Equal(wrapperspb.Int64(9), n))
	assert.Empty(t, ra.invalidMessages())
	assert.Empty(t, rb.invalidMessages())
}

func TestProtobufAcksForbiddenAndDuplicate(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	ctx := ctxT(t)
	none := startClient(t, v.url(t, "u"), withProtocol(client.ProtocolProtobuf))
	_, err := none.JoinGroup(ctx, "secret", &client.JoinGroupOptions{AckID: 77})
	var se *client.SendMessageError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "Forbidden", se.ErrorName)
	assert.Equal(t, "The client does not have permission to join group 'secret'.", se.Message, "the service's words")
	assert.Equal(t, uint64(77), se.AckID)

	var r recorder
	c := startClient(t, v.url(t, "u", allRoles...), r.hook(withProtocol(client.ProtocolProtobufReliable)))
	_, err = c.JoinGroup(ctx, "g", nil)
	require.NoError(t, err)
	res, err := c.SendToGroup(ctx, "g", client.Text("once"), &client.SendToGroupOptions{AckID: 42})
	require.NoError(t, err)
	assert.False(t, res.Duplicated)
	res, err = c.SendToGroup(ctx, "g", client.Text("once"), &client.SendToGroupOptions{AckID: 42})
	require.NoError(t, err)
	assert.True(t, res.Duplicated)
	_, err = c.SendEvent(ctx, "e", client.Protobuf(wrapperspb.Bool(true)), &client.SendEventOptions{AckID: 43})
	require.ErrorAs(t, err, &se, "an event that no handler takes fails, as in the service")
	assert.Equal(t, "InternalServerError", se.ErrorName)
	assert.Equal(t, "Internal server error", se.Message)
	require.Eventually(t, func() bool { return len(r.groupMessages()) == 1 }, 5*time.Second, 5*time.Millisecond)
}

func TestProtobufServerMessages(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var r recorder
	startClient(t, v.url(t, "u"), r.hook(withProtocol(client.ProtocolProtobufReliable)))
	ctx := ctxT(t)
	for _, m := range []webpubsub.Message{webpubsub.TextMessage("hi"), webpubsub.JSONMessage(map[string]int{"a": 1}), webpubsub.BinaryMessage([]byte{0, 1})} {
		require.NoError(t, errOf(v.sc.SendToAll(ctx, m, nil)))
	}
	require.Eventually(t, func() bool { return len(r.serverMessages()) == 3 }, 5*time.Second, 5*time.Millisecond)
	got := r.serverMessages()
	assert.Equal(t, client.DataTypeText, got[0].DataType)
	assert.Equal(t, "hi", string(got[0].Data))
	assert.Equal(t, client.DataTypeJSON, got[1].DataType)
	assert.JSONEq(t, `{"a":1}`, string(got[1].Data))
	assert.Equal(t, client.DataTypeBinary, got[2].DataType)
	assert.Equal(t, []byte{0, 1}, got[2].Data)
	assert.Equal(t, uint64(3), got[2].SequenceID)
}

func TestProtobufRecoveryAfterDropKeepsConnectionAndMessages(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	var r recorder
	c := startClient(t, v.url(t, "u", allRoles...), r.hook(withProtocol(client.ProtocolProtobufReliable)))
	sender := startClient(t, v.url(t, "s", allRoles...), withProtocol(client.ProtocolProtobufReliable))
	ctx := ctxT(t)
	_, err := c.JoinGroup(ctx, "g", nil)
	require.NoError(t, err)
	id := c.ConnectionID()
	for i := 0; i < 5; i++ {
		require.True(t, v.e.DropConnection(v.hub, id))
		_, err = sender.SendToGroup(ctx, "g", client.Protobuf(wrapperspb.Int32(int32(i))), nil)
		require.NoError(t, err)
		_, err = c.JoinGroup(ctx, "g", nil)
		require.NoError(t, err, "operations wait for the recovered connection")
	}
	require.Eventually(t, func() bool { return len(r.groupMessages()) == 5 }, 5*time.Second, 5*time.Millisecond)
	for i, m := range r.groupMessages() {
		a, err := m.Any()
		require.NoError(t, err)
		var n wrapperspb.Int32Value
		require.NoError(t, a.UnmarshalTo(&n))
		assert.Equal(t, int32(i), n.GetValue(), "in order, exactly once")
	}
	assert.Equal(t, id, c.ConnectionID(), "recovery keeps the connection")
	assert.Len(t, r.connectedEvents(), 1, "a recovery is not a new connection")
	assert.Empty(t, r.disconnectedEvents())
}

func TestProtobufDataErrors(t *testing.T) {
	v := newEnv(t, emulator.Options{})
	c := startClient(t, v.url(t, "u", allRoles...), withProtocol(client.ProtocolProtobuf))
	_, err := c.SendToGroup(ctxT(t), "g", client.Protobuf(nil), nil)
	assert.ErrorContains(t, err, "Protobuf needs a message")
	d := client.Protobuf(wrapperspb.String("x"))
	assert.Equal(t, client.DataTypeProtobuf, d.Type())
	var a anypb.Any
	require.NoError(t, proto.Unmarshal(d.Bytes(), &a), "the data is the serialized Any")
	assert.Equal(t, "type.googleapis.com/google.protobuf.StringValue", a.GetTypeUrl())
	_, err = client.ServerMessage{DataType: client.DataTypeProtobuf, Data: []byte{0xff}}.Any()
	assert.ErrorContains(t, err, "not a google.protobuf.Any")
}
