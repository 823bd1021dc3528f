package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Paho's client leaves no goroutine behind once disconnected; the
	// emulator closes its own.
	goleak.VerifyTestMain(m)
}

func TestPahoAndWebPubSubExchangeMessagesThroughTheEmulator(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, "", &out))
	assert.Equal(t, "Web PubSub client received: 21.5 °C from the MQTT client\n"+
		"MQTT client received: thanks from the Web PubSub client\n", out.String())
}
