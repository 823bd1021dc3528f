package protocol

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ack(id uint64) *uint64 { return &id }

var (
	textPayload   = Payload{Type: DataTypeText, Data: []byte("héllo \"world\"")}
	jsonPayload   = Payload{Type: DataTypeJSON, Data: []byte(`{"a":[1,true,null],"b":"x"}`)}
	binaryPayload = Payload{Type: DataTypeBinary, Data: []byte{0x00, 0x01, 0xfe, 0xff}}
	protoPayload  = Payload{Type: DataTypeProtobuf, Data: []byte{0x08, 0x96, 0x01}}
)

// wireCases are messages with the exact JSON the reference documents for them.
var wireCases = []struct {
	name string
	msg  Message
	wire string
}{
	{"joinGroup", JoinGroupMessage{Group: "g1"}, `{"type":"joinGroup","group":"g1"}`},
	{"joinGroup ack", JoinGroupMessage{Group: "g1", AckID: ack(1)}, `{"type":"joinGroup","group":"g1","ackId":1}`},
	{"joinGroup ack 0", JoinGroupMessage{Group: "g1", AckID: ack(0)}, `{"type":"joinGroup","group":"g1","ackId":0}`},
	{"leaveGroup", LeaveGroupMessage{Group: "g1", AckID: ack(2)}, `{"type":"leaveGroup","group":"g1","ackId":2}`},
	{"sendToGroup text", SendToGroupMessage{Group: "g", AckID: ack(3), NoEcho: true, Data: textPayload},
		`{"type":"sendToGroup","group":"g","ackId":3,"noEcho":true,"dataType":"text","data":"héllo \"world\""}`},
	{"sendToGroup json echo", SendToGroupMessage{Group: "g", Data: jsonPayload},
		`{"type":"sendToGroup","group":"g","dataType":"json","data":{"a":[1,true,null],"b":"x"}}`},
	{"sendToGroup binary", SendToGroupMessage{Group: "g", Data: binaryPayload},
		`{"type":"sendToGroup","group":"g","dataType":"binary","data":"AAH+/w=="}`},
	{"event text", EventMessage{Event: "ev", AckID: ack(4), Data: textPayload},
		`{"type":"event","event":"ev","ackId":4,"dataType":"text","data":"héllo \"world\""}`},
	{"event json", EventMessage{Event: "ev", Data: Payload{Type: DataTypeJSON, Data: []byte(`"just a string"`)}},
		`{"type":"event","event":"ev","dataType":"json","data":"just a string"}`},
	{"event binary", EventMessage{Event: "ev", Data: binaryPayload},
		`{"type":"event","event":"ev","dataType":"binary","data":"AAH+/w=="}`},
	{"event protobuf", EventMessage{Event: "ev", Data: protoPayload},
		`{"type":"event","event":"ev","dataType":"protobuf","data":"CJYB"}`},
	{"event empty text", EventMessage{Event: "ev", Data: Payload{Type: DataTypeText, Data: []byte{}}},
		`{"type":"event","event":"ev","dataType":"text","data":""}`},
	{"sequenceAck", SequenceAckMessage{SequenceID: 7}, `{"type":"sequenceAck","sequenceId":7}`},
	{"sequenceAck 0", SequenceAckMessage{SequenceID: 0}, `{"type":"sequenceAck","sequenceId":0}`},
	{"ping", PingMessage{}, `{"type":"ping"}`},
	{"pong", PongMessage{}, `{"type":"pong"}`},
	{"connected", ConnectedMessage{ConnectionID: "c1", UserID: "u1", ReconnectionToken: "rt"},
		`{"type":"system","event":"connected","connectionId":"c1","userId":"u1","reconnectionToken":"rt"}`},
	{"connected anonymous", ConnectedMessage{ConnectionID: "c1"}, `{"type":"system","event":"connected","connectionId":"c1"}`},
	{"disconnected", DisconnectedMessage{Message: "bye"}, `{"type":"system","event":"disconnected","message":"bye"}`},
	{"group message", GroupDataMessage{Group: "g", FromUserID: "u", Data: textPayload, SequenceID: 9},
		`{"type":"message","from":"group","group":"g","fromUserId":"u","dataType":"text","data":"héllo \"world\"","sequenceId":9}`},
	{"group message no sequence", GroupDataMessage{Group: "g", Data: jsonPayload},
		`{"type":"message","from":"group","group":"g","dataType":"json","data":{"a":[1,true,null],"b":"x"}}`},
	{"server message", ServerDataMessage{Data: binaryPayload},
		`{"type":"message","from":"server","dataType":"binary","data":"AAH+/w=="}`},
	{"server message sequence", ServerDataMessage{Data: textPayload, SequenceID: 1},
		`{"type":"message","from":"server","dataType":"text","data":"héllo \"world\"","sequenceId":1}`},
	{"ack success", AckMessage{AckID: 5, Success: true}, `{"type":"ack","ackId":5,"success":true}`},
	{"ack failure", AckMessage{AckID: 0, Success: false, Error: &AckError{Name: ErrorDuplicate, Message: "already done"}},
		`{"type":"ack","ackId":0,"success":false,"error":{"name":"Duplicate","message":"already done"}}`},
	{"ack failure no message", AckMessage{AckID: 6, Error: &AckError{Name: ErrorForbidden}},
		`{"type":"ack","ackId":6,"success":false,"error":{"name":"Forbidden"}}`},
}

func TestEncodeWireShapes(t *testing.T) {
	for _, tc := range wireCases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Encode(tc.msg)
			require.NoError(t, err)
			assert.JSONEq(t, tc.wire, string(b))
			assert.True(t, json.Valid(b))
		})
	}
}

