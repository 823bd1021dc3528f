package protocol

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/webpubsub-go/webpubsub/internal/protocol/pb"
)

// TestDecodeJSONRequestRefuses holds the frames the service refuses as
// invalid messages (closing with 1007): the cases of Microsoft's emulator's
// WebPubSubJsonProtocolTests.Parse_MalformedMessage_ThrowsInvalidData that
// concern this package (metadata is validated with the metadata), plus
// ours.
func TestDecodeJSONRequestRefuses(t *testing.T) {
	long := strings.Repeat("g", 1025)
	for _, frame := range []string{
		// Microsoft's cases
		`{"type":"joinGroup","group":"room","ackId":"1"}`,
		`{"type":"joinGroup","group":"room","ackId":true}`,
		`{"type":"joinGroup","group":"room","ackId":-1}`,
		`{"type":"joinGroup","group":"room","ackId":{}}`,
		`{"type":"sequenceAck","sequenceId":"1"}`,
		`{"type":"sequenceAck","sequenceId":[]}`,
		`{"type":"sequenceAck"}`,
		`{"type":"sendToGroup","group":"room","dataType":"text","data":"hi","noEcho":"true"}`,
		`{"type":"sendToGroup","group":"room","dataType":"text","data":"hi","noEcho":1}`,
		`{"type":"sendToGroup","group":"room","data":"hi","ttlSeconds":-1}`,
		`{"type":"sendToGroup","group":"room","data":"hi","ttlSeconds":301}`,
		`{"type":"sendToGroup","group":"room","data":"hi","ttlSeconds":"30"}`,
		`{"type":"sendToGroup","group":"room","dataType":"binary","data":"not base64!"}`,
		`{"type":"sendToGroup","group":"room","dataType":42,"data":"hi"}`,
		`{"type":"sendToGroup","group":"room","dataType":"text"}`,
		`{"type":"sendToGroup","group":"room","data":"hi","metadata":[]}`,
		`{"type":"sendToGroup","group":"room","data":"hi","metadata":{"key":1}}`,
		`{"type":"sendToGroup","group":"room","data":"hi","metadata":{"bad key":"value"}}`,
		`{"type":"event","event":"message","metadata":{"key":"非 ASCII"}}`,
		`{"type":"setGroupState","group":"room","state":[]}`,
		`{"type":"setGroupState","group":"room","state":{"activity":1}}`,
		`{"type":42}`,
		`["joinGroup"]`,
		`{"type":"unknown"}`,
		// metadata: a repeated key, over the bounds
		`{"type":"sendToGroup","group":"room","data":"hi","metadata":{"a":"1","a":"2"}}`,
		`{"type":"event","event":"e","data":"hi","metadata":{"` + strings.Repeat("k", 257) + `":"v"}}`,
		`{"type":"invoke","invocationId":"1","event":"e","metadata":{"k":"` + strings.Repeat("v", 1025) + `"}}`,
		`{"type":"sendToGroup","group":"room","metadata":null}`,
		// unknown or service-to-client types
		`{}`,
		`{"type":""}`,
		`{"type":"ack","ackId":1,"success":true}`,
		`{"type":"message","from":"server","dataType":"text","data":"x"}`,
		`{"type":"system","event":"connected"}`,
		`{"type":"pong"}`,
		`{"type":"streamAck","streamId":"s","expectedSequenceId":1}`,
		// groups
		`{"type":"joinGroup"}`,
		`{"type":"joinGroup","group":""}`,
		`{"type":"leaveGroup","group":"  "}`,
		`{"type":"joinGroup","group":"a\nb"}`,
		`{"type":"joinGroup","group":"` + long + `"}`,
		`{"type":"sendToGroup","dataType":"text","data":"hi"}`,
		`{"type":"subscribeGroupState","group":" "}`,
		// payloads
		`{"type":"sendToGroup","group":"room","dataType":"xml","data":"hi"}`,
		`{"type":"sendToGroup","group":"room","dataType":"json","data":null}`,
		`{"type":"sendToGroup","group":"room","data":null}`,
		`{"type":"sendToGroup","group":"room","dataType":"text","data":null}`,
		`{"type":"sendToGroup","group":"room","dataType":"text","data":5}`,
		`{"type":"sendToGroup","group":"room"}`,
		`{"type":"sendToGroup","group":"room","ttlSeconds":1.5,"data":1}`,
		`{"type":"event","event":"e","dataType":"binary","data":{}}`,
		// event names
		`{"type":"event","dataType":"text","data":"x"}`,
		`{"type":"event","event":"","dataType":"text","data":"x"}`,
		`{"type":"event","event":"1st","dataType":"text","data":"x"}`,
		`{"type":"event","event":"a b","dataType":"text","data":"x"}`,
		`{"type":"event","event":"` + strings.Repeat("e", 129) + `","dataType":"text","data":"x"}`,
		`{"type":"invoke","invocationId":"1","event":"bad event"}`,
		// preview frames that Decode refuses too
		`{"type":"streamData","streamSequenceId":1,"dataType":"text","data":"x"}`,
		`{"type":"invoke","event":"e"}`,
		// not JSON
		`not json`,
		``,
		`{"type":"ping"`,
	} {
		m, err := DecodeJSONRequest([]byte(frame))
		assert.Nil(t, m, frame)
		require.Error(t, err, frame)
		assert.True(t, errors.Is(err, ErrInvalidMessage), "%s: %v", frame, err)
	}
}

