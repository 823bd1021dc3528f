package protocol

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
)

func TestProtobufPreviewWireBytes(t *testing.T) {
	cases := []struct {
		name string
		msg  Message
		hex  string
	}{
		// UpstreamMessage.invoke_event_message (10) {event (1) "e", invocation_id (2) "1"}
		{"invoke", InvokeMessage{InvocationID: "1", Target: InvokeTargetEvent, Event: "e"}, "5206" + "0a0165" + "120131"},
		// cancel_invocation_message (11) {invocation_id (1) "1"}
		{"cancel", CancelInvocationMessage{InvocationID: "1"}, "5a03" + "0a0131"},
		// stream_data_message (13) {stream_id "s", stream_sequence_id (2) 1, data (3) {text_data "x"}}
		{"stream data", StreamDataMessage{StreamID: "s", StreamSequenceID: 1, Data: Payload{Type: DataTypeText, Data: []byte("x")}}, "6a0a" + "0a0173" + "1001" + "1a030a0178"},
		// stream_end_message (14) {stream_id "s", error (2) {message (1) "m", user_error_code (2) "c"}}
		{"stream end", StreamEndMessage{StreamID: "s", Error: &StreamError{Message: "m", UserErrorCode: "c"}}, "720b" + "0a0173" + "1206" + "0a016d" + "120163"},
		// subscribe_group_state_message (16) {group "g", ack_id 1}: tag 16<<3|2 = 0x82 0x01
		{"subscribe", SubscribeGroupStateMessage{Group: "g", AckID: ack(1)}, "820105" + "0a0167" + "1001"},
		// DownstreamMessage.invoke_response_message (5) {invocation_id "1", success (2) true}
		{"invoke response", InvokeSucceeded("1", Payload{}), "2a05" + "0a0131" + "1001"},
		// stream_ack_message (6) {stream_id "s", expected_sequence_id (2) 2}
		{"stream ack", StreamAckMessage{StreamID: "s", ExpectedSequenceID: 2}, "3205" + "0a0173" + "1002"},
		// stream_closed_message (8) {stream_id "s", error (2) {name "n", message "m"}}
		{"stream closed", StreamClosedMessage{StreamID: "s", Error: &AckError{Name: "n", Message: "m"}}, "420b" + "0a0173" + "1206" + "0a016e" + "12016d"},
		// data_message (2) {from "group", group "g", sequence_id (4) absent, stream (6) {stream_id "s", stream_sequence_id 3, end_of_stream (3) true}}, no data
		{"stream terminal frame", GroupDataMessage{Group: "g", Data: Payload{Type: DataTypeJSON}, Stream: &StreamInfo{StreamID: "s", StreamSequenceID: 3, EndOfStream: true}},
			"1213" + "0a0567726f7570" + "120167" + "3207" + "0a0173" + "1003" + "1801"},
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

func TestProtobufPreviewRoundTrip(t *testing.T) {
	up := []Message{
		InvokeMessage{InvocationID: "1", Target: InvokeTargetEvent, Event: "e", Data: anyPayload(t, 1), Metadata: map[string]string{"k": "v"}},
		InvokeMessage{InvocationID: "2", Target: InvokeTargetEvent, Event: "e"},
		CancelInvocationMessage{InvocationID: "1"},
		StreamDataMessage{StreamID: "s", StreamSequenceID: 1, Data: jsonPayload},
		StreamDataMessage{StreamID: "s"},
		StreamEndMessage{StreamID: "s"},
		StreamEndMessage{StreamID: "s", Error: &StreamError{Message: "m", UserErrorCode: "c"}},
		SendToGroupMessage{Group: "g", NoEcho: true, Stream: &StreamOpen{StreamID: "s", IdleTimeoutMs: 5000}},
		SendToGroupMessage{Group: "g", Stream: &StreamOpen{StreamID: "s"}},
		SetGroupStateMessage{Group: "g", AckID: ack(1), State: map[string]string{"k": "v"}},
		SetGroupStateMessage{Group: "g"},
		SetGroupStateMessage{Group: "g", State: map[string]string{}},
		SubscribeGroupStateMessage{Group: "g", AckID: ack(2)},
		UnsubscribeGroupStateMessage{Group: "g"},
	}
	for _, m := range up {
		b, err := EncodeProtobuf(m)
		require.NoError(t, err, "%#v", m)
		got, err := DecodeUpstream(b)
		require.NoError(t, err, "%#v", m)
		assert.Equal(t, m, got)
	}
	down := []Message{
		InvokeSucceeded("1", textPayload),
		InvokeSucceeded("2", Payload{}),
		InvokeFailed("3", "InternalServerError", "boom"),
		StreamAckMessage{StreamID: "s", ExpectedSequenceID: 4},
		StreamNackMessage{StreamID: "s", Name: "ProtocolViolation", Message: "gap", ExpectedSequenceID: 2},
		StreamClosedMessage{StreamID: "s"},
		StreamClosedMessage{StreamID: "s", Error: &AckError{Name: "Forbidden", Message: "no"}},
		GroupDataMessage{Group: "g", Data: binaryPayload, SequenceID: 2, Stream: &StreamInfo{StreamID: "s", StreamSequenceID: 1}},
		GroupDataMessage{Group: "g", Data: Payload{Type: DataTypeJSON}, Stream: &StreamInfo{StreamID: "s", StreamSequenceID: 2, EndOfStream: true, Error: &StreamError{Name: "StreamAborted", Message: "m", UserErrorCode: "c"}}},
		GroupStateSnapshotMessage{Group: "g", Items: []GroupStateItem{{ConnectionID: "c", UserID: "u", State: map[string]string{"k": "v"}, UpdatedAt: 1700000000000}, {ConnectionID: "d", UpdatedAt: 1}}},
		GroupStateUpdateMessage{Group: "g", Items: []GroupStateItem{}},
	}
	for _, m := range down {
		b, err := EncodeProtobuf(m)
		require.NoError(t, err, "%#v", m)
		got, err := DecodeDownstream(b)
		require.NoError(t, err, "%#v", m)
		assert.Equal(t, m, got)
	}
}

func TestProtobufPreviewErrorsAndForwardCompatibility(t *testing.T) {
	for _, m := range []Message{
		InvokeMessage{Event: "e"},
		InvokeMessage{InvocationID: "1"},
		StreamDataMessage{StreamID: "s", Data: textPayload},
		StreamEndMessage{},
		SetGroupStateMessage{},
	} {
		b, err := EncodeProtobuf(m)
		require.NoError(t, err)
		_, err = DecodeUpstream(b)
		assert.Error(t, err, "%#v", m)
	}
	_, err := EncodeProtobuf(UnknownMessage{TypeName: "x"})
	assert.Error(t, err)

	// A frame of a newer schema (a oneof field this schema does not have)
	// is an UnknownMessage that readers drop, in both directions.
	future := protowire.AppendTag(nil, 99, protowire.BytesType)
	future = protowire.AppendBytes(future, []byte{0x08, 0x01})
	m, err := DecodeDownstream(future)
	require.NoError(t, err)
	assert.IsType(t, UnknownMessage{}, m)
	m, err = DecodeUpstream(future)
	require.NoError(t, err)
	assert.IsType(t, UnknownMessage{}, m)

	// A data message whose data is of a newer kind is dropped too.
	data := protowire.AppendTag(nil, 1, protowire.BytesType)
	data = protowire.AppendString(data, FromServer)
	data = protowire.AppendTag(data, 3, protowire.BytesType)
	data = protowire.AppendBytes(data, protowire.AppendVarint(protowire.AppendTag(nil, 9, protowire.VarintType), 1))
	frame := protowire.AppendTag(nil, 2, protowire.BytesType)
	frame = protowire.AppendBytes(frame, data)
	m, err = DecodeDownstream(frame)
	require.NoError(t, err)
	assert.IsType(t, UnknownMessage{}, m)
}
