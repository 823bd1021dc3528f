package wsio

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// slow are limits under which only the test's own bounds end a write.
var slow = Limits{QueueFrames: 1000, QueueBytes: 64 << 20, WriteTimeout: time.Minute, CloseTimeout: time.Minute}

// logs collects the messages of a logger.
type logs struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logs) Enabled(context.Context, slog.Level) bool { return true }
func (l *logs) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logs) WithGroup(string) slog.Handler            { return l }
func (l *logs) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.msgs = append(l.msgs, r.Message)
	l.mu.Unlock()
	return nil
}

func (l *logs) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

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

// writeSpy counts the writes to a connection and reports writes in progress.
type writeSpy struct {
	net.Conn
	writes  atomic.Int64
	blocked atomic.Int64 // writes entered and not returned
}

func (w *writeSpy) Write(p []byte) (int, error) {
	w.writes.Add(1)
	w.blocked.Add(1)
	defer w.blocked.Add(-1)
	return w.Conn.Write(p)
}

// peer is the client end of a socket under test.
type peer struct {
	ws  *websocket.Conn
	spy *writeSpy // the server side's network connection
}

// pipePair returns a socket (not started) on the server end of a net.Pipe,
// which buffers nothing: a write blocks until the peer reads. The frames
// queued before the test starts the socket form one batch.
func pipePair(t *testing.T, lim Limits, log *logs) (*Socket, *peer) {
	t.Helper()
	server, client := net.Pipe()
	spy := &writeSpy{Conn: server}
	ln := &pipeListener{conns: make(chan net.Conn, 1), done: make(chan struct{})}
	ln.conns <- spy
	s := New(lim, slog.New(log))
	accepted := make(chan error, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accepted <- s.Accept(w, r, "", 1<<20)
	})}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) { return client, nil }}}
	cws, _, err := websocket.Dial(ctx, "ws://pipe/", &websocket.DialOptions{HTTPClient: hc})
	require.NoError(t, err)
	require.NoError(t, <-accepted)
	cws.SetReadLimit(8 << 20)
	spy.writes.Store(0)
	t.Cleanup(func() {
		s.Stop()
		cws.CloseNow()
		srv.Close()
	})
	return s, &peer{ws: cws, spy: spy}
}

// tcpPair is pipePair over a loopback TCP connection, whose socket buffers
// take large frames.
func tcpPair(t *testing.T, lim Limits) (*Socket, *websocket.Conn) {
	t.Helper()
	s := New(lim, slog.New(&logs{}))
	accepted := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accepted <- s.Accept(w, r, "", 1<<20)
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	require.NoError(t, err)
	require.NoError(t, <-accepted)
	cws.SetReadLimit(8 << 20)
	t.Cleanup(func() {
		s.Stop()
		cws.CloseNow()
		srv.Close()
	})
	return s, cws
}

// read returns the next message of ws.
func read(t *testing.T, ws *websocket.Conn) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := ws.Read(ctx)
	require.NoError(t, err)
	return b
}

// within fails the test if f does not return within 10 s: it proves that f
// does not wait for a write that blocks for a minute.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s waited for a blocked network write", what)
	}
}

// blockWriter queues a frame the pipe's peer does not read and waits until
// the writer is blocked writing it.
func blockWriter(t *testing.T, s *Socket, p *peer) {
	t.Helper()
	s.Start()
	require.True(t, s.Queue(Frame{Type: websocket.MessageBinary, Data: make([]byte, 1024)}))
	require.Eventually(t, func() bool { return p.spy.blocked.Load() > 0 }, 10*time.Second, time.Millisecond)
}

func TestNoLockIsHeldAcrossABlockingWrite(t *testing.T) {
	s, p := pipePair(t, slow, &logs{})
	blockWriter(t, s, p)
	within(t, "Queue", func() { assert.True(t, s.Queue(Frame{Type: websocket.MessageText, Data: []byte("x")})) })
	within(t, "the socket's lock", func() { s.mu.Lock(); _ = s.qFrames; s.mu.Unlock() })
	within(t, "Close", func() { s.Close(websocket.StatusNormalClosure, "bye") })
	within(t, "Kill", s.Kill)
	within(t, "the writer's end after Kill", s.writer.Wait)
}

func TestStalledPeerNeverBlocksABroadcast(t *testing.T) {
	lim := slow
	lim.QueueFrames = 100
	stalledSock, stalled := pipePair(t, lim, &logs{})
	readerSock, reader := pipePair(t, lim, &logs{})
	blockWriter(t, stalledSock, stalled)
	readerSock.Start()
	const n = 500
	got := make(chan int, 1)
	go func() {
		i := 0
		for ; i < n; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, b, err := reader.ws.Read(ctx)
			cancel()
			if err != nil || string(b) != strconv.Itoa(i) {
				break
			}
		}
		got <- i
	}()
	refused := 0
	within(t, "a broadcast to a stalled and a reading peer", func() {
		for i := 0; i < n; i++ {
			f := Frame{Type: websocket.MessageText, Data: []byte(strconv.Itoa(i))}
			if !stalledSock.Queue(f) {
				refused++
			}
			for !readerSock.Queue(f) {
				time.Sleep(time.Millisecond) // the reader's queue is full for a moment
			}
		}
	})
	assert.Equal(t, n, <-got, "the reading peer got every frame in order")
	assert.Equal(t, n-(lim.QueueFrames-1), refused, "the stalled peer's queue stops at its limit (one frame is in the blocked write)")
}

