package emulator_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulator/fault"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// closesWithin fails the test unless e.Close returns within 10 s.
func closesWithin(t *testing.T, e *emulator.Emulator) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- e.Close() }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Close waits for the settings file")
	}
}

// attackSpecialSettingsFile: the settings file is replaced by a symbolic
// link to a named pipe nobody writes to, then to /dev/zero. Before: the
// watcher blocked on the pipe (later edits were ignored, Close waited for
// a writer) and /dev/zero grew the emulator to 2 GiB in 10 s.
func attackSpecialSettingsFile(t *testing.T) {
	defer emulator.SetSettingsPollInterval(10 * time.Millisecond)()
	dir := t.TempDir()
	path := filepath.Join(dir, "hubs.json")
	good := `{"hubs": {"chat": {"anonymousConnectPolicy": "allow"}}}`
	writeFile(t, path, good)
	logger, logs := newLog(slog.LevelInfo)
	e, err := emulator.New(&emulator.Options{SettingsFile: path, Logger: logger})
	require.NoError(t, err)
	before := liveHeap()

	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	require.NoError(t, os.Remove(path))
	require.NoError(t, os.Symlink(fifo, path))
	logs.waitFor(t, "keeping the last valid settings", "named pipe")

	require.NoError(t, os.Remove(path))
	require.NoError(t, os.Symlink("/dev/zero", path))
	logs.waitFor(t, "keeping the last valid settings", "device")
	grown := int64(liveHeap()) - int64(before)
	assert.Less(t, grown, int64(4<<20), "the emulator read /dev/zero")

	require.NoError(t, os.Remove(path))
	writeFile(t, path, `{"hubs": {"chat": {"anonymousConnectPolicy": "deny"}}}`)
	logs.waitFor(t, "settings file is valid again")
	closesWithin(t, e)
}

// attackFaultCountOverflow: a scripted fault whose count overflows the
// count of answers waiting (in.queued + count) slipped past the 10,000
// cap; through Go and through the admin endpoint.
func attackFaultCountOverflow(t *testing.T) {
	e := start(t, emulator.Options{})
	require.NoError(t, e.FailREST("sendToAll", 1, fault.Answer{Status: 503}))
	assert.ErrorContains(t, e.FailREST("*", math.MaxInt, fault.Answer{Status: 503}), "at most 10000")
	body := fmt.Sprintf(`{"operation":"*","count":%d,"status":503}`, math.MaxInt64)
	r := call(t, e, http.MethodPost, "/admin/faults/rest", "application/json", []byte(body))
	assert.Equal(t, http.StatusBadRequest, r.status, r.body)
	assert.Contains(t, r.body, "at most 10000")
}

