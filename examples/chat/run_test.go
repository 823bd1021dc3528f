package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunWithEmulator runs the sample as `go run ./chat` (in examples/) does with
// no connection string, then stops it.
func TestRunWithEmulator(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, ln, "", &out, nil) }()

	require.Eventually(t, func() bool {
		return strings.Contains(out.String(), "Chat is running")
	}, 10*time.Second, 10*time.Millisecond)
	assert.Contains(t, out.String(), connectionStringEnv+" is not set: using the in-process emulator at http://127.0.0.1:")
	assert.Contains(t, out.String(), "open "+base+"/ in two browser windows")

	hc := httpClient(t)
	resp, err := hc.Get(base + "/")
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), "<title>Web PubSub chat</title>")

	// The access URL points at the emulator, and the emulator accepts it.
	c := dialChat(t, negotiate(t, hc, base, "carol"))
	require.NoError(t, c.ws.CloseNow())

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "run did not return after its context was cancelled")
	}
	_, err = hc.Get(base + "/")
	assert.Error(t, err, "the server is stopped")
}

func TestRunRejectsBadConnectionString(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	err = run(context.Background(), ln, "Endpoint=nope", io.Discard, nil)
	require.Error(t, err)
	_, dialErr := net.Dial("tcp", ln.Addr().String())
	assert.Error(t, dialErr, "the listener is closed")
}

func TestBaseURL(t *testing.T) {
	for _, tc := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http://127.0.0.1:8080"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http://127.0.0.1:8080"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 9000}, "http://127.0.0.1:9000"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 9000}, "http://[::1]:9000"},
		{stringAddr(":8080"), "http://127.0.0.1:8080"},
		{stringAddr("localhost:80"), "http://localhost:80"},
	} {
		assert.Equal(t, tc.want, baseURL(tc.addr), tc.addr.String())
	}
}

// stringAddr is a net.Addr given as text.
type stringAddr string

func (a stringAddr) Network() string { return "tcp" }
func (a stringAddr) String() string  { return string(a) }
