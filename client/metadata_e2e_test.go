package client_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

// TestEventMetadataReachesTheUpstream: metadata given to SendEvent and
// InvokeEvent on a protobuf subprotocol reach our event handler through the
// emulator. (On JSON the client sends them too, see metadata_fake_test.go;
// the emulator does not pass a JSON client's metadata upstream yet.)
func TestEventMetadataReachesTheUpstream(t *testing.T) {
	got := make(chan *eventhandler.UserEventRequest, 4)
	v := newUpstreamEnv(t, func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
		got <- req
		resp.SetText("ok")
		return nil
	})
	md := map[string]string{"tenant": "t1", "trace-id": "42"}

	pc := startClient(t, v.url(t, "p"), withProtocol(client.ProtocolProtobufReliable))
	_, err := pc.SendEvent(ctxT(t), "order", client.Text("x"), &client.SendEventOptions{Metadata: md})
	require.NoError(t, err)
	req := <-got
	assert.Equal(t, "order", req.Context.EventName)
	assert.Equal(t, md, req.Metadata)

	res, err := pc.InvokeEvent(ctxT(t), "quote", client.Text("y"), &client.InvokeEventOptions{Metadata: md})
	require.NoError(t, err)
	assert.Equal(t, "ok", string(res.Data))
	req = <-got
	assert.Equal(t, "quote", req.Context.EventName)
	assert.Equal(t, md, req.Metadata)

	// Without metadata the upstream gets none.
	jc := startClient(t, v.url(t, "j"), withProtocol(client.ProtocolJSONReliable))
	_, err = jc.SendEvent(ctxT(t), "order", client.Text("x"), nil)
	require.NoError(t, err)
	req = <-got
	assert.Nil(t, req.Metadata)
}