func TestDecodeJSONRequestAccepts(t *testing.T) {
	tests := []struct {
		frame string
		want  Message
	}{
		{`{"type":"joinGroup","group":"room","ackId":null}`, JoinGroupMessage{Group: "room"}},
		{`{"type":"joinGroup","group":"room","ackId":1}`, JoinGroupMessage{Group: "room", AckID: ack(1)}},
		{`{"type":"JOINGROUP","group":"room"}`, JoinGroupMessage{Group: "room"}},
		{`{"type":"leavegroup","group":" room "}`, LeaveGroupMessage{Group: " room "}},
		{`{"type":"joinGroup","group":"a\rb"}`, JoinGroupMessage{Group: "a\rb"}},
		// a missing dataType means json
		{`{"type":"sendToGroup","group":"room","data":"hi"}`, SendToGroupMessage{Group: "room", Data: Payload{Type: DataTypeJSON, Data: []byte(`"hi"`)}}},
		{`{"type":"sendToGroup","group":"room","dataType":"TEXT","data":"hi","noEcho":true,"ttlSeconds":300,"ackId":2}`,
			SendToGroupMessage{Group: "room", AckID: ack(2), NoEcho: true, TTLSeconds: 300, Data: Payload{Type: DataTypeText, Data: []byte("hi")}}},
		{`{"type":"sendToGroup","group":"room","data":{"a":1},"ttlSeconds":null}`, SendToGroupMessage{Group: "room", Data: Payload{Type: DataTypeJSON, Data: []byte(`{"a":1}`)}}},
		{`{"type":"sendToGroup","group":"room","dataType":"binary","data":"AQI="}`, SendToGroupMessage{Group: "room", Data: Payload{Type: DataTypeBinary, Data: []byte{1, 2}}}},
		{`{"type":"sendToGroup","group":"g","noEcho":false,"stream":{"streamId":"s1"}}`, SendToGroupMessage{Group: "g", Stream: &StreamOpen{StreamID: "s1"}}},
		{`{"type":"event","event":"Order.Created-v2","data":[1,2]}`, EventMessage{Event: "Order.Created-v2", Data: Payload{Type: DataTypeJSON, Data: []byte(`[1,2]`)}}},
		{`{"type":"event","event":"e","dataType":"json","data":false,"ackId":3}`, EventMessage{Event: "e", AckID: ack(3), Data: Payload{Type: DataTypeJSON, Data: []byte(`false`)}}},
		// metadata; with metadata, data may be left out (empty text), as in
		// Microsoft's Parse_MetadataOnlyMessage_IsRetained
		{`{"type":"sendToGroup","group":"room","dataType":"text","data":"hi","metadata":{"Trace-Id":"123","a":""}}`,
			SendToGroupMessage{Group: "room", Data: Payload{Type: DataTypeText, Data: []byte("hi")}, Metadata: map[string]string{"Trace-Id": "123", "a": ""}}},
		{`{"type":"sendToGroup","group":"room","metadata":{"Trace-Id":"123"}}`,
			SendToGroupMessage{Group: "room", Data: Payload{Type: DataTypeText, Data: []byte{}}, Metadata: map[string]string{"Trace-Id": "123"}}},
		{`{"type":"event","event":"message","metadata":{"Trace-Id":"123"}}`,
			EventMessage{Event: "message", Data: Payload{Type: DataTypeText, Data: []byte{}}, Metadata: map[string]string{"Trace-Id": "123"}}},
		{`{"type":"sequenceAck","sequenceId":7}`, SequenceAckMessage{SequenceID: 7}},
		{`{"type":"ping","ackId":5}`, PingMessage{}},
		{`{"type":"invoke","invocationId":"1","target":"event","event":"processOrder","dataType":"Json","data":{"id":1}}`,
			InvokeMessage{InvocationID: "1", Target: "event", Event: "processOrder", Data: Payload{Type: DataTypeJSON, Data: []byte(`{"id":1}`)}}},
		{`{"type":"invoke","invocationId":"2","event":"e"}`, InvokeMessage{InvocationID: "2", Event: "e"}},
		{`{"type":"cancelInvocation","invocationId":"1"}`, CancelInvocationMessage{InvocationID: "1"}},
		{`{"type":"streamData","streamId":"s","streamSequenceId":1,"dataType":"text","data":"x"}`, StreamDataMessage{StreamID: "s", StreamSequenceID: 1, Data: Payload{Type: DataTypeText, Data: []byte("x")}}},
		{`{"type":"streamEnd","streamId":"s","error":{"message":"m","userErrorCode":"c"}}`, StreamEndMessage{StreamID: "s", Error: &StreamError{Message: "m", UserErrorCode: "c"}}},
		{`{"type":"setGroupState","group":"room","state":{"activity":"typing"},"ackId":1}`, SetGroupStateMessage{Group: "room", AckID: ack(1), State: map[string]string{"activity": "typing"}}},
		{`{"type":"unsubscribeGroupState","group":"room"}`, UnsubscribeGroupStateMessage{Group: "room"}},
	}
	for _, tt := range tests {
		m, err := DecodeJSONRequest([]byte(tt.frame))
		require.NoError(t, err, tt.frame)
		assert.Equal(t, tt.want, m, tt.frame)
	}
}

