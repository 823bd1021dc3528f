package protocol

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/webpubsub-go/webpubsub/internal/protocol/pb"
)

// anyPayload returns the protobuf payload of an Int32Value, the example of
// the service's documentation.
func anyPayload(t testing.TB, v int32) Payload {
	a, err := anypb.New(wrapperspb.Int32(v))
	require.NoError(t, err)
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(a)
	require.NoError(t, err)
	return Payload{Type: DataTypeProtobuf, Data: b}
}

// TestProtobufWireBytes pins the field numbers of the public schema with
// frames written by hand, independently of the generated code.
func TestProtobufWireBytes(t *testing.T) {
	cases := []struct {
		name string
		msg  Message
		hex  string
	}{
		// UpstreamMessage.join_group_message (6) {group (1) "g1", ack_id (2) 1}
		{"joinGroup", JoinGroupMessage{Group: "g1", AckID: ack(1)}, "3206" + "0a026731" + "1001"},
		// leave_group_message (7) {group "g1"}
		{"leaveGroup", LeaveGroupMessage{Group: "g1"}, "3a04" + "0a026731"},
		// send_to_group_message (1) {group "g", ack_id 3, data (3) {text_data (1) "hi"}, no_echo (4) true}
		{"sendToGroup", SendToGroupMessage{Group: "g", AckID: ack(3), NoEcho: true, Data: Payload{Type: DataTypeText, Data: []byte("hi")}},
			"0a0d" + "0a0167" + "1003" + "1a040a026869" + "2001"},
		// event_message (5) {event (1) "e", data (2) {json_data (4) "1"}, ack_id (3) 2}
		{"event", EventMessage{Event: "e", AckID: ack(2), Data: Payload{Type: DataTypeJSON, Data: []byte("1")}},
			"2a0a" + "0a0165" + "12032201" + "31" + "1802"},
		// sequence_ack_message (8) {sequence_id (1) 5}
		{"sequenceAck", SequenceAckMessage{SequenceID: 5}, "4202" + "0805"},
		// ping_message (9) {}
		{"ping", PingMessage{}, "4a00"},
		// DownstreamMessage.pong_message (4) {}
		{"pong", PongMessage{}, "2200"},
		// ack_message (1) {ack_id 7, success (2) false, error (3) {name "Forbidden", message "no"}}
		{"ack", AckMessage{AckID: 7, Error: &AckError{Name: "Forbidden", Message: "no"}}, "0a13" + "0807" + "1a0f" + "0a09466f7262696464656e" + "12026e6f"},
		// data_message (2) {from (1) "group", group (2) "g", data (3) {binary_data (2) 0x01ff}}
		{"group data", GroupDataMessage{Group: "g", Data: Payload{Type: DataTypeBinary, Data: []byte{1, 0xff}}},
			"1210" + "0a0567726f7570" + "120167" + "1a04120201ff"},
		// data_message {from "server", data {text_data "x"}, sequence_id (4) 9}
		{"server data", ServerDataMessage{Data: Payload{Type: DataTypeText, Data: []byte("x")}, SequenceID: 9},
			"120f" + "0a06736572766572" + "1a030a0178" + "2009"},
		// system_message (3) {connected_message (1) {connection_id "c", user_id "u", reconnection_token (3) "t"}}
		{"connected", ConnectedMessage{ConnectionID: "c", UserID: "u", ReconnectionToken: "t"}, "1a0b" + "0a09" + "0a0163" + "120175" + "1a0174"},
		// system_message {disconnected_message (2) {reason (2) "bye"}}
		{"disconnected", DisconnectedMessage{Message: "bye"}, "1a07" + "1205" + "1203627965"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := EncodeProtobuf(tc.msg)
			require.NoError(t, err)
			want, err := hex.DecodeString(tc.hex)
			require.NoError(t, err)
			assert.Equal(t, want, b, "got %x", b)
		})
	}
}

