package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

// TestMetadataEndToEnd: on every subprotocol, JSON and protobuf alike,
// metadata given to SendEvent and InvokeEvent reach our event handler
// through the emulator as x-webpubsub-metadata-<key> headers; the handler's
// answer comes back with its X-WebPubSub-Metadata-* headers as the server
// message's metadata; and metadata given to SendToGroup reach the group's
// members, on JSON and protobuf, as GroupMessage.Metadata.
func TestMetadataEndToEnd(t *testing.T) {
	got := make(chan *eventhandler.UserEventRequest, 4)
	h, err := eventhandler.New("chat", &eventhandler.Options{AccessKeys: []string{upstreamKey},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			got <- req
			resp.SetText("ok")
			return nil
		}})
	require.NoError(t, err)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-WebPubSub-Metadata-Answered-By", "handler") // on the answer
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(up.Close)
	v := newEnv(t, emulator.Options{AccessKey: upstreamKey, Upstream: []emulator.UpstreamHandler{{
		URLTemplate: up.URL + h.Path(), UserEventPattern: "*", SystemEvents: []string{"connect", "connected"},
	}}})
	md := map[string]string{"tenant": "t1", "trace-id": "42"}
	protocols := []client.Protocol{client.ProtocolJSON, client.ProtocolJSONReliable, client.ProtocolProtobuf, client.ProtocolProtobufReliable}

	var members []*recorder
	for _, p := range protocols {
		var r recorder
		c := startClient(t, v.url(t, "member", allRoles...), r.hook(withProtocol(p)))
		_, err := c.JoinGroup(ctxT(t), "g", nil)
		require.NoError(t, err)
		members = append(members, &r)
	}

	for i, p := range protocols {
		var r recorder
		c := startClient(t, v.url(t, "u", allRoles...), r.hook(withProtocol(p)))
		_, err := c.SendEvent(ctxT(t), "order", client.Text("x"), &client.SendEventOptions{Metadata: md})
		require.NoError(t, err, p)
		req := <-got
		assert.Equal(t, "order", req.Context.EventName, p)
		assert.Equal(t, md, req.Metadata, p)
		require.Eventually(t, func() bool { return len(r.serverMessages()) == 1 }, 5*time.Second, 5*time.Millisecond, p)
		assert.Equal(t, map[string]string{"answered-by": "handler"}, r.serverMessages()[0].Metadata, "%s: the answer's metadata", p)

		res, err := c.InvokeEvent(ctxT(t), "quote", client.Text("y"), &client.InvokeEventOptions{Metadata: md})
		require.NoError(t, err, p)
		assert.Equal(t, "ok", string(res.Data))
		req = <-got
		assert.Equal(t, "quote", req.Context.EventName, p)
		assert.Equal(t, md, req.Metadata, p)

		// Without metadata the upstream gets none.
		_, err = c.SendEvent(ctxT(t), "order", client.Text("x"), nil)
		require.NoError(t, err, p)
		assert.Nil(t, (<-got).Metadata, p)

		_, err = c.SendToGroup(ctxT(t), "g", client.Text(string(p)), &client.SendToGroupOptions{Metadata: map[string]string{"sent-with": string(p)}})
		require.NoError(t, err, p)
		for j, m := range members {
			require.Eventually(t, func() bool { return len(m.groupMessages()) == i+1 }, 5*time.Second, 5*time.Millisecond, "%s to %s", p, protocols[j])
			gm := m.groupMessages()[i]
			assert.Equal(t, string(p), string(gm.Data))
			assert.Equal(t, map[string]string{"sent-with": string(p)}, gm.Metadata, "%s to %s", p, protocols[j])
		}
	}
}