// attackTraceStreamSecrets: a client names a stream with the access key in
// it, an invocation with a client JWT and a group with both; the page's
// stream (Server-Sent Events over HTTP, signed in with a token) carries
// none of them whole.
func attackTraceStreamSecrets(t *testing.T) {
	h, err := eventhandler.New("chat", &eventhandler.Options{AccessKeys: []string{upstreamKey},
		OnUserEvent: func(context.Context, *eventhandler.UserEventRequest, *eventhandler.UserEventResponse) error {
			return &eventhandler.StatusError{Status: 500, Reason: "fails"}
		}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := start(t, emulator.Options{AccessKey: upstreamKey, Upstream: []emulator.UpstreamHandler{{URLTemplate: srv.URL + "/api/webpubsub/hubs/{hub}", UserEventPattern: "*"}}})
	jwt, err := auth.Sign(e.AccessKey(), &auth.Claims{Audience: "x", ExpiresAt: time.Now().Add(time.Hour).Unix()})
	require.NoError(t, err)
	require.LessOrEqual(t, len(jwt), 128, "a token short enough for an id")
	c := dial(t, clientURL(t, e, "chat", auth.Claims{Subject: "s", Roles: senderRoles}), protocol.JSON)
	c.connected()
	streamID := "s-" + e.AccessKey()
	c.send(protocol.SendToGroupMessage{Group: "g-" + e.AccessKey(), Stream: &protocol.StreamOpen{StreamID: streamID}})
	c.streamAck(streamID)
	c.send(frag(streamID, 1, "x"))
	c.send(protocol.InvokeMessage{InvocationID: jwt, Target: protocol.InvokeTargetEvent, Event: "e", Data: text("x")})
	require.NotNil(t, c.invokeResponse(jwt).Error, "the upstream failed: the trace records the invocation id")
	c.send(protocol.JoinGroupMessage{Group: "j-" + jwt, AckID: ackID(1)})
	require.True(t, c.ack(1).Success)

	tok, err := auth.Sign(e.AccessKey(), &auth.Claims{Audience: e.URL() + "/trace", ExpiresAt: time.Now().Add(time.Minute).Unix()})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL()+"/trace/stream", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	snapshot := readSSE(t, resp.Body, "snapshot")
	var snap trace.Snapshot
	require.NoError(t, json.Unmarshal([]byte(snapshot), &snap))
	kinds := map[string]bool{}
	for _, ev := range snap.Events {
		if strings.Contains(ev.Stream, trace.Redacted) {
			kinds["stream"] = true
		}
		if strings.Contains(ev.InvocationID, trace.Redacted) {
			kinds["invocation"] = true
		}
		if strings.Contains(ev.Group, trace.Redacted) {
			kinds["group"] = true
		}
	}
	assert.Equal(t, map[string]bool{"stream": true, "invocation": true, "group": true}, kinds, "the events are there, redacted")
	assert.NotContains(t, snapshot, e.AccessKey())
	assert.NotContains(t, snapshot, e.AccessKey()[:16])
	assert.NotContains(t, snapshot, jwt[strings.IndexByte(jwt, '.'):])
}

// readSSE reads Server-Sent Events from r until one named name and returns
// its data.
func readSSE(t *testing.T, r io.Reader, name string) string {
	t.Helper()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event:"):
			event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:") && event == name:
			return strings.TrimSpace(strings.TrimPrefix(line, "data:"))
		}
	}
	t.Fatalf("no %q event in the stream: %v", name, sc.Err())
	return ""
}

// attackUnsignedSlowBody: an unsigned request to an event handler whose
// body trickles in is answered 401 at once (it was not answered within
// 8 s before; eventhandler's own tests cover 200 of them).
func attackUnsignedSlowBody(t *testing.T) {
	h, err := eventhandler.New("chat", &eventhandler.Options{AccessKeys: []string{upstreamKey},
		OnUserEvent: func(context.Context, *eventhandler.UserEventRequest, *eventhandler.UserEventResponse) error {
			return nil
		}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /api/webpubsub/hubs/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nContent-Type: text/plain\r\n"+
		"ce-type: azure.webpubsub.user.message\r\nce-hub: chat\r\nce-connectionId: c1\r\nWebHook-Request-Origin: x\r\n\r\nthe start of a body that never ends")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	line, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err, "no answer while the body is incomplete")
	assert.Contains(t, line, "401")
}

// attackTemplateHost: a URL template may not let a client choose part of
// the upstream host with {event} or {hub}.
func attackTemplateHost(t *testing.T) {
	for _, tmpl := range []string{"http://{event}.example/", "http://x.{hub}.example/api", "http://example:{event}/"} {
		_, err := emulator.New(&emulator.Options{Upstream: []emulator.UpstreamHandler{{URLTemplate: tmpl, UserEventPattern: "*"}}})
		require.Error(t, err, tmpl)
		assert.Contains(t, err.Error(), "placeholders may go only in the path and the query", tmpl)
	}
	path := filepath.Join(t.TempDir(), "hubs.json")
	writeFile(t, path, `{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "http://{event}.example/", "userEventPattern": "*"}]}}}`)
	_, err := emulator.New(&emulator.Options{SettingsFile: path})
	assert.ErrorContains(t, err, "placeholders may go only in the path and the query")
}