func TestDecodeWireShapes(t *testing.T) {
	for _, tc := range wireCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Decode([]byte(tc.wire))
			require.NoError(t, err)
			assert.Equal(t, tc.msg, m)
			assert.Equal(t, tc.msg.Type(), m.Type())
		})
	}
}

func TestRoundTripEveryMessageAndDataType(t *testing.T) {
	payloads := []Payload{textPayload, jsonPayload, binaryPayload, protoPayload,
		{Type: DataTypeBinary, Data: []byte{}}, {Type: DataTypeJSON, Data: []byte(`null`)}}
	var msgs []Message
	for _, p := range payloads {
		msgs = append(msgs,
			SendToGroupMessage{Group: "g", AckID: ack(1), NoEcho: true, Data: p},
			EventMessage{Event: "e", Data: p},
			GroupDataMessage{Group: "g", FromUserID: "u", Data: p, SequenceID: 42},
			ServerDataMessage{Data: p},
		)
	}
	msgs = append(msgs,
		JoinGroupMessage{Group: "g"}, LeaveGroupMessage{Group: "g", AckID: ack(^uint64(0))},
		SequenceAckMessage{SequenceID: 1 << 53}, PingMessage{}, PongMessage{},
		ConnectedMessage{ConnectionID: "c", UserID: "u", ReconnectionToken: "t"}, DisconnectedMessage{},
		AckMessage{AckID: 3, Success: true}, AckMessage{AckID: 4, Error: &AckError{Name: ErrorTimeout, Message: "m"}},
	)
	for _, m := range msgs {
		b, err := Encode(m)
		require.NoError(t, err, "%#v", m)
		got, err := Decode(b)
		require.NoError(t, err, "%s", b)
		assert.Equal(t, m, got, "%s", b)
	}
}

func TestEncodePointerEqualsValue(t *testing.T) {
	pairs := []struct{ v, p Message }{
		{JoinGroupMessage{Group: "g"}, &JoinGroupMessage{Group: "g"}},
		{LeaveGroupMessage{Group: "g"}, &LeaveGroupMessage{Group: "g"}},
		{SendToGroupMessage{Group: "g", Data: textPayload}, &SendToGroupMessage{Group: "g", Data: textPayload}},
		{EventMessage{Event: "e", Data: textPayload}, &EventMessage{Event: "e", Data: textPayload}},
		{SequenceAckMessage{SequenceID: 2}, &SequenceAckMessage{SequenceID: 2}},
		{PingMessage{}, &PingMessage{}},
		{PongMessage{}, &PongMessage{}},
		{ConnectedMessage{ConnectionID: "c"}, &ConnectedMessage{ConnectionID: "c"}},
		{DisconnectedMessage{Message: "m"}, &DisconnectedMessage{Message: "m"}},
		{GroupDataMessage{Group: "g", Data: textPayload}, &GroupDataMessage{Group: "g", Data: textPayload}},
		{ServerDataMessage{Data: textPayload}, &ServerDataMessage{Data: textPayload}},
		{AckMessage{AckID: 1, Success: true}, &AckMessage{AckID: 1, Success: true}},
	}
	for _, pp := range pairs {
		bv, err := Encode(pp.v)
		require.NoError(t, err)
		bp, err := Encode(pp.p)
		require.NoError(t, err)
		assert.Equal(t, string(bv), string(bp))
		assert.Equal(t, pp.v.Type(), pp.p.Type())
	}
}

// otherMessage is a Message Encode does not know.
type otherMessage struct{}

func (otherMessage) Type() string { return "other" }

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		msg  Message
		want string
	}{
		{"nil", nil, "nil message"},
		{"unknown message", otherMessage{}, "cannot encode protocol.otherMessage"},
		{"invalid json payload", EventMessage{Event: "e", Data: Payload{Type: DataTypeJSON, Data: []byte(`{"a":`)}}, "not valid JSON"},
		{"nil json payload", ServerDataMessage{Data: Payload{Type: DataTypeJSON}}, "not valid JSON"},
		{"unknown data type", SendToGroupMessage{Group: "g", Data: Payload{Type: "xml", Data: []byte("<a/>")}}, `unknown dataType "xml"`},
		{"missing data type", GroupDataMessage{Group: "g", Data: Payload{Data: []byte("x")}}, `unknown dataType ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Encode(tt.msg)
			require.Error(t, err)
			assert.Nil(t, b)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestIsReliable(t *testing.T) {
	assert.True(t, IsReliable(JSONReliable))
	assert.True(t, IsReliable("json.reliable.webpubsub.azure.v1"))
	assert.False(t, IsReliable(JSON))
	assert.False(t, IsReliable(""))
}

func TestWireConstants(t *testing.T) {
	assert.Equal(t, "json.webpubsub.azure.v1", JSON)
	assert.Equal(t, "awps_connection_id", QueryConnectionID)
	assert.Equal(t, "awps_reconnection_token", QueryReconnectionToken)
	assert.Equal(t, "access_token", QueryAccessToken)
	assert.Equal(t, "webpubsub.joinLeaveGroup", RoleJoinLeaveGroup)
	assert.Equal(t, "webpubsub.sendToGroup", RoleSendToGroup)
	assert.Equal(t, []string{"Duplicate", "Forbidden", "InternalServerError", "Timeout"},
		[]string{ErrorDuplicate, ErrorForbidden, ErrorInternalServerError, ErrorTimeout})
	assert.Equal(t, 1008, CloseCodePolicyViolation)
}
