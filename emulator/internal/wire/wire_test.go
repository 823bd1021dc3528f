package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

func TestDataTypesAreTheProtocols(t *testing.T) {
	for _, pair := range [][2]string{
		{string(core.DataText), string(protocol.DataTypeText)},
		{string(core.DataJSON), string(protocol.DataTypeJSON)},
		{string(core.DataBinary), string(protocol.DataTypeBinary)},
		{string(core.DataProtobuf), string(protocol.DataTypeProtobuf)},
	} {
		assert.Equal(t, pair[1], pair[0])
	}
	p := protocol.Payload{Type: protocol.DataTypeJSON, Data: []byte(`{}`)}
	assert.Equal(t, p, Payload(CorePayload(p)))
}

func TestFramesCarryTheSequenceIDAddedAtWriteTime(t *testing.T) {
	info := &protocol.StreamInfo{StreamID: "s", StreamSequenceID: 2}
	group := &core.Message{Origin: core.FromGroup, Group: "g", FromUserID: "u", Data: core.Payload{Type: core.DataText, Data: []byte("hi")}, Extra: info}
	server := &core.Message{Origin: core.FromServer, Data: core.Payload{Type: core.DataBinary, Data: []byte{1, 2}}}
	for _, f := range []*Format{JSON, Protobuf} {
		codec := protocol.JSONCodec
		if f.Binary {
			codec = protocol.ProtobufCodec
		}
		assert.Same(t, f, FormatOf(codec))
		frame, err := group.Encode(f.Encoding)
		require.NoError(t, err)
		again, _ := group.Encode(f.Encoding)
		assert.Same(t, &frame[0], &again[0], "encoded once")
		m, err := codec.DecodeDownstream(f.AppendSequenceID(nil, frame, 7))
		require.NoError(t, err)
		gm, ok := m.(protocol.GroupDataMessage)
		require.True(t, ok, "%T", m)
		assert.Equal(t, uint64(7), gm.SequenceID)
		assert.Equal(t, "g", gm.Group)
		assert.Equal(t, "hi", string(gm.Data.Data))
		assert.Equal(t, info, gm.Stream)

		frame, err = server.Encode(f.Encoding)
		require.NoError(t, err)
		m, err = codec.DecodeDownstream(frame)
		require.NoError(t, err)
		sm, ok := m.(protocol.ServerDataMessage)
		require.True(t, ok, "%T", m)
		assert.Equal(t, uint64(0), sm.SequenceID)
		assert.Equal(t, []byte{1, 2}, sm.Data.Data)
	}
}

func TestCheckRefusesWhatTheSubprotocolsCannotCarry(t *testing.T) {
	bad := &core.Message{Data: core.Payload{Type: core.DataJSON, Data: []byte("{nope")}}
	err := Check(bad)
	require.Error(t, err)
	assert.Equal(t, "json payload is not valid JSON", err.Error())
	assert.NoError(t, Check(&core.Message{Data: core.Payload{Type: core.DataJSON, Data: []byte(`{"a":1}`)}}))
}

// A REST send to a group is a group message without a sender, in every
// family: {"type":"message","from":"group","group":...} without fromUserId in
// JSON, a GroupMessage in protobuf; the metadata of a message reach both.
func TestGroupMessagesWithoutSenderAndMetadata(t *testing.T) {
	md := map[string]string{"trace": "t1"}
	group := &core.Message{Origin: core.FromGroup, Group: "g", Data: core.Payload{Type: core.DataText, Data: []byte("hi")}, Metadata: md}
	frame, err := group.Encode(JSON.Encoding)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"message","from":"group","group":"g","dataType":"text","data":"hi","metadata":{"trace":"t1"}}`, string(frame))

	for _, codec := range []protocol.Codec{protocol.JSONCodec, protocol.ProtobufCodec} {
		frame, err := group.Encode(FormatOf(codec).Encoding)
		require.NoError(t, err)
		m, err := codec.DecodeDownstream(frame)
		require.NoError(t, err)
		gm, ok := m.(protocol.GroupDataMessage)
		require.True(t, ok, "%T", m)
		assert.Equal(t, "g", gm.Group)
		assert.Empty(t, gm.FromUserID)
		assert.Equal(t, md, gm.Metadata)

		server := &core.Message{Origin: core.FromServer, Data: core.Payload{Type: core.DataText, Data: []byte("s")}, Metadata: md}
		frame, err = server.Encode(FormatOf(codec).Encoding)
		require.NoError(t, err)
		m, err = codec.DecodeDownstream(frame)
		require.NoError(t, err)
		sm, ok := m.(protocol.ServerDataMessage)
		require.True(t, ok, "%T", m)
		assert.Equal(t, md, sm.Metadata)
	}
}

// TestMetadataReachesGroupAndServerFrames: a message's metadata are written
// on the group and server data messages of both families, with a sequence
// id added at write time (the resend buffer holds the same message).
func TestMetadataReachesGroupAndServerFrames(t *testing.T) {
	md := map[string]string{"trace-id": "42", "tenant": "t1"}
	group := &core.Message{Origin: core.FromGroup, Group: "g", Data: core.Payload{Type: core.DataText, Data: []byte("hi")}, Metadata: md}
	server := &core.Message{Origin: core.FromServer, Data: core.Payload{Type: core.DataJSON, Data: []byte(`{"a":1}`)}, Metadata: md}
	for _, f := range []*Format{JSON, Protobuf} {
		codec := protocol.JSONCodec
		if f.Binary {
			codec = protocol.ProtobufCodec
		}
		frame, err := group.Encode(f.Encoding)
		require.NoError(t, err)
		m, err := codec.DecodeDownstream(f.AppendSequenceID(nil, frame, 3))
		require.NoError(t, err)
		gm, ok := m.(protocol.GroupDataMessage)
		require.True(t, ok, "%T", m)
		assert.Equal(t, md, gm.Metadata)
		assert.Equal(t, uint64(3), gm.SequenceID)

		frame, err = server.Encode(f.Encoding)
		require.NoError(t, err)
		m, err = codec.DecodeDownstream(frame)
		require.NoError(t, err)
		sm, ok := m.(protocol.ServerDataMessage)
		require.True(t, ok, "%T", m)
		assert.Equal(t, md, sm.Metadata)
	}
}
