package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
)

// fragment is a JSON group message carrying fragment k of stream id, with a
// payload of size bytes.
func fragment(id string, k, size int) string {
	return fmt.Sprintf(`{"type":"message","from":"group","group":"g","fromUserId":"u","dataType":"text","data":%q,"stream":{"streamId":%q,"streamSequenceId":%d}}`,
		strings.Repeat("x", size), id, k)
}

// readAll reads gs until its end and returns the bytes read and the error
// it ended with.
func readAll(t *testing.T, gs *client.GroupStream) (int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n := 0
	for {
		f, err := gs.Next(ctx)
		if err != nil {
			return n, err
		}
		n += len(f.Data)
	}
}

// The unread fragments of a subscription's streams are bounded by bytes,
// not only by count (v0.2.0 held 720 MiB for five streams whose reader did
// not read): a fragment beyond ReadBufferBytes fails its stream with
// ErrStreamReaderTooSlow, whose later frames are then ignored, and reading
// makes room again.
func TestReceivedStreamsAreBoundedByBytes(t *testing.T) {
	const kib = 1024
	frames := []string{}
	for k := 1; k <= 8; k++ {
		frames = append(frames, fragment("s1", k, kib)) // 8 KiB
	}
	frames = append(frames,
		fragment("s2", 1, kib), fragment("s2", 2, kib), // 10 KiB: the bound
		fragment("s2", 3, kib), // fails s2
		fragment("s1", 9, kib), // fails s1
		fragment("s3", 1, kib), // fails s3 at once
		fragment("s2", 4, kib), // ignored: s2 failed
	)
	next := make(chan string)
	f := newFakeService(t, fakeDiscard, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c"))
		for _, fr := range frames {
			send(ctx, ws, fr)
		}
		send(ctx, ws, `{"type":"message","from":"server","dataType":"text","data":"sent"}`)
		for {
			select {
			case fr := <-next:
				send(ctx, ws, fr)
			case <-ctx.Done():
				return
			}
		}
	})
	var r recorder
	o := r.hook(fastOptions())
	o.Protocol = client.ProtocolJSON
	c, err := client.New(f.url(), o)
	require.NoError(t, err)
	sub := c.SubscribeGroupStreams(&client.GroupStreamSubscriptionOptions{ReadBufferBytes: 10 * kib})
	defer sub.Close()
	require.NoError(t, c.Start(ctxT(t)))
	defer stopClient(t, c)
	waitFor(t, func() bool { return len(r.serverMessages()) == 1 }, "every frame was handled")

	want := map[string]int{"s1": 8 * kib, "s2": 2 * kib, "s3": 0}
	for range 3 {
		gs, err := sub.Next(ctxT(t))
		require.NoError(t, err)
		n, err := readAll(t, gs)
		require.ErrorIs(t, err, client.ErrStreamReaderTooSlow, gs.StreamID)
		assert.Contains(t, err.Error(), "ReadBufferBytes")
		assert.Equal(t, want[gs.StreamID], n, gs.StreamID)
		delete(want, gs.StreamID)
	}
	assert.Empty(t, want)

	// Everything was read: a new stream has the whole budget.
	next <- fragment("s4", 1, 6*kib)
	next <- fragment("s4", 2, 4*kib)
	next <- `{"type":"message","from":"group","group":"g","dataType":"json","stream":{"streamId":"s4","streamSequenceId":3,"endOfStream":true}}`
	gs, err := sub.Next(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, "s4", gs.StreamID)
	n, err := readAll(t, gs)
	assert.True(t, errors.Is(err, io.EOF), "s4 ended cleanly: %v", err)
	assert.Equal(t, 10*kib, n)
}
