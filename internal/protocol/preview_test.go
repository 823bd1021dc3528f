package protocol

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func boolPtr(b bool) *bool { return &b }

// previewWireCases are the preview frames (client-protocol-preview.md) with
// the exact JSON the reference and the JS client 1.1.0 write for them.
var previewWireCases = []struct {
	name string
	msg  Message
	wire string
}{
	{"invoke json", InvokeMessage{InvocationID: "1", Target: InvokeTargetEvent, Event: "processOrder", Data: Payload{Type: DataTypeJSON, Data: []byte(`{"orderId":1}`)}},
		`{"type":"invoke","invocationId":"1","target":"event","event":"processOrder","dataType":"json","data":{"orderId":1}}`},
	{"invoke no data", InvokeMessage{InvocationID: "2", Target: InvokeTargetEvent, Event: "e"},
		`{"type":"invoke","invocationId":"2","target":"event","event":"e"}`},
	{"invoke binary", InvokeMessage{InvocationID: "x-1", Target: InvokeTargetEvent, Event: "e", Data: binaryPayload},
		`{"type":"invoke","invocationId":"x-1","target":"event","event":"e","dataType":"binary","data":"AAH+/w=="}`},
	{"invokeResponse success", InvokeSucceeded("1", Payload{Type: DataTypeText, Data: []byte("ok")}),
		`{"type":"invokeResponse","invocationId":"1","success":true,"dataType":"text","data":"ok"}`},
	{"invokeResponse success no data", InvokeSucceeded("1", Payload{}),
		`{"type":"invokeResponse","invocationId":"1","success":true}`},
	{"invokeResponse json without data", InvokeResponseMessage{InvocationID: "1", Success: boolPtr(true), Data: Payload{Type: DataTypeJSON}},
		`{"type":"invokeResponse","invocationId":"1","success":true,"dataType":"json"}`},
	{"invokeResponse failure", InvokeFailed("3", "InternalServerError", "the upstream failed"),
		`{"type":"invokeResponse","invocationId":"3","success":false,"error":{"name":"InternalServerError","message":"the upstream failed"}}`},
	{"invokeResponse without success", InvokeResponseMessage{InvocationID: "4"},
		`{"type":"invokeResponse","invocationId":"4"}`},
	{"cancelInvocation", CancelInvocationMessage{InvocationID: "1"}, `{"type":"cancelInvocation","invocationId":"1"}`},
	{"stream open", SendToGroupMessage{Group: "g", Stream: &StreamOpen{StreamID: "s1"}},
		`{"type":"sendToGroup","group":"g","noEcho":false,"stream":{"streamId":"s1"}}`},
	{"stream open idle noEcho", SendToGroupMessage{Group: "g", NoEcho: true, Stream: &StreamOpen{StreamID: "s1", IdleTimeoutMs: 5000}},
		`{"type":"sendToGroup","group":"g","noEcho":true,"stream":{"streamId":"s1","idleTimeoutMs":5000}}`},
	{"streamData", StreamDataMessage{StreamID: "s1", StreamSequenceID: 1, Data: textPayload},
		`{"type":"streamData","streamId":"s1","streamSequenceId":1,"dataType":"text","data":"héllo \"world\""}`},
	{"streamData json", StreamDataMessage{StreamID: "s1", StreamSequenceID: 2, Data: jsonPayload},
		`{"type":"streamData","streamId":"s1","streamSequenceId":2,"dataType":"json","data":{"a":[1,true,null],"b":"x"}}`},
	{"streamData keepalive", StreamDataMessage{StreamID: "s1"}, `{"type":"streamData","streamId":"s1"}`},
	{"streamEnd", StreamEndMessage{StreamID: "s1"}, `{"type":"streamEnd","streamId":"s1"}`},
	{"streamEnd abort", StreamEndMessage{StreamID: "s1", Error: &StreamError{Message: "boom", UserErrorCode: "E1"}},
		`{"type":"streamEnd","streamId":"s1","error":{"message":"boom","userErrorCode":"E1"}}`},
	{"streamAck", StreamAckMessage{StreamID: "s1", ExpectedSequenceID: 1}, `{"type":"streamAck","streamId":"s1","expectedSequenceId":1}`},
	{"streamNack", StreamNackMessage{StreamID: "s1", Name: "BadRequest", Message: "no", ExpectedSequenceID: 4},
		`{"type":"streamNack","streamId":"s1","name":"BadRequest","message":"no","expectedSequenceId":4}`},
	{"streamClosed", StreamClosedMessage{StreamID: "s1"}, `{"type":"streamClosed","streamId":"s1"}`},
	{"streamClosed forbidden", StreamClosedMessage{StreamID: "s1", Error: &AckError{Name: "Forbidden", Message: "no permission"}},
		`{"type":"streamClosed","streamId":"s1","error":{"name":"Forbidden","message":"no permission"}}`},
	{"group stream fragment", GroupDataMessage{Group: "g", FromUserID: "u", Data: textPayload, SequenceID: 3, Stream: &StreamInfo{StreamID: "s1", StreamSequenceID: 1}},
		`{"type":"message","from":"group","group":"g","fromUserId":"u","dataType":"text","data":"héllo \"world\"","sequenceId":3,"stream":{"streamId":"s1","streamSequenceId":1}}`},
	{"group stream end", GroupDataMessage{Group: "g", Data: Payload{Type: DataTypeText, Data: []byte{}}, Stream: &StreamInfo{StreamID: "s1", StreamSequenceID: 5, EndOfStream: true}},
		`{"type":"message","from":"group","group":"g","dataType":"text","data":"","stream":{"streamId":"s1","streamSequenceId":5,"endOfStream":true}}`},
	{"group stream end json without data", GroupDataMessage{Group: "g", Data: Payload{Type: DataTypeJSON}, Stream: &StreamInfo{StreamID: "s1", StreamSequenceID: 5, EndOfStream: true}},
		`{"type":"message","from":"group","group":"g","dataType":"json","stream":{"streamId":"s1","streamSequenceId":5,"endOfStream":true}}`},
	{"group stream error", GroupDataMessage{Group: "g", Data: Payload{Type: DataTypeText, Data: []byte{}}, Stream: &StreamInfo{StreamID: "s1", StreamSequenceID: 2, EndOfStream: true, Error: &StreamError{Name: "StreamAborted", Message: "boom", UserErrorCode: "E1"}}},
		`{"type":"message","from":"group","group":"g","dataType":"text","data":"","stream":{"streamId":"s1","streamSequenceId":2,"endOfStream":true,"error":{"name":"StreamAborted","message":"boom","userErrorCode":"E1"}}}`},
	{"setGroupState", SetGroupStateMessage{Group: "g", AckID: ack(1), State: map[string]string{"k": "v"}},
		`{"type":"setGroupState","group":"g","ackId":1,"state":{"k":"v"}}`},
	{"setGroupState empty", SetGroupStateMessage{Group: "g", State: map[string]string{}}, `{"type":"setGroupState","group":"g","state":{}}`},
	{"setGroupState clear", SetGroupStateMessage{Group: "g"}, `{"type":"setGroupState","group":"g"}`},
	{"subscribeGroupState", SubscribeGroupStateMessage{Group: "g", AckID: ack(2)}, `{"type":"subscribeGroupState","group":"g","ackId":2}`},
	{"unsubscribeGroupState", UnsubscribeGroupStateMessage{Group: "g"}, `{"type":"unsubscribeGroupState","group":"g"}`},
	{"groupStateSnapshot", GroupStateSnapshotMessage{Group: "g", Items: []GroupStateItem{{ConnectionID: "c1", UserID: "u", State: map[string]string{"k": "v"}, UpdatedAt: 1700000000000}, {ConnectionID: "c2", UpdatedAt: 1}}},
		`{"type":"groupStateSnapshot","group":"g","items":[{"connectionId":"c1","userId":"u","state":{"k":"v"},"updatedAt":1700000000000},{"connectionId":"c2","updatedAt":1}]}`},
	{"groupStateSnapshot empty", GroupStateSnapshotMessage{Group: "g", Items: []GroupStateItem{}}, `{"type":"groupStateSnapshot","group":"g","items":[]}`},
	{"groupStateUpdate", GroupStateUpdateMessage{Group: "g", Items: []GroupStateItem{{ConnectionID: "c1", UpdatedAt: 2}}},
		`{"type":"groupStateUpdate","group":"g","items":[{"connectionId":"c1","updatedAt":2}]}`},
}