// TestDecodeStaysLenient: the client's reader keeps dropping what it does not
// know (client-protocol-preview.md section 0), whatever the service refuses.
func TestDecodeStaysLenient(t *testing.T) {
	m, err := Decode([]byte(`{"type":"someFutureFrame","ackId":1}`))
	require.NoError(t, err)
	assert.IsType(t, UnknownMessage{}, m)
	_, err = DecodeJSONRequest([]byte(`{"type":"someFutureFrame","ackId":1}`))
	assert.ErrorIs(t, err, ErrInvalidMessage)

	m, err = Decode([]byte(`{"type":"message","from":"server","dataType":"avro","data":"x"}`))
	require.NoError(t, err)
	assert.IsType(t, UnknownMessage{}, m)
}

func TestInvalidMessageReason(t *testing.T) {
	assert.Equal(t, "The client message is not a valid JSON protocol message.", InvalidMessageReason(JSON))
	assert.Equal(t, "The client message is not a valid JSON protocol message.", InvalidMessageReason(JSONReliable))
	assert.Equal(t, "The client message is not a valid protobuf.webpubsub.azure.v1 protocol message.", InvalidMessageReason(Protobuf))
	assert.Equal(t, "The client message is not a valid protobuf.webpubsub.azure.v1 protocol message.", InvalidMessageReason(ProtobufReliable))
	assert.Equal(t, 1007, CloseCodeInvalidMessage)
	assert.Less(t, len(InvalidMessageReason(ProtobufReliable)), 123, "a close reason fits a control frame")
}

