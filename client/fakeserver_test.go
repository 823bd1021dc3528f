package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// fakeService is a scripted WebSocket server on 127.0.0.1 that plays the
// service side of the protocol for tests of the client's wire behaviour.
type fakeService struct {
	srv *httptest.Server

	mu       sync.Mutex
	requests []url.Values // query of every WebSocket request, in order
	frames   []string     // text frames clients sent (fakeRecord mode)
	// handshake, if set, may refuse request n (counted like accepted ones)
	// by returning an HTTP status instead of 0.
	handshake func(n int, q url.Values) int
	wg        sync.WaitGroup
}

// refuseWith makes the fake service answer handshakes with the status that
// status returns for them (0: accept).
func (f *fakeService) refuseWith(status func(n int, q url.Values) int) {
	f.mu.Lock()
	f.handshake = status
	f.mu.Unlock()
}

// fakeMode says who reads the frames a client sends.
type fakeMode int

const (
	// fakeDiscard: the server discards them; the script only writes.
	fakeDiscard fakeMode = iota
	// fakeRecord: the server records them in frames; the script only writes.
	fakeRecord
	// fakeRaw: the script reads them itself.
	fakeRaw
	// fakeNoSubprotocol: like fakeDiscard, but no subprotocol is accepted.
	fakeNoSubprotocol
)

// newFakeService runs script for every connection; n is the connection's
// index (0 for the first) and q its query. The connection is closed when
// script returns, except in fakeRecord mode where it stays open until the
// client leaves.
func newFakeService(t *testing.T, mode fakeMode, script func(ctx context.Context, ws *websocket.Conn, n int, q url.Values)) *fakeService {
	t.Helper()
	f := &fakeService{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.wg.Add(1)
		defer f.wg.Done()
		opts := &websocket.AcceptOptions{Subprotocols: []string{protocol.JSONReliable, protocol.JSON, protocol.ProtobufReliable, protocol.Protobuf}}
		if mode == fakeNoSubprotocol {
			opts.Subprotocols = nil
		}
		f.mu.Lock()
		if f.handshake != nil {
			if code := f.handshake(len(f.requests), r.URL.Query()); code != 0 {
				f.requests = append(f.requests, r.URL.Query())
				f.mu.Unlock()
				http.Error(w, "refused by the test", code)
				return
			}
		}
		f.mu.Unlock()
		ws, err := websocket.Accept(w, r, opts)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		f.mu.Lock()
		n := len(f.requests)
		f.requests = append(f.requests, r.URL.Query())
		f.mu.Unlock()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		switch mode {
		case fakeRaw:
			script(ctx, ws, n, r.URL.Query())
		case fakeRecord:
			done := make(chan struct{})
			go func() {
				defer close(done)
				defer cancel()
				readFrames(ctx, ws, func(b []byte) bool {
					f.mu.Lock()
					f.frames = append(f.frames, string(b))
					f.mu.Unlock()
					return true
				})
			}()
			script(ctx, ws, n, r.URL.Query())
			<-done
		default:
			script(ws.CloseRead(ctx), ws, n, r.URL.Query())
		}
	}))
	t.Cleanup(func() {
		f.srv.CloseClientConnections()
		f.srv.Close()
		f.wg.Wait()
	})
	return f
}

// url is the client access URL of the fake service.
func (f *fakeService) url() string {
	return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/client/hubs/h?access_token=secret-token-value"
}

func (f *fakeService) requestQueries() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.requests...)
}

func (f *fakeService) sentFrames() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.frames...)
}

// send writes a text frame, ignoring errors (the client may be gone).
func send(ctx context.Context, ws *websocket.Conn, frame string) {
	_ = ws.Write(ctx, websocket.MessageText, []byte(frame))
}

// readFrames calls handle with every frame the client sends until the
// connection ends or handle returns false.
func readFrames(ctx context.Context, ws *websocket.Conn, handle func(b []byte) bool) {
	for {
		_, b, err := ws.Read(ctx)
		if err != nil || !handle(b) {
			return
		}
	}
}

// connected is the connected system message of connection id.
func connected(id string) string {
	return `{"type":"system","event":"connected","connectionId":"` + id + `","userId":"u","reconnectionToken":"tok-` + id + `"}`
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, 2*time.Millisecond, msg)
}
