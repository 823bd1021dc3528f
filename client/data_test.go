package client

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDataConstructors(t *testing.T) {
	d := Text("hé")
	require.NoError(t, d.check())
	assert.Equal(t, DataTypeText, d.Type())
	assert.Equal(t, []byte("hé"), d.Bytes())

	d = JSON(map[string]int{"a": 1})
	require.NoError(t, d.check())
	assert.Equal(t, DataTypeJSON, d.Type())
	assert.JSONEq(t, `{"a":1}`, string(d.Bytes()))

	d = Binary([]byte{0, 1, 2})
	require.NoError(t, d.check())
	assert.Equal(t, DataTypeBinary, d.Type())

	d = RawJSON([]byte(`[1,2]`))
	require.NoError(t, d.check())
	assert.Equal(t, DataTypeJSON, d.Type())
}

func TestDataErrors(t *testing.T) {
	err := JSON(math.Inf(1)).check()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "encoding JSON data")

	err = RawJSON([]byte(`{"a":`)).check()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not valid JSON")

	err = Data{}.check()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no type")

	// The error is there at once, and is the one the send returns.
	bad := JSON(math.NaN())
	require.Error(t, bad.Err())
	assert.Equal(t, bad.Err(), bad.check())
	assert.Nil(t, bad.Bytes())
	assert.NoError(t, Text("x").Err())
}

// JSON encodes like webpubsub.JSONMessage: <, > and & stay as written.
func TestJSONDoesNotEscapeHTML(t *testing.T) {
	d := JSON(map[string]string{"html": "<b>&</b>"})
	assert.Equal(t, `{"html":"<b>&</b>"}`, string(d.Bytes()))
}

func TestSendMessageErrorText(t *testing.T) {
	e := &SendMessageError{AckID: 7, ErrorName: "Forbidden", Message: "no permission"}
	assert.Equal(t, "client: operation with ack id 7 failed: Forbidden: no permission", e.Error())
	e = &SendMessageError{AckID: 8, Err: ErrConnectionLost}
	assert.ErrorIs(t, e, ErrConnectionLost)
	assert.Contains(t, e.Error(), "ack id 8")
}

func TestNewConfigRejectsUnknownProtocol(t *testing.T) {
	_, err := New("ws://127.0.0.1:1/client/hubs/h", &Options{Protocol: "mqtt.v3.1.1"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unsupported protocol")
	_, err = NewWithURLProvider(nil, nil)
	require.Error(t, err)
}

func TestInvalidMessageErrorKeepsNoReconnectionToken(t *testing.T) {
	frame := []byte(`{"type":"system","event":"connected","connectionId":5,"reconnectionToken":"secret-recon"}`)
	e := newInvalidMessageError(frame, errors.New("bad connectionId"))
	assert.Empty(t, e.Frame)
	assert.NotContains(t, e.Error(), "secret-recon")

	long := make([]byte, 1000)
	for i := range long {
		long[i] = 'x'
	}
	e = newInvalidMessageError(long, errors.New("bad"))
	assert.Len(t, e.Frame, maxFrameInError, "the frame is cut")
}