func TestPreviewEncodeWireShapes(t *testing.T) {
	for _, tc := range previewWireCases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Encode(tc.msg)
			require.NoError(t, err)
			assert.Equal(t, tc.wire, string(b))
		})
	}
}

func TestPreviewDecodeWireShapes(t *testing.T) {
	for _, tc := range previewWireCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Decode([]byte(tc.wire))
			require.NoError(t, err)
			assert.Equal(t, tc.msg, m)
		})
	}
}

func TestPreviewEncodePointerEqualsValue(t *testing.T) {
	for _, tc := range previewWireCases {
		var p Message
		switch m := tc.msg.(type) {
		case InvokeMessage:
			p = &m
		case InvokeResponseMessage:
			p = &m
		case CancelInvocationMessage:
			p = &m
		case StreamDataMessage:
			p = &m
		case StreamEndMessage:
			p = &m
		case StreamAckMessage:
			p = &m
		case StreamNackMessage:
			p = &m
		case StreamClosedMessage:
			p = &m
		case SetGroupStateMessage:
			p = &m
		case SubscribeGroupStateMessage:
			p = &m
		case UnsubscribeGroupStateMessage:
			p = &m
		case GroupStateSnapshotMessage:
			p = &m
		case GroupStateUpdateMessage:
			p = &m
		default:
			continue
		}
		b, err := Encode(p)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.wire, string(b), tc.name)
	}
}

