package protocol

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"not JSON", `hello`, "not a JSON object"},
		{"empty input", ``, "not a JSON object"},
		{"truncated", `{"type":"ping"`, "not a JSON object"},
		{"array", `[{"type":"ping"}]`, "not a JSON object"},
		{"string", `"ping"`, "not a JSON object"},
		{"null", `null`, "has no type"},
		{"no type", `{}`, "has no type"},
		{"type not a string", `{"type":1}`, "not a JSON object"},
		{"joinGroup without group", `{"type":"joinGroup","ackId":1}`, "joinGroup needs a group"},
		{"joinGroup empty group", `{"type":"joinGroup","group":""}`, "joinGroup needs a group"},
		{"leaveGroup without group", `{"type":"leaveGroup"}`, "leaveGroup needs a group"},
		{"group not a string", `{"type":"joinGroup","group":5}`, "not a JSON object"},
		{"ackId negative", `{"type":"joinGroup","group":"g","ackId":-1}`, "not a JSON object"},
		{"ackId not a number", `{"type":"joinGroup","group":"g","ackId":"1"}`, "not a JSON object"},
		{"sendToGroup without group", `{"type":"sendToGroup","dataType":"text","data":"x"}`, "sendToGroup needs a group"},
		{"sendToGroup bad base64", `{"type":"sendToGroup","group":"g","dataType":"binary","data":"!!not base64"}`, "binary data is not valid base64"},
		{"sendToGroup base64 not a string", `{"type":"sendToGroup","group":"g","dataType":"binary","data":[1,2]}`, "binary data must be a base64 string"},
		{"protobuf bad base64", `{"type":"event","event":"e","dataType":"protobuf","data":"A"}`, "protobuf data is not valid base64"},
		{"text not a string", `{"type":"sendToGroup","group":"g","dataType":"text","data":{"a":1}}`, "text data must be a JSON string"},
		{"text missing data", `{"type":"event","event":"e","dataType":"text"}`, "text data must be a JSON string"},
		{"json missing data", `{"type":"event","event":"e","dataType":"json"}`, "json data is missing"},
		{"unknown dataType", `{"type":"sendToGroup","group":"g","dataType":"xml","data":"<a/>"}`, `unknown dataType "xml"`},
		{"missing dataType", `{"type":"sendToGroup","group":"g","data":"x"}`, "dataType is missing"},
		{"event without name", `{"type":"event","dataType":"text","data":"x"}`, "event needs an event name"},
		{"sequenceAck without id", `{"type":"sequenceAck"}`, "sequenceAck needs a sequenceId"},
		{"sequenceAck fractional", `{"type":"sequenceAck","sequenceId":1.5}`, "not a JSON object"},
		{"message bad data", `{"type":"message","from":"server","dataType":"binary","data":"%%%"}`, "not valid base64"},
		{"ack without success", `{"type":"ack","ackId":1}`, "ack needs ackId and success"},
		{"ack without ackId", `{"type":"ack","success":true}`, "ack needs ackId and success"},
		{"ack success not bool", `{"type":"ack","ackId":1,"success":"yes"}`, "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(tt.in))
			require.Error(t, err)
			assert.Nil(t, m)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "protocol: "), err.Error())
			assert.Less(t, len(err.Error()), 200)
		})
	}
}

func TestDecodeIgnoresUnknownFieldsAndAcceptsWhitespace(t *testing.T) {
	m, err := Decode([]byte(" {\n \"type\" : \"joinGroup\", \"group\":\"g\", \"future\": {\"x\": 1}} "))
	require.NoError(t, err)
	assert.Equal(t, JoinGroupMessage{Group: "g"}, m)
}

func TestDecodeJSONDataKeepsValue(t *testing.T) {
	in := `{"type":"message","from":"server","dataType":"json","data":[1, {"k":"v"}]}`
	m, err := Decode([]byte(in))
	require.NoError(t, err)
	sd, ok := m.(ServerDataMessage)
	require.True(t, ok, "%T", m)
	assert.JSONEq(t, `[1,{"k":"v"}]`, string(sd.Data.Data))
	assert.Equal(t, DataTypeJSON, sd.Data.Type)
}

func TestDecodeDoesNotAliasInput(t *testing.T) {
	in := []byte(`{"type":"event","event":"e","dataType":"json","data":{"a":1}}`)
	m, err := Decode(in)
	require.NoError(t, err)
	for i := range in {
		in[i] = ' '
	}
	assert.Equal(t, `{"a":1}`, string(m.(EventMessage).Data.Data))
}
