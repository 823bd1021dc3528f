package protocol

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/webpubsub-go/webpubsub/internal/protocol/pb"
)

func TestValidateMetadata(t *testing.T) {
	long := func(n int) string { return strings.Repeat("k", n) }
	ok := []map[string]string{
		nil,
		{},
		{"tenant": "t1", "Trace-Id": "42", "!#$%&'*+-.^_`|~09azAZ": ""},
		{long(MaxMetadataKeyBytes): strings.Repeat("v", MaxMetadataValueBytes)},
		// Exactly MaxMetadataBytes in all.
		{"a": strings.Repeat("v", 1023), "b": strings.Repeat("v", 1023), "c": strings.Repeat("v", 1023), "d": strings.Repeat("v", 1023),
			"e": strings.Repeat("v", 1023), "f": strings.Repeat("v", 1023), "g": strings.Repeat("v", 1023), "h": strings.Repeat("v", 1023)},
	}
	for i, md := range ok {
		assert.NoError(t, ValidateMetadata(md), "case %d", i)
	}
	bad := []struct {
		md   map[string]string
		want string
	}{
		{map[string]string{"a b": "v"}, "Metadata key 'a b' contains invalid characters."},
		{map[string]string{"": "v"}, "Metadata key '' contains invalid characters."},
		{map[string]string{"k:v": "v"}, "Metadata key 'k:v' contains invalid characters."},
		{map[string]string{"ключ": "v"}, "contains invalid characters."},
		{map[string]string{"a\r\nX-Injected": "v"}, "Metadata key 'a??X-Injected' contains invalid characters."},
		{map[string]string{"k": "väl"}, "Metadata value for key 'k' must be ASCII."},
		{map[string]string{long(MaxMetadataKeyBytes + 1): "v"}, "exceeds 256 bytes."},
		{map[string]string{"k": strings.Repeat("v", MaxMetadataValueBytes+1)}, "Metadata value for key 'k' exceeds 1024 bytes."},
		{map[string]string{"a": strings.Repeat("v", 1023), "b": strings.Repeat("v", 1023), "c": strings.Repeat("v", 1023), "d": strings.Repeat("v", 1023),
			"e": strings.Repeat("v", 1023), "f": strings.Repeat("v", 1023), "g": strings.Repeat("v", 1023), "h": strings.Repeat("v", 1024)},
			"Metadata exceeds 8192 bytes."},
	}
	for _, tc := range bad {
		err := ValidateMetadata(tc.md)
		require.Error(t, err, "%q", tc.md)
		assert.ErrorIs(t, err, ErrInvalidMetadata)
		var me *MetadataError
		require.ErrorAs(t, err, &me)
		assert.Contains(t, me.Message, tc.want)
	}
}