func TestProtobufRoundTrip(t *testing.T) {
	anyP := anyPayload(t, 4)
	up := []Message{
		JoinGroupMessage{Group: "g1"},
		JoinGroupMessage{Group: "g1", AckID: ack(0)},
		LeaveGroupMessage{Group: "g1", AckID: ack(2)},
		SendToGroupMessage{Group: "g", AckID: ack(3), NoEcho: true, Data: textPayload},
		SendToGroupMessage{Group: "g", Data: jsonPayload},
		SendToGroupMessage{Group: "g", Data: binaryPayload},
		SendToGroupMessage{Group: "g", Data: anyP, TTLSeconds: 30},
		EventMessage{Event: "e", AckID: ack(4), Data: anyP, Metadata: map[string]string{"k": "v"}},
		EventMessage{Event: "e", Data: textPayload},
		SequenceAckMessage{SequenceID: 1 << 40},
		PingMessage{},
	}
	for _, m := range up {
		b, err := EncodeProtobuf(m)
		require.NoError(t, err, "%#v", m)
		got, err := DecodeUpstream(b)
		require.NoError(t, err, "%#v", m)
		assert.Equal(t, m, got)
		got, err = ProtobufCodec.DecodeUpstream(b)
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
	down := []Message{
		AckMessage{AckID: 1, Success: true},
		AckMessage{AckID: 2, Error: &AckError{Name: ErrorDuplicate, Message: "dup"}},
		GroupDataMessage{Group: "g", Data: anyP, SequenceID: 3},
		GroupDataMessage{Group: "g", Data: textPayload},
		ServerDataMessage{Data: jsonPayload, SequenceID: 1},
		ServerDataMessage{Data: binaryPayload},
		ConnectedMessage{ConnectionID: "c", UserID: "u", ReconnectionToken: "t"},
		ConnectedMessage{ConnectionID: "c"},
		DisconnectedMessage{Message: "bye"},
		PongMessage{},
	}
	for _, m := range down {
		b, err := EncodeProtobuf(m)
		require.NoError(t, err, "%#v", m)
		got, err := DecodeDownstream(b)
		require.NoError(t, err, "%#v", m)
		assert.Equal(t, m, got)
	}
}

func TestProtobufGroupDataHasNoFromUserID(t *testing.T) {
	b, err := EncodeProtobuf(GroupDataMessage{Group: "g", FromUserID: "alice", Data: textPayload})
	require.NoError(t, err)
	got, err := DecodeDownstream(b)
	require.NoError(t, err)
	assert.Equal(t, GroupDataMessage{Group: "g", Data: textPayload}, got)
}

func TestProtobufAnyKeepsTypeURL(t *testing.T) {
	b, err := EncodeProtobuf(ServerDataMessage{Data: anyPayload(t, 42)})
	require.NoError(t, err)
	var d pb.DownstreamMessage
	require.NoError(t, proto.Unmarshal(b, &d))
	a := d.GetDataMessage().GetData().GetProtobufData()
	require.NotNil(t, a, "payload must travel as protobuf_data")
	assert.Equal(t, "type.googleapis.com/google.protobuf.Int32Value", a.GetTypeUrl())
	var v wrapperspb.Int32Value
	require.NoError(t, a.UnmarshalTo(&v))
	assert.Equal(t, int32(42), v.GetValue())
}

func TestProtobufPayloadsMapToTheirFields(t *testing.T) {
	cases := []struct {
		p    Payload
		want func(*pb.MessageData) bool
	}{
		{textPayload, func(d *pb.MessageData) bool { return d.GetTextData() == string(textPayload.Data) }},
		{jsonPayload, func(d *pb.MessageData) bool { return d.GetJsonData() == string(jsonPayload.Data) }},
		{binaryPayload, func(d *pb.MessageData) bool { return string(d.GetBinaryData()) == string(binaryPayload.Data) }},
		// Bytes that are not a serialized Any cannot be protobuf_data.
		{Payload{Type: DataTypeProtobuf, Data: []byte{0xff, 0xff}}, func(d *pb.MessageData) bool { return string(d.GetBinaryData()) == "\xff\xff" }},
	}
	for _, tc := range cases {
		b, err := EncodeProtobuf(GroupDataMessage{Group: "g", Data: tc.p})
		require.NoError(t, err)
		var d pb.DownstreamMessage
		require.NoError(t, proto.Unmarshal(b, &d))
		assert.True(t, tc.want(d.GetDataMessage().GetData()), "payload %s %q became %v", tc.p.Type, tc.p.Data, d.GetDataMessage().GetData())
	}
}

func TestProtobufInvalidUTF8TextIsReplaced(t *testing.T) {
	b, err := EncodeProtobuf(ServerDataMessage{Data: Payload{Type: DataTypeText, Data: []byte("a\xffb")}})
	require.NoError(t, err)
	got, err := DecodeDownstream(b)
	require.NoError(t, err)
	assert.Equal(t, "a\uFFFDb", string(got.(ServerDataMessage).Data.Data))
}

func TestAppendProtobufSequenceID(t *testing.T) {
	for _, m := range []Message{
		GroupDataMessage{Group: "g", Data: anyPayload(t, 1)},
		ServerDataMessage{Data: Payload{Type: DataTypeBinary, Data: make([]byte, 300)}},
	} {
		b, err := EncodeProtobuf(m)
		require.NoError(t, err)
		for _, seq := range []uint64{1, 127, 128, 1 << 62} {
			withSeq, err := AppendProtobufSequenceID(nil, b, seq)
			require.NoError(t, err)
			got, err := DecodeDownstream(withSeq)
			require.NoError(t, err)
			switch g := got.(type) {
			case GroupDataMessage:
				assert.Equal(t, seq, g.SequenceID)
				assert.Equal(t, m.(GroupDataMessage).Data, g.Data)
			case ServerDataMessage:
				assert.Equal(t, seq, g.SequenceID)
				assert.Equal(t, m.(ServerDataMessage).Data, g.Data)
			}
		}
	}
	ackFrame, err := EncodeProtobuf(AckMessage{AckID: 1, Success: true})
	require.NoError(t, err)
	_, err = AppendProtobufSequenceID(nil, ackFrame, 1)
	assert.Error(t, err)
	_, err = AppendProtobufSequenceID(nil, []byte{0x12, 0x05, 0x00}, 1)
	assert.Error(t, err)

	// Into a buffer of enough capacity, nothing is allocated.
	frame, err := EncodeProtobuf(GroupDataMessage{Group: "g", Data: textPayload})
	require.NoError(t, err)
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		buf, err = AppendProtobufSequenceID(buf[:0], frame, 1<<40)
	})
	require.NoError(t, err)
	assert.Zero(t, allocs)
	got, err := DecodeDownstream(buf)
	require.NoError(t, err)
	assert.Equal(t, uint64(1<<40), got.(GroupDataMessage).SequenceID)
}