// TestQueueLimitCountsTheBatchBeingWritten: the frames the writer has taken
// but not written count against the queue limit, so a stalled peer holds at
// most the limit, not the limit again each time the writer takes a batch.
func TestQueueLimitCountsTheBatchBeingWritten(t *testing.T) {
	const size = 64 << 10
	for _, limit := range []struct {
		name          string
		frames, bytes int
	}{
		{"frames", 3, 1 << 30},
		{"bytes", 1000, 3 * size},
	} {
		t.Run(limit.name, func(t *testing.T) {
			lim := slow
			lim.QueueFrames, lim.QueueBytes = limit.frames, limit.bytes
			s, p := pipePair(t, lim, &logs{})
			frame := Frame{Type: websocket.MessageBinary, Data: make([]byte, size)}
			s.Start()
			require.True(t, s.Queue(frame))
			require.Eventually(t, func() bool { return p.spy.blocked.Load() > 0 }, 10*time.Second, time.Millisecond)
			accepted := 1
			for accepted < 10 && s.Queue(frame) {
				accepted++
			}
			assert.Equal(t, 3, accepted, "frames held by a stalled socket (queued or being written)")
		})
	}
}

func TestFramesOfAnySizeAreWrittenWholeAndInOrder(t *testing.T) {
	s, ws := tcpPair(t, slow)
	sizes := []int{10, 200 << 10, 5, bufLimit - 3, bufLimit + 1, 1 << 20, 3, 4096}
	addSeq := func(dst, frame []byte, seq uint64) []byte {
		return append(append(dst, frame...), fmt.Sprintf("#%d", seq)...)
	}
	var want [][]byte
	for i, n := range sizes {
		data := bytes.Repeat([]byte{byte('a' + i)}, n)
		f := Frame{Type: websocket.MessageBinary, Data: data}
		w := data
		if i%2 == 1 {
			f.Seq, f.AddSeq = uint64(i), addSeq
			w = addSeq(nil, data, uint64(i))
		}
		require.True(t, s.Queue(f))
		want = append(want, w)
	}
	s.Start() // everything queued so far is one batch
	for i := range want {
		assert.Equal(t, want[i], read(t, ws), "frame %d of %d bytes", i, sizes[i])
	}
}

func TestABatchLeavesWithOneNetworkWrite(t *testing.T) {
	s, p := pipePair(t, slow, &logs{})
	const n = 50
	for i := 0; i < n; i++ {
		require.True(t, s.Queue(Frame{Type: websocket.MessageText, Data: []byte(strconv.Itoa(i))}))
	}
	s.Start()
	for i := 0; i < n; i++ {
		assert.Equal(t, strconv.Itoa(i), string(read(t, p.ws)))
	}
	assert.Equal(t, int64(1), p.spy.writes.Load(), "network writes for a batch of %d frames", n)
	require.Eventually(t, func() bool { s.mu.Lock(); defer s.mu.Unlock(); return !s.writing }, 10*time.Second, time.Millisecond,
		"the writer ends once the queue is empty")
}

func TestWriteTimeoutAbortsAStalledPeer(t *testing.T) {
	lim := slow
	lim.WriteTimeout = 200 * time.Millisecond
	l := &logs{}
	s, _ := pipePair(t, lim, l)
	s.Start()
	require.True(t, s.Queue(Frame{Type: websocket.MessageBinary, Data: make([]byte, 1024)}))
	select {
	case <-s.Context().Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a write to a peer that does not read never timed out")
	}
	require.Eventually(t, func() bool { return l.has("a write did not finish in time") }, 10*time.Second, time.Millisecond)
}

func TestCloseTimeoutAbortsAStalledPeer(t *testing.T) {
	lim := slow
	lim.CloseTimeout = 200 * time.Millisecond
	l := &logs{}
	s, p := pipePair(t, lim, l)
	blockWriter(t, s, p)
	s.Close(websocket.StatusNormalClosure, "bye")
	select {
	case <-s.Context().Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a close behind a blocked write never timed out")
	}
	assert.True(t, l.has("close frame could not be written in time"))
	assert.True(t, s.Queue(Frame{Type: websocket.MessageText, Data: []byte("x")}), "frames for a dead socket are dropped, not refused")
}