// TestDecodeDropsUnknownFrames: a reader drops these frames without an error
// (as the JS client does), so that new service frames cannot break clients.
func TestDecodeDropsUnknownFrames(t *testing.T) {
	tests := []struct {
		name, in, reason string
	}{
		{"unknown type", `{"type":"teleport","ackId":4}`, `unknown message type "teleport"`},
		{"long unknown type is shortened", `{"type":"` + strings.Repeat("x", 500) + `"}`, `..."`},
		{"unknown system event", `{"type":"system","event":"rebooted"}`, `unknown system event "rebooted"`},
		{"system without event", `{"type":"system"}`, `unknown system event ""`},
		{"message unknown source", `{"type":"message","from":"elsewhere","dataType":"text","data":"x"}`, `unknown message source "elsewhere"`},
		{"group message unknown dataType", `{"type":"message","from":"group","group":"g","dataType":"xml","data":"<a/>"}`, `unknown dataType "xml"`},
		{"server message missing dataType", `{"type":"message","from":"server","data":"x"}`, `unknown dataType ""`},
		{"invokeResponse unknown dataType", `{"type":"invokeResponse","invocationId":"1","success":true,"dataType":"xml","data":"x"}`, `unknown dataType "xml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(tt.in))
			require.NoError(t, err)
			u, ok := m.(UnknownMessage)
			require.True(t, ok, "%T", m)
			assert.Contains(t, u.Reason, tt.reason)
			assert.Less(t, len(u.Reason), 200)
			_, err = Encode(u)
			assert.ErrorContains(t, err, "cannot encode an unknown message")
		})
	}
	m, err := Decode([]byte(`{"type":"teleport","ackId":4}`))
	require.NoError(t, err)
	require.NotNil(t, m.(UnknownMessage).AckID, "a service can still refuse an unknown frame that asked for an ack")
	assert.Equal(t, uint64(4), *m.(UnknownMessage).AckID)
	assert.Equal(t, "teleport", m.Type())
}

func TestPreviewDecodeLenientShapes(t *testing.T) {
	// A stream object without a string streamId and a numeric
	// streamSequenceId is ignored: the frame is an ordinary group message.
	for _, in := range []string{
		`{"type":"message","from":"group","group":"g","dataType":"text","data":"x","stream":{"streamId":1,"streamSequenceId":1}}`,
		`{"type":"message","from":"group","group":"g","dataType":"text","data":"x","stream":{"streamId":"s"}}`,
		`{"type":"message","from":"group","group":"g","dataType":"text","data":"x","stream":"s"}`,
	} {
		m, err := Decode([]byte(in))
		require.NoError(t, err, in)
		assert.Nil(t, m.(GroupDataMessage).Stream, in)
	}
	// A stream object on a server message is ignored.
	m, err := Decode([]byte(`{"type":"message","from":"server","dataType":"text","data":"x","stream":{"streamId":"s","streamSequenceId":1}}`))
	require.NoError(t, err)
	assert.Equal(t, ServerDataMessage{Data: Payload{Type: DataTypeText, Data: []byte("x")}}, m)
	// "data" without "dataType" on an invokeResponse is discarded.
	m, err = Decode([]byte(`{"type":"invokeResponse","invocationId":"1","success":true,"data":"x"}`))
	require.NoError(t, err)
	assert.Equal(t, InvokeSucceeded("1", Payload{}), m)
	// A terminal stream error that is not an object still fails the stream.
	m, err = Decode([]byte(`{"type":"message","from":"group","group":"g","dataType":"text","data":"","stream":{"streamId":"s","streamSequenceId":2,"endOfStream":true,"error":"x"}}`))
	require.NoError(t, err)
	assert.NotNil(t, m.(GroupDataMessage).Stream.Error)
	// The abort error of a streamEnd has no name.
	m, err = Decode([]byte(`{"type":"streamEnd","streamId":"s","error":{"name":"N","message":"m"}}`))
	require.NoError(t, err)
	assert.Equal(t, StreamEndMessage{StreamID: "s", Error: &StreamError{Message: "m"}}, m)
}

func TestPreviewDecodeErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"invoke without id", `{"type":"invoke","target":"event","event":"e"}`, "invoke needs an invocationId"},
		{"invoke without event", `{"type":"invoke","invocationId":"1","target":"event"}`, "invoke needs an event name"},
		{"invoke id not a string", `{"type":"invoke","invocationId":1,"event":"e"}`, "not a JSON object"},
		{"invoke bad data", `{"type":"invoke","invocationId":"1","event":"e","dataType":"binary","data":"%%"}`, "not valid base64"},
		{"invoke unknown dataType", `{"type":"invoke","invocationId":"1","event":"e","dataType":"xml","data":"x"}`, `unknown dataType "xml"`},
		{"invokeResponse without id", `{"type":"invokeResponse","success":true}`, "invokeResponse needs an invocationId"},
		{"invokeResponse bad error", `{"type":"invokeResponse","invocationId":"1","success":false,"error":"x"}`, "error must be an object"},
		{"cancelInvocation without id", `{"type":"cancelInvocation"}`, "cancelInvocation needs an invocationId"},
		{"stream open without id", `{"type":"sendToGroup","group":"g","stream":{}}`, "stream needs a streamId"},
		{"stream open id not a string", `{"type":"sendToGroup","group":"g","stream":{"streamId":1}}`, "stream must be an object"},
		{"stream open with payload", `{"type":"sendToGroup","group":"g","stream":{"streamId":"s"},"dataType":"text","data":"x"}`, "no ackId and no payload"},
		{"stream open with ackId", `{"type":"sendToGroup","group":"g","ackId":1,"stream":{"streamId":"s"}}`, "no ackId and no payload"},
		{"streamData without id", `{"type":"streamData","streamSequenceId":1,"dataType":"text","data":"x"}`, "streamData needs a streamId"},
		{"streamData without number", `{"type":"streamData","streamId":"s","dataType":"text","data":"x"}`, "needs a streamSequenceId from 1"},
		{"streamData number 0", `{"type":"streamData","streamId":"s","streamSequenceId":0,"dataType":"text","data":"x"}`, "needs a streamSequenceId from 1"},
		{"streamData negative", `{"type":"streamData","streamId":"s","streamSequenceId":-1}`, "not a JSON object"},
		{"streamData without dataType", `{"type":"streamData","streamId":"s","streamSequenceId":1,"data":"x"}`, "dataType is missing"},
		{"streamEnd without id", `{"type":"streamEnd"}`, "streamEnd needs a streamId"},
		{"streamEnd bad error", `{"type":"streamEnd","streamId":"s","error":[1]}`, "streamEnd error must be an object"},
		{"streamAck without expected", `{"type":"streamAck","streamId":"s"}`, "streamAck needs streamId and expectedSequenceId"},
		{"streamNack without id", `{"type":"streamNack","expectedSequenceId":1}`, "streamNack needs streamId and expectedSequenceId"},
		{"streamClosed without id", `{"type":"streamClosed"}`, "streamClosed needs a streamId"},
		{"setGroupState without group", `{"type":"setGroupState","state":{}}`, "setGroupState needs a group"},
		{"setGroupState state not strings", `{"type":"setGroupState","group":"g","state":{"k":1}}`, "not a JSON object"},
		{"groupStateUpdate without group", `{"type":"groupStateUpdate","items":[]}`, "groupStateUpdate needs a group"},
		{"group message text not a string", `{"type":"message","from":"group","group":"g","dataType":"text","data":1,"stream":{"streamId":"s","streamSequenceId":1}}`, "text data must be a JSON string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(tt.in))
			require.Error(t, err)
			assert.Nil(t, m)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "protocol: "), err.Error())
		})
	}
}

func TestPreviewEncodeErrors(t *testing.T) {
	_, err := Encode(InvokeMessage{InvocationID: "1", Event: "e", Data: Payload{Data: []byte("x")}})
	assert.ErrorContains(t, err, "data without a dataType")
	_, err = Encode(StreamDataMessage{StreamID: "s", StreamSequenceID: 1, Data: Payload{Type: DataTypeJSON, Data: []byte("{")}})
	assert.ErrorContains(t, err, "not valid JSON")
	_, err = Encode(GroupDataMessage{Group: "g", Stream: &StreamInfo{StreamID: "s", StreamSequenceID: 1}})
	assert.ErrorContains(t, err, `unknown dataType ""`, "a stream frame needs a dataType")
}