func TestDecodeProtobufErrors(t *testing.T) {
	enc := func(u *pb.UpstreamMessage) []byte {
		b, err := proto.Marshal(u)
		require.NoError(t, err)
		return b
	}
	cases := []struct {
		name  string
		frame []byte
		err   string
		ackID *uint64
	}{
		{"garbage", []byte{0xff, 0xff, 0xff}, "not a protobuf UpstreamMessage", nil},
		{"empty", nil, "message has no type", nil},
		{"join without group", enc(&pb.UpstreamMessage{Message: &pb.UpstreamMessage_JoinGroupMessage_{JoinGroupMessage: &pb.UpstreamMessage_JoinGroupMessage{AckId: ack(5)}}}), "joinGroup needs a group", ack(5)},
		{"send without data", enc(&pb.UpstreamMessage{Message: &pb.UpstreamMessage_SendToGroupMessage_{SendToGroupMessage: &pb.UpstreamMessage_SendToGroupMessage{Group: "g", AckId: ack(6)}}}), "data is missing", ack(6)},
		{"event without name", enc(&pb.UpstreamMessage{Message: &pb.UpstreamMessage_EventMessage_{EventMessage: &pb.UpstreamMessage_EventMessage{AckId: ack(7)}}}), "needs an event name", ack(7)},
		{"invalid json_data", enc(&pb.UpstreamMessage{Message: &pb.UpstreamMessage_EventMessage_{EventMessage: &pb.UpstreamMessage_EventMessage{Event: "e", Data: &pb.MessageData{Data: &pb.MessageData_JsonData{JsonData: "{"}}}}}), "not valid JSON", nil},
		{"stream start", enc(&pb.UpstreamMessage{Message: &pb.UpstreamMessage_SendToGroupMessage_{SendToGroupMessage: &pb.UpstreamMessage_SendToGroupMessage{Group: "g", AckId: ack(8), Data: &pb.MessageData{Data: &pb.MessageData_TextData{TextData: "x"}}, Stream: &pb.UpstreamMessage_StreamStartInfo{StreamId: "s"}}}}), "stream-opening sendToGroup has no ack_id and no data", ack(8)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeUpstream(tc.frame)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
			id, ok := ProbeUpstream(tc.frame)
			assert.Equal(t, tc.ackID, id)
			assert.Equal(t, tc.name != "garbage", ok, "parses as an UpstreamMessage")
		})
	}
	_, err := DecodeDownstream([]byte{0x0a})
	assert.ErrorContains(t, err, "not a protobuf DownstreamMessage")
	_, err = DecodeDownstream(nil)
	assert.ErrorContains(t, err, "message has no type")
}

func TestCodecFor(t *testing.T) {
	assert.Equal(t, JSONCodec, CodecFor(JSON))
	assert.Equal(t, JSONCodec, CodecFor(JSONReliable))
	assert.Equal(t, ProtobufCodec, CodecFor(Protobuf))
	assert.Equal(t, ProtobufCodec, CodecFor(ProtobufReliable))
	assert.Nil(t, CodecFor(""))
	assert.True(t, ProtobufCodec.Binary())
	assert.False(t, JSONCodec.Binary())
	assert.True(t, IsReliable(ProtobufReliable))
	assert.False(t, IsReliable(Protobuf))
	assert.True(t, IsProtobuf(Protobuf))
	assert.False(t, IsProtobuf(JSONReliable))
}
