package emulator

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pipeListener hands out one end of a net.Pipe once.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}
func (l *pipeListener) Close() error   { l.once.Do(func() { close(l.done) }); return nil }
func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// pipeTransport returns a started transport whose client end never reads:
// over a net.Pipe, which buffers nothing, the first write blocks at once.
func pipeTransport(t *testing.T) *transport {
	t.Helper()
	server, client := net.Pipe()
	ln := &pipeListener{conns: make(chan net.Conn, 1), done: make(chan struct{})}
	ln.conns <- server
	accepted := make(chan *transport, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &corkingWriter{ResponseWriter: w}
		ws, err := websocket.Accept(cw, r, nil)
		if err != nil {
			return
		}
		tr := newTransport(nil, slog.New(slog.DiscardHandler))
		tr.setConn(ws, cw.conn)
		accepted <- tr
	})}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) { return client, nil }}}
	cws, _, err := websocket.Dial(ctx, "ws://pipe/", &websocket.DialOptions{HTTPClient: hc})
	require.NoError(t, err)
	tr := <-accepted
	tr.start()
	t.Cleanup(func() {
		tr.abort()
		tr.stop()
		cws.CloseNow()
		srv.Close()
	})
	return tr
}

// TestQueueLimitCountsTheBatchBeingWritten: the frames the writer has taken
// but not written count against the queue limit, so a stalled client holds
// at most the limit, not the limit again each time the writer takes a batch.
func TestQueueLimitCountsTheBatchBeingWritten(t *testing.T) {
	const size = 64 << 10 // too big to be written inline
	for _, limit := range []struct {
		name          string
		frames, bytes int
	}{
		{"frames", 3, 1 << 30},
		{"bytes", 1000, 3 * size},
	} {
		t.Run(limit.name, func(t *testing.T) {
			defer SetQueueLimits(limit.frames, limit.bytes)()
			testQueueLimit(t, outFrame{typ: websocket.MessageBinary, data: make([]byte, size)})
		})
	}
}

func testQueueLimit(t *testing.T, frame outFrame) {
	tr := pipeTransport(t)
	require.True(t, tr.enqueue(frame))
	// Wait until the writer has taken the frame (and blocks writing it).
	require.Eventually(t, func() bool {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		return len(tr.queue) == 0
	}, 10*time.Second, time.Millisecond)
	accepted := 1
	for accepted < 10 && tr.enqueue(frame) {
		accepted++
	}
	assert.Equal(t, 3, accepted, "frames held by a stalled transport (queued or being written)")
}
