package eventhandler_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

// ClientProtocol has one definition in the module: the event handler's is
// the service SDK's.
func TestClientProtocolIsTheServiceSDKs(t *testing.T) {
	var p webpubsub.ClientProtocol = eventhandler.ClientProtocolMQTT
	assert.Equal(t, webpubsub.ClientProtocolMQTT, p)
	assert.Equal(t, webpubsub.ClientProtocolDefault, eventhandler.ClientProtocolDefault)
}

// The two DataType types hold the same values under the same names, so the
// documented conversion is lossless.
func TestDataTypeValuesMatchTheClients(t *testing.T) {
	eh, cl := eventhandler.PossibleDataTypeValues(), client.PossibleDataTypeValues()
	require.Len(t, eh, len(cl))
	for i := range cl {
		assert.Equal(t, string(cl[i]), string(eh[i]))
		assert.Equal(t, cl[i], client.DataType(eh[i]))
	}
	assert.Equal(t, client.DataTypeJSON, client.DataType(eventhandler.DataTypeJSON))
	assert.Equal(t, eventhandler.DataTypeProtobuf, eventhandler.DataType(client.DataTypeProtobuf))
}

// Fail and FailMQTT have one shape: both return an error whose concrete type
// errors.As finds.
func TestFailAndFailMQTTReturnErrors(t *testing.T) {
	var se *eventhandler.StatusError
	require.True(t, errors.As(eventhandler.Fail(401, "no"), &se))
	assert.Equal(t, 401, se.Status)
	var me *eventhandler.MQTTConnectError
	require.True(t, errors.As(eventhandler.FailMQTT(eventhandler.MQTTV500Banned, "go"), &me))
	assert.Equal(t, uint8(eventhandler.MQTTV500Banned), me.Code)
	assert.Equal(t, 403, me.Status())
}