func TestCloseFollowsTheQueuedFrames(t *testing.T) {
	s, ws := tcpPair(t, slow)
	s.Start()
	for i := 0; i < 3; i++ {
		require.True(t, s.Queue(Frame{Type: websocket.MessageText, Data: []byte(strconv.Itoa(i))}))
	}
	reason := strings.Repeat("é", 100) // 200 bytes: cut to at most 123 without splitting a letter
	s.Close(4001, reason)
	assert.True(t, s.Queue(Frame{Type: websocket.MessageText, Data: []byte("late")}), "frames after a close are dropped")
	for i := 0; i < 3; i++ {
		assert.Equal(t, strconv.Itoa(i), string(read(t, ws)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err := ws.Read(ctx)
	var ce websocket.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, websocket.StatusCode(4001), ce.Code)
	assert.Equal(t, strings.Repeat("é", 61), ce.Reason)
}

// writerStarts returns how many writer goroutines s started.
func writerStarts(s *Socket) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.starts
}

// TestSendersWriteToAnIdleSocketThemselves: a small frame staged for an
// idle socket is written by its sender's Flush; no writer goroutine is
// woken for it. Stage itself writes nothing (callers hold locks).
// (A probe whose thread is descheduled for longer than probeWait before
// its write leaves the frame to the writer: a rare fallback, tolerated.)
func TestSendersWriteToAnIdleSocketThemselves(t *testing.T) {
	s, ws := tcpPair(t, slow)
	s.Start()
	require.True(t, s.Stage(Frame{Type: websocket.MessageText, Data: []byte("staged")}))
	time.Sleep(20 * time.Millisecond)
	s.mu.Lock()
	queued := len(s.queue)
	s.mu.Unlock()
	assert.Equal(t, 1, queued, "Stage writes nothing")
	assert.Zero(t, writerStarts(s), "Stage wakes no writer")
	s.Flush()
	assert.Equal(t, "staged", string(read(t, ws)))
	for i := 0; i < 100; i++ {
		require.True(t, s.Stage(Frame{Type: websocket.MessageText, Data: []byte(strconv.Itoa(i))}))
		s.Flush()
		assert.Equal(t, strconv.Itoa(i), string(read(t, ws)))
	}
	started := writerStarts(s)
	assert.LessOrEqual(t, started, 10, "writer goroutines woken for 100 frames to an idle socket")
	big := Frame{Type: websocket.MessageBinary, Data: make([]byte, maxProbeFrame+1)}
	require.True(t, s.Stage(big))
	s.Flush()
	assert.Len(t, read(t, ws), maxProbeFrame+1)
	assert.Equal(t, started+1, writerStarts(s), "a large frame goes to the writer")
}

// gateConn is a client connection whose reads stop once allow bytes were
// read, until more are allowed.
type gateConn struct {
	net.Conn
	mu    sync.Mutex
	allow int
	more  chan struct{}
}

func (g *gateConn) Read(p []byte) (int, error) {
	for {
		g.mu.Lock()
		n := min(len(p), g.allow)
		more := g.more
		g.mu.Unlock()
		if n > 0 {
			n, err := g.Conn.Read(p[:n])
			g.mu.Lock()
			g.allow -= n
			g.mu.Unlock()
			return n, err
		}
		<-more
	}
}

// open lets every later read through.
func (g *gateConn) open() {
	g.mu.Lock()
	g.allow = 1 << 30
	close(g.more)
	g.mu.Unlock()
}

// TestAProbeCutShortIsFinishedInOrder: when a peer takes only part of a
// sender's frame, the rest is kept and the writer sends it before anything
// else, so the peer gets every frame whole and in order.
func TestAProbeCutShortIsFinishedInOrder(t *testing.T) {
	server, client := net.Pipe()
	gate := &gateConn{Conn: client, allow: 1 << 20, more: make(chan struct{})}
	ln := &pipeListener{conns: make(chan net.Conn, 1), done: make(chan struct{})}
	ln.conns <- server
	s := New(slow, slog.New(&logs{}))
	accepted := make(chan error, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accepted <- s.Accept(w, r, "", 1<<20)
	})}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) { return gate, nil }}}
	ws, _, err := websocket.Dial(ctx, "ws://pipe/", &websocket.DialOptions{HTTPClient: hc})
	require.NoError(t, err)
	require.NoError(t, <-accepted)
	t.Cleanup(func() { s.Stop(); ws.CloseNow(); srv.Close() })
	s.Start()

	gate.mu.Lock()
	gate.allow = 1000 // the peer takes 1000 bytes of the first frame, then stalls
	gate.mu.Unlock()
	first := bytes.Repeat([]byte("a"), maxProbeFrame)
	within(t, "a probe to a peer that stalls mid-frame", func() {
		require.True(t, s.Queue(Frame{Type: websocket.MessageBinary, Data: first}))
	})
	require.Eventually(t, func() bool { return writerStarts(s) == 1 }, 10*time.Second, time.Millisecond, "the writer took over")
	within(t, "frames behind the kept bytes", func() {
		for i := 0; i < 3; i++ {
			require.True(t, s.Queue(Frame{Type: websocket.MessageText, Data: []byte(strconv.Itoa(i))}))
		}
	})
	gate.open()
	assert.Equal(t, first, read(t, ws))
	for i := 0; i < 3; i++ {
		assert.Equal(t, strconv.Itoa(i), string(read(t, ws)))
	}
}
