package client_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
)

// A zero Client is not usable: its methods say so instead of panicking.
func TestZeroClientReturnsErrNotInitialized(t *testing.T) {
	ctx := context.Background()
	c := new(client.Client)
	require.ErrorIs(t, c.Start(ctx), client.ErrNotInitialized)
	_, err := c.JoinGroup(ctx, "g", nil)
	assert.ErrorIs(t, err, client.ErrNotInitialized)
	_, err = c.LeaveGroup(ctx, "g", nil)
	assert.ErrorIs(t, err, client.ErrNotInitialized)
	_, err = c.SendToGroup(ctx, "g", client.Text("x"), nil)
	assert.ErrorIs(t, err, client.ErrNotInitialized)
	_, err = c.SendEvent(ctx, "e", client.Text("x"), nil)
	assert.ErrorIs(t, err, client.ErrNotInitialized)
	_, err = c.InvokeEvent(ctx, "e", client.Text("x"), nil)
	assert.ErrorIs(t, err, client.ErrNotInitialized)
	_, err = c.OpenGroupStream(ctx, "g", nil)
	assert.ErrorIs(t, err, client.ErrNotInitialized)
	assert.NoError(t, c.Stop(ctx), "stopping what never started does nothing")
	assert.Equal(t, client.StateStopped, c.State())
	assert.Empty(t, c.ConnectionID())
	sub := c.SubscribeGroupStreams(nil)
	sub.Close()
}
