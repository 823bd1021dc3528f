package client_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
)

// A service that stops reading makes the client's writes block once the
// socket buffers are full; the dead-connection timeout must still close the
// silent connection (and so unblock the writers).
func TestDeadConnectionTimeoutFiresWhileWritesBlock(t *testing.T) {
	release := make(chan struct{})
	f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		send(ctx, ws, connected("c"+jsonNum(uint64(n))))
		if n == 0 {
			<-release // neither read nor write: the client's writes back up
			return
		}
		readFrames(ctx, ws, func([]byte) bool { return true })
	})
	t.Cleanup(func() { close(release) }) // runs before the fake service's cleanup

	var r recorder
	o := r.hook(fastOptions())
	o.Protocol = client.ProtocolJSON
	o.KeepAliveInterval = 20 * time.Millisecond
	// Long enough for the socket buffers to fill first, even with -race.
	o.KeepAliveTimeout = time.Second
	c := startClient(t, f.url(), o)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		big := client.Text(strings.Repeat("x", 1<<20))
		for ctx.Err() == nil && c.ConnectionID() == "c0" {
			_, _ = c.SendEvent(ctx, "fill", big, &client.SendEventOptions{FireAndForget: true})
		}
	}()
	defer func() {
		cancel()
		stopClient(t, c) // unblocks a write that is stuck if the test fails
		wg.Wait()
	}()

	waitFor(t, func() bool { return len(r.disconnectedEvents()) >= 1 }, "the silent connection is closed although writes block")
	require.Error(t, r.disconnectedEvents()[0].Err)
	assert.Contains(t, r.disconnectedEvents()[0].Err.Error(), "nothing received from the service")
	waitFor(t, func() bool { return c.ConnectionID() == "c1" }, "a new connection replaces it")
}