// The duplicate-key check needs a decoder that sees duplicates:
// encoding/json keeps the last value of a repeated key.
func TestDecodeMetadataRefusesWhatTheServiceRefuses(t *testing.T) {
	for _, tc := range []struct{ frame, want string }{
		{`{"type":"sendToGroup","group":"g","dataType":"text","data":"x","metadata":{"k":"1","k":"2"}}`, "Duplicate key 'k' found within 'metadata'."},
		{`{"type":"event","event":"e","dataType":"text","data":"x","metadata":{"a":"1","b":"2","a":"3"}}`, "Duplicate key 'a' found within 'metadata'."},
		{`{"type":"event","event":"e","dataType":"text","data":"x","metadata":["k","v"]}`, "'metadata' must be a JSON object."},
		{`{"type":"event","event":"e","dataType":"text","data":"x","metadata":"k=v"}`, "'metadata' must be a JSON object."},
		{`{"type":"event","event":"e","dataType":"text","data":"x","metadata":{"k":1}}`, "Metadata value for key 'k' must be a string."},
		{`{"type":"event","event":"e","dataType":"text","data":"x","metadata":{"k":null}}`, "Metadata value for key 'k' must be a string."},
		{`{"type":"event","event":"e","dataType":"text","data":"x","metadata":{"k":{"v":"w"}}}`, "Metadata value for key 'k' must be a string."},
		{`{"type":"message","from":"group","group":"g","dataType":"text","data":"x","metadata":{"k":"1","k":"1"}}`, "Duplicate key 'k'"},
		{`{"type":"message","from":"server","dataType":"text","data":"x","metadata":[]}`, "must be a JSON object"},
	} {
		_, err := Decode([]byte(tc.frame))
		require.Error(t, err, tc.frame)
		assert.ErrorIs(t, err, ErrInvalidMetadata, tc.frame)
		assert.Contains(t, err.Error(), tc.want, tc.frame)
	}
	// Keys differing in case are different keys (Microsoft compares them
	// ordinally); null metadata is no metadata.
	m, err := Decode([]byte(`{"type":"event","event":"e","dataType":"text","data":"x","metadata":{"k":"1","K":"2"}}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"k": "1", "K": "2"}, m.(EventMessage).Metadata)
	m, err = Decode([]byte(`{"type":"event","event":"e","dataType":"text","data":"x","metadata":null}`))
	require.NoError(t, err)
	assert.Nil(t, m.(EventMessage).Metadata)
}

// Decode leaves the service's rules to ValidateMetadata, so that the
// emulator can answer them as the service does (an ack, not a close).
func TestDecodeLeavesValidationToValidateMetadata(t *testing.T) {
	m, err := Decode([]byte(`{"type":"sendToGroup","group":"g","ackId":1,"dataType":"text","data":"x","metadata":{"a b":"ü"}}`))
	require.NoError(t, err)
	s := m.(SendToGroupMessage)
	assert.Equal(t, map[string]string{"a b": "ü"}, s.Metadata)
	assert.ErrorIs(t, ValidateMetadata(s.Metadata), ErrInvalidMetadata)
}

// A frame with metadata may leave out its data: it carries empty text, as
// in Microsoft's emulator. Without metadata the data stays required.
func TestMetadataOnlyFrames(t *testing.T) {
	for _, frame := range []string{
		`{"type":"sendToGroup","group":"g","metadata":{"k":"v"}}`,
		`{"type":"event","event":"e","metadata":{"k":"v"}}`,
	} {
		m, err := Decode([]byte(frame))
		require.NoError(t, err, frame)
		var p Payload
		var md map[string]string
		switch m := m.(type) {
		case SendToGroupMessage:
			p, md = m.Data, m.Metadata
		case EventMessage:
			p, md = m.Data, m.Metadata
		}
		assert.Equal(t, Payload{Type: DataTypeText, Data: []byte{}}, p, frame)
		assert.Equal(t, map[string]string{"k": "v"}, md, frame)
	}
	_, err := Decode([]byte(`{"type":"event","event":"e"}`))
	assert.Error(t, err, "no data and no metadata")

	b, err := proto.Marshal(&pb.UpstreamMessage{Message: &pb.UpstreamMessage_EventMessage_{EventMessage: &pb.UpstreamMessage_EventMessage{
		Event: "e", Metadata: map[string]string{"k": "v"}}}})
	require.NoError(t, err)
	m, err := DecodeUpstream(b)
	require.NoError(t, err)
	assert.Equal(t, EventMessage{Event: "e", Data: Payload{Type: DataTypeText, Data: []byte{}}, Metadata: map[string]string{"k": "v"}}, m)
}

// The JSON frames carry "metadata" after "data", keys sorted, as
// Microsoft's emulator writes them; frames without metadata are unchanged.
func TestMetadataJSONShape(t *testing.T) {
	md := map[string]string{"b": "2", "a": "1"}
	id := uint64(7)
	for _, tc := range []struct {
		m    Message
		want string
	}{
		{SendToGroupMessage{Group: "g", AckID: &id, Data: Payload{Type: DataTypeText, Data: []byte("hi")}, Metadata: md},
			`{"type":"sendToGroup","group":"g","ackId":7,"dataType":"text","data":"hi","metadata":{"a":"1","b":"2"}}`},
		{EventMessage{Event: "e", Data: Payload{Type: DataTypeJSON, Data: []byte(`{"x":1}`)}, Metadata: md},
			`{"type":"event","event":"e","dataType":"json","data":{"x":1},"metadata":{"a":"1","b":"2"}}`},
		{GroupDataMessage{Group: "g", FromUserID: "u", Data: Payload{Type: DataTypeText, Data: []byte("hi")}, SequenceID: 3, Metadata: md},
			`{"type":"message","from":"group","group":"g","fromUserId":"u","dataType":"text","data":"hi","metadata":{"a":"1","b":"2"},"sequenceId":3}`},
		{ServerDataMessage{Data: Payload{Type: DataTypeBinary, Data: []byte{1}}, Metadata: md},
			`{"type":"message","from":"server","dataType":"binary","data":"AQ==","metadata":{"a":"1","b":"2"}}`},
		{InvokeMessage{InvocationID: "1", Target: InvokeTargetEvent, Event: "e", Metadata: md},
			`{"type":"invoke","invocationId":"1","target":"event","event":"e","metadata":{"a":"1","b":"2"}}`},
		{ServerDataMessage{Data: Payload{Type: DataTypeText, Data: []byte("x")}, Metadata: map[string]string{}},
			`{"type":"message","from":"server","dataType":"text","data":"x"}`},
	} {
		b, err := Encode(tc.m)
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(b))
	}
}

// Metadata survive both codecs on every message that carries them.
func TestMetadataRoundTrip(t *testing.T) {
	md := map[string]string{"tenant": "t1", "Trace-Id": "42", "empty": ""}
	id := uint64(9)
	text := Payload{Type: DataTypeText, Data: []byte("hi")}
	cases := []Message{
		SendToGroupMessage{Group: "g", AckID: &id, Data: text, Metadata: md},
		EventMessage{Event: "e", AckID: &id, Data: text, Metadata: md},
		GroupDataMessage{Group: "g", Data: text, SequenceID: 4, Metadata: md},
		ServerDataMessage{Data: text, SequenceID: 5, Metadata: md},
		InvokeMessage{InvocationID: "1", Target: InvokeTargetEvent, Event: "e", Data: text, Metadata: md},
	}
	for _, m := range cases {
		b, err := Encode(m)
		require.NoError(t, err)
		got, err := Decode(b)
		require.NoError(t, err)
		assert.Equal(t, m, got, "JSON %T", m)

		b, err = EncodeProtobuf(m)
		require.NoError(t, err)
		if _, down := m.(GroupDataMessage); down {
			got, err = DecodeDownstream(b)
		} else if _, down := m.(ServerDataMessage); down {
			got, err = DecodeDownstream(b)
		} else {
			got, err = DecodeUpstream(b)
		}
		require.NoError(t, err)
		assert.Equal(t, m, got, "protobuf %T", m)
	}
}

// FuzzDecodeMetadata: any "metadata" value decodes without panicking, and
// what decodes encodes back to the same entries.
func FuzzDecodeMetadata(f *testing.F) {
	for _, s := range []string{`{"k":"v"}`, `{"k":"1","k":"2"}`, `null`, `[]`, `{"a":{"b":"c"}}`, `{"\u00e9":"\ud800"}`, `{`, `{"k":"v",}`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		md, err := decodeMetadata(raw)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidMetadata)
			return
		}
		b, err := encodeMetadata(md)
		require.NoError(t, err)
		again, err := decodeMetadata(b)
		require.NoError(t, err)
		if len(md) == 0 {
			require.Empty(t, again)
			return
		}
		require.Equal(t, md, again)
	})
}
