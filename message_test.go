package webpubsub

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMessageConstructors(t *testing.T) {
	cases := []struct {
		name  string
		msg   Message
		ctype string
		body  string
	}{
		{"text", TextMessage("héllo"), "text/plain", "héllo"},
		{"json value", JSONMessage(struct {
			A int    `json:"a"`
			B string `json:"b"`
		}{1, "x"}), "application/json", `{"a":1,"b":"x"}`},
		{"json string", JSONMessage("s"), "application/json", `"s"`},
		{"raw json", RawJSONMessage([]byte(`[1,2]`)), "application/json", `[1,2]`},
		{"binary", BinaryMessage([]byte{0, 0xfe}), "application/octet-stream", "\x00\xfe"},
		{"zero value", Message{}, "application/octet-stream", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.msg.Err())
			assert.Equal(t, tc.ctype, tc.msg.ContentType())
			assert.Equal(t, tc.body, string(tc.msg.Body()))
		})
	}
}

func TestJSONMessageKeepsMarshalError(t *testing.T) {
	m := JSONMessage(make(chan int))
	require.Error(t, m.Err())
	assert.Contains(t, m.Err().Error(), "marshalling JSON message")
	assert.Nil(t, m.Body())
	assert.Equal(t, "application/json", m.ContentType())
}

// RawJSONMessage refuses invalid JSON as client.RawJSON does: the error is
// kept in the Message and returned by the send, before any request.
func TestRawJSONMessageKeepsInvalidJSONError(t *testing.T) {
	m := RawJSONMessage([]byte(`{"a":`))
	require.Error(t, m.Err())
	assert.Contains(t, m.Err().Error(), "invalid JSON")
	assert.Nil(t, m.Body())
	assert.NoError(t, RawJSONMessage([]byte(` [1, 2] `)).Err())

	ts := newTestServer(t, reply{status: 202})
	c := ts.keyClient("hub1")
	_, err := c.SendToAll(context.Background(), m, nil)
	require.ErrorIs(t, err, m.Err())
	assert.Empty(t, ts.requests(), "nothing was sent")
}
