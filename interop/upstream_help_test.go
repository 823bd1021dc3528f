package interop

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

// syncBuffer is a log sink safe for concurrent writes.
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

// warning returns the first warning logged in s that contains every one of
// parts, or "".
func (s *syncBuffer) warning(parts ...string) string {
	for _, line := range strings.Split(s.String(), "\n") {
		ok := strings.Contains(line, "level=WARN")
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			return line
		}
	}
	return ""
}

// logQuoted is s as a quoted value of the emulator's text log shows it.
func logQuoted(s string) string { return strings.ReplaceAll(s, `"`, `\"`) }

// chatHandler serves our event handler for hub "chat", signing with key,
// and returns its URL.
func chatHandler(t *testing.T, key string) string {
	t.Helper()
	h, err := eventhandler.New("chat", &eventhandler.Options{AccessKeys: []string{key}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + h.Path()
}

// notRunning returns the URL of a port nothing listens on.
func notRunning(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr + "/api/webpubsub/hubs/chat"
}

// refusedBy connects a Go client and the JS client to url and returns the
// Go client's *client.ConnectError and the JS client's error.
func refusedBy(t *testing.T, url string) (*client.ConnectError, *jsError) {
	t.Helper()
	ctx := testCtx(t, scriptDeadline)
	var (
		wg    sync.WaitGroup
		goErr error
	)
	wg.Add(1)
	go func() { // the JS client meanwhile: a handler that is not running costs ~9 s each
		defer wg.Done()
		c, err := client.New(url, &client.Options{DisableAutoReconnect: true})
		if err != nil {
			goErr = err
			return
		}
		goErr = c.Start(ctx)
	}()
	js := startNode(t, "client.js")
	js.must(ctx, "new", map[string]any{"url": url, "protocol": "json", "autoReconnect": false}, nil)
	_, jsErr := js.call(ctx, "start", nil)
	wg.Wait()
	var ce *client.ConnectError
	require.ErrorAs(t, goErr, &ce)
	var je *jsError
	require.ErrorAs(t, jsErr, &je)
	t.Logf("the Go client says: %v\nthe JS client says: %s", ce, je.Message)
	return ce, je
}

// TestUpstreamFailuresExplained: when the connect handler fails, the
// client's refused handshake (its body, where the service fixes no text)
// and the emulator's warning name the handler's URL, the hub, the status
// and answer, and the likely fix; the JS client, which shows only the
// status, meets the handler's status. (#25.2)
func TestUpstreamFailuresExplained(t *testing.T) {
	requireNode(t)
	t.Run("a handler started with another key", func(t *testing.T) {
		t.Parallel()
		handler := chatHandler(t, "another-key-another-key-another-key")
		var logs syncBuffer
		e := emulatortest.New(t, &emulator.Options{AccessKey: testKey, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			Upstream: []emulator.UpstreamHandler{{Hub: "chat", URLTemplate: handler, SystemEvents: []string{"connect"}}}})
		ce, je := refusedBy(t, e.ClientURL("chat", nil))
		assert.Equal(t, http.StatusUnauthorized, ce.StatusCode, "the handler's status")
		for _, want := range []string{handler, `hub "chat"`, "401", "ce-signature does not match any access key", "use the same key on both sides"} {
			assert.Contains(t, ce.Reason, want)
			assert.NotEmpty(t, logs.warning("client connection refused", logQuoted(want)), "the warning names %q:\n%s", want, logs.String())
		}
		assert.Contains(t, je.Message, "401", "the JS client shows the status only")
	})
	t.Run("a handler that is not running", func(t *testing.T) {
		t.Parallel()
		handler := notRunning(t)
		var logs syncBuffer
		e := emulatortest.New(t, &emulator.Options{AccessKey: testKey, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			Upstream: []emulator.UpstreamHandler{{Hub: "chat", URLTemplate: handler, SystemEvents: []string{"connect"}}}})
		ce, je := refusedBy(t, e.ClientURL("chat", nil))
		assert.Equal(t, http.StatusInternalServerError, ce.StatusCode)
		for _, want := range []string{handler, `hub "chat"`, "cannot connect", "start the handler"} {
			assert.Contains(t, ce.Reason, want)
			assert.NotEmpty(t, logs.warning("client connection refused", logQuoted(want)), "the warning names %q:\n%s", want, logs.String())
		}
		assert.Contains(t, je.Message, "500")
	})
	t.Run("an -upstream handler that serves another hub", func(t *testing.T) {
		t.Parallel()
		handler := chatHandler(t, testKey)
		connStr, stderr := startCLIEmulatorLogged(t, "-key", testKey, "-upstream", handler)
		tok := goToken(t, connStr, "news", webpubsub.ServiceClientGetClientAccessTokenOptions{})
		ce, je := refusedBy(t, tok.URL)
		assert.Equal(t, http.StatusBadRequest, ce.StatusCode)
		for _, want := range []string{handler, `hub "news"`, "400", "this handler serves hub chat", "an -upstream URL receives every hub's events"} {
			assert.Contains(t, ce.Reason, want)
			require.Eventually(t, func() bool { return strings.Contains(stderr.String(), logQuoted(want)) }, waitLong, 10*time.Millisecond,
				"the CLI's warning names %q:\n%s", want, stderr.String())
		}
		assert.Contains(t, je.Message, "400")
	})
}

// TestConnectionStateIsOpaque: a connect handler in another language sets
// a plain ce-connectionState ("initial", not base64 JSON); the emulator
// sends it back unchanged on the connected event and the user events that
// follow, to our event handler (which reads it as an empty state and
// answers) and to express (which does the same, then sets its own state,
// which our event handler then reads). (#26.3)
func TestConnectionStateIsOpaque(t *testing.T) {
	requireNode(t)
	ctx := testCtx(t, scriptDeadline)
	states := make(chan string, 8)
	connect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Set("WebHook-Allowed-Origin", "*")
			return
		}
		if r.Header.Get("ce-eventName") == "connect" {
			w.Header().Set("ce-connectionState", "initial")
			return
		}
		states <- r.Header.Get("ce-eventName") + ":" + r.Header.Get("ce-connectionState")
	}))
	t.Cleanup(connect.Close)

	var seen []map[string]any
	var mu sync.Mutex
	h, err := eventhandler.New("chat", &eventhandler.Options{AccessKeys: []string{testKey},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			mu.Lock()
			seen = append(seen, req.Context.State)
			mu.Unlock()
			resp.SetText("go handler answered")
			return nil
		}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			states <- "go:" + r.Header.Get("ce-connectionState")
		}
		h.ServeHTTP(w, r)
	}))
	goSrv := httptest.NewServer(mux)
	t.Cleanup(goSrv.Close)

	up := startNode(t, "express.js", "HUB=chat")
	var listening struct {
		Port int    `json:"port"`
		Path string `json:"path"`
	}
	up.mustEvent(ctx, "listening", nil).decode(t, &listening)

	e := emulatortest.New(t, &emulator.Options{AccessKey: testKey, Upstream: []emulator.UpstreamHandler{
		{Hub: "chat", URLTemplate: connect.URL + "/{event}", SystemEvents: []string{"connect", "connected"}},
		{Hub: "chat", URLTemplate: goSrv.URL + h.Path(), UserEventPattern: "go.*"},
		{Hub: "chat", URLTemplate: fmt.Sprintf("http://127.0.0.1:%d%s", listening.Port, listening.Path), UserEventPattern: "express.*"},
	}})
	gc := newGoClient(t, e.ClientURL("chat", nil), fastGoOptions(client.ProtocolJSONReliable))
	next := func() string {
		select {
		case s := <-states:
			return s
		case <-ctx.Done():
			t.Fatal("no event reached the handlers")
			return ""
		}
	}
	assert.Equal(t, "connected:initial", next(), "the connected event carries the state as it was set")

	_, err = gc.SendEvent(ctx, "go.hello", client.Text("1"), nil)
	require.NoError(t, err, "our handler answers an event whose state it cannot read")
	assert.Equal(t, "go:initial", next())
	gc.waitMessage("go handler answered")

	_, err = gc.SendEvent(ctx, "express.hello", client.Text("2"), nil)
	require.NoError(t, err, "express answers too")
	var r struct {
		Headers map[string]string `json:"headers"`
	}
	up.mustEvent(ctx, "request", func(e event) bool { return strings.Contains(string(e.Raw), `"ce-eventname":"express.hello"`) }).decode(t, &r)
	assert.Equal(t, "initial", r.Headers["ce-connectionstate"], "unchanged")
	gc.waitMessage("express.hello:2:visits=1")

	_, err = gc.SendEvent(ctx, "go.again", client.Text("3"), nil)
	require.NoError(t, err)
	assert.NotEqual(t, "go:initial", next(), "express's own state replaced it")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 2)
	assert.Empty(t, seen[0], "a plain state reads as empty, as express reads it")
	assert.Equal(t, map[string]any{"visits": float64(1)}, seen[1], "the state express set")
}