func TestDecodeProtobufRequest(t *testing.T) {
	enc := func(m Message) []byte {
		b, err := EncodeProtobuf(m)
		require.NoError(t, err)
		return b
	}
	for _, m := range []Message{
		JoinGroupMessage{Group: "room", AckID: ack(1)},
		LeaveGroupMessage{Group: "room"},
		SendToGroupMessage{Group: "room", Data: textPayload, TTLSeconds: 300},
		EventMessage{Event: "order.created", Data: jsonPayload},
		SequenceAckMessage{SequenceID: 4},
		PingMessage{},
		InvokeMessage{InvocationID: "1", Target: InvokeTargetEvent, Event: "e", Data: textPayload},
		SetGroupStateMessage{Group: "g", State: map[string]string{"k": "v"}},
		SendToGroupMessage{Group: "room", Data: textPayload, Metadata: map[string]string{"Trace-Id": "1"}},
		EventMessage{Event: "e", Data: Payload{Type: DataTypeText, Data: []byte{}}, Metadata: map[string]string{"k": ""}},
	} {
		got, err := DecodeProtobufRequest(enc(m))
		require.NoError(t, err, "%#v", m)
		assert.Equal(t, m, got)
	}
	noData, err := proto.Marshal(&pb.UpstreamMessage{Message: &pb.UpstreamMessage_SendToGroupMessage_{SendToGroupMessage: &pb.UpstreamMessage_SendToGroupMessage{Group: "g"}}})
	require.NoError(t, err)
	for name, frame := range map[string][]byte{
		"blank group":        enc(JoinGroupMessage{Group: "   "}),
		"group too long":     enc(LeaveGroupMessage{Group: strings.Repeat("g", 1025)}),
		"send blank group":   enc(SendToGroupMessage{Group: "\t", Data: textPayload}),
		"ttl above 300":      enc(SendToGroupMessage{Group: "g", Data: textPayload, TTLSeconds: 301}),
		"invalid event name": enc(EventMessage{Event: "no spaces", Data: textPayload}),
		"invoke event name":  enc(InvokeMessage{InvocationID: "1", Event: "_e"}),
		"state blank group":  enc(SubscribeGroupStateMessage{Group: " "}),
		"no message":         {},
		"unknown field only": {0xf8, 0x01, 0x01}, // field 31, varint: a newer schema's message
		"not protobuf":       []byte("{\"type\":\"ping\"}"),
		"send without data":  noData,
		"metadata key":       enc(SendToGroupMessage{Group: "g", Data: textPayload, Metadata: map[string]string{"bad key": "v"}}),
		"metadata value":     enc(EventMessage{Event: "e", Data: textPayload, Metadata: map[string]string{"k": "é"}}),
	} {
		m, err := DecodeProtobufRequest(frame)
		assert.Nil(t, m, name)
		assert.ErrorIs(t, err, ErrInvalidMessage, name)
	}
}

func TestServiceAckTexts(t *testing.T) {
	assert.Equal(t, "Message with ack-id: 42 has been processed", DuplicateAckMessage(42))
	assert.Equal(t, "The client does not have permission to join group 'g1'.", ForbiddenJoinMessage("g1"))
	assert.Equal(t, "The client does not have permission to leave group 'g1'.", ForbiddenLeaveMessage("g1"))
	assert.Equal(t, "The client does not have permission to send to group 'g1'.", ForbiddenSendMessage("g1"))
	assert.Equal(t, "Internal server error", InternalServerErrorMessage)

	assert.Equal(t, AckMessage{AckID: 7, Error: &AckError{Name: "Duplicate", Message: "Message with ack-id: 7 has been processed"}}, DuplicateAck(7))
	assert.Equal(t, AckMessage{AckID: 1, Error: &AckError{Name: "Forbidden", Message: "The client does not have permission to join group 'a'."}}, ForbiddenAck(1, TypeJoinGroup, "a"))
	assert.Equal(t, "The client does not have permission to leave group 'a'.", ForbiddenAck(1, TypeLeaveGroup, "a").Error.Message)
	assert.Equal(t, "The client does not have permission to send to group 'a'.", ForbiddenAck(1, TypeSendToGroup, "a").Error.Message)
	assert.Equal(t, AckMessage{AckID: 2, Error: &AckError{Name: "InternalServerError", Message: "Internal server error"}}, InternalServerErrorAck(2))

	b, err := Encode(DuplicateAck(9))
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"ack","ackId":9,"success":false,"error":{"name":"Duplicate","message":"Message with ack-id: 9 has been processed"}}`, string(b))
}

// TestAbortedStreamError: a sender's abort reaches receivers named
// UserError, with the sender's message and userErrorCode unchanged.
func TestAbortedStreamError(t *testing.T) {
	sent := &StreamError{Message: "disk full", UserErrorCode: "E42"}
	got := AbortedStreamError(sent)
	assert.Equal(t, &StreamError{Name: "UserError", Message: "disk full", UserErrorCode: "E42"}, got)
	assert.NotSame(t, sent, got)
	assert.Empty(t, sent.Name, "the sender's error is not modified")
	assert.Equal(t, &StreamError{Name: "UserError"}, AbortedStreamError(nil))

	terminal := GroupDataMessage{Group: "g", Data: Payload{Type: DataTypeText, Data: []byte{}},
		Stream: &StreamInfo{StreamID: "s", StreamSequenceID: 3, EndOfStream: true, Error: got}}
	b, err := Encode(terminal)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"message","from":"group","group":"g","dataType":"text","data":"",
		"stream":{"streamId":"s","streamSequenceId":3,"endOfStream":true,"error":{"name":"UserError","message":"disk full","userErrorCode":"E42"}}}`, string(b))
}
