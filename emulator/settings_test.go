package emulator_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulator/settings"
	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// echoUpstream runs an event handler for hub that answers every user event
// with prefix + the data, and returns its URL.
func echoUpstream(t *testing.T, hub, prefix string) string {
	t.Helper()
	h, err := eventhandler.New(hub, &eventhandler.Options{
		AccessKeys: []string{upstreamKey},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			resp.SetText(prefix + string(req.Data))
			return nil
		},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// writeFile replaces the file at path at once, as many editors save (a
// plain truncate-and-write may be seen half-written; the watcher waits for
// it to settle, but on a loaded machine the test would depend on timing).
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(content), 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

// eventText sends a user event and returns the upstream's text answer.
func eventText(t *testing.T, cl *wsClient, id uint64, event string) string {
	t.Helper()
	cl.send(protocol.EventMessage{Event: event, AckID: ackID(id), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("hi")}})
	text := cl.serverText() // the answer comes before the ack
	require.True(t, cl.ack(id).Success)
	return text
}

func TestSettingsFileReloadKeepsClients(t *testing.T) {
	defer emulator.SetSettingsPollInterval(10 * time.Millisecond)()
	// The service lower-cases hub names: {hub} in the URL template is
	// "chat", where the event handler of hub chat listens.
	one := echoUpstream(t, "chat", "one:")
	two := echoUpstream(t, "chat", "two:")
	path := filepath.Join(t.TempDir(), "hubs.json")
	doc := `{"hubs": {"CHAT": {"eventHandlers": [{"urlTemplate": %q, "userEventPattern": "Echo"}]}}}`
	writeFile(t, path, fmt.Sprintf(doc, one+"/api/webpubsub/hubs/{hub}"))
	logger, logs := newLog(slog.LevelInfo)
	e := start(t, emulator.Options{AccessKey: upstreamKey, SettingsFile: path, Logger: logger})

	cl, _ := connectJSON(t, e, "Chat", auth.Claims{})
	assert.Equal(t, "one:hi", eventText(t, cl, 1, "echo"), "hub and event names match case-insensitively")

	writeFile(t, path, fmt.Sprintf(doc, two+"/api/webpubsub/hubs/{hub}"))
	logs.waitFor(t, "settings reloaded")
	assert.Equal(t, "two:hi", eventText(t, cl, 2, "ECHO"), "the same connection uses the new handler")

	writeFile(t, path, `{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "http://127.0.0.1:1/x", "systemEvents": ["conect"]}]}}}`)
	line := logs.waitFor(t, "level=WARN", "keeping the last valid settings")
	assert.Contains(t, line, "hubs.chat.eventHandlers[0].systemEvents[0]")
	assert.Contains(t, line, path+":1:")
	assert.Equal(t, "two:hi", eventText(t, cl, 3, "echo"), "an invalid edit keeps the last good settings")

	// Fixing the file is said as loudly as the problem was (#25 item 8).
	writeFile(t, path, fmt.Sprintf(doc, one+"/api/webpubsub/hubs/{hub}"))
	line = logs.waitFor(t, "level=WARN", "settings file is valid again; its settings are now in effect")
	assert.Contains(t, line, "file="+path)
	assert.Contains(t, line, "systemEvents[0]", "it names the problem it fixed")
	assert.Equal(t, "one:hi", eventText(t, cl, 4, "echo"), "the fixed file's settings are in effect")
}

func TestSettingsFileInvalidAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hubs.json")
	writeFile(t, path, "{\"hubs\": {\"chat\": {\n  \"eventHandlers\": [{\"urlTemplate\": \"http://h/{event}\", \"userEventPattern\": 3}]}}}")
	_, err := emulator.New(&emulator.Options{SettingsFile: path})
	require.Error(t, err)
	assert.Contains(t, err.Error(), path+":2:77: hubs.chat.eventHandlers[0].userEventPattern: must be a string")

	_, err = emulator.New(&emulator.Options{SettingsFile: filepath.Join(t.TempDir(), "missing.json")})
	assert.ErrorContains(t, err, "missing.json")

	_, err = emulator.New(&emulator.Options{Settings: &settings.Settings{Hubs: map[string]settings.Hub{"chat": {AnonymousConnectPolicy: "never"}}}})
	assert.ErrorContains(t, err, "hubs.chat.anonymousConnectPolicy")
}

func TestSettingsAnonymousConnectPolicy(t *testing.T) {
	var connects atomic.Int32
	h, err := eventhandler.New("open", &eventhandler.Options{
		AccessKeys: []string{upstreamKey},
		OnConnect: func(_ context.Context, req *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
			connects.Add(1)
			resp.UserID = "guest"
			return nil
		},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	logger, logs := newLog(slog.LevelWarn)
	e := start(t, emulator.Options{AccessKey: upstreamKey, Logger: logger, Settings: &settings.Settings{Hubs: map[string]settings.Hub{
		"Open":   {AnonymousConnectPolicy: settings.PolicyAllow, EventHandlers: []settings.EventHandler{{URLTemplate: srv.URL + "/api/webpubsub/hubs/{hub}", SystemEvents: []string{"CONNECT"}}}},
		"closed": {AnonymousConnectPolicy: settings.PolicyDeny},
	}}})

	cl := dial(t, wsBase(e)+"/client/hubs/open", protocol.JSON)
	cm := cl.connected()
	assert.Equal(t, "guest", cm.UserID, "the connect handler ran for the anonymous client")
	assert.Equal(t, int32(1), connects.Load())

	for _, hub := range []string{"closed", "other"} {
		status, body := dialRefused(t, wsBase(e)+"/client/hubs/"+hub, protocol.JSON)
		assert.Equal(t, http.StatusUnauthorized, status, hub)
		assert.Contains(t, body, "missing access token")
	}
	line := logs.waitFor(t, "client connection refused", "hub=other")
	assert.Contains(t, line, "status=401")

	// A token is still verified where anonymous clients are allowed.
	bad := clientToken(t, e, "open", auth.Claims{}) + "x"
	status, _ := dialRefused(t, wsBase(e)+"/client/hubs/open?access_token="+bad, protocol.JSON)
	assert.Equal(t, http.StatusUnauthorized, status)
	logs.waitFor(t, "client connection refused", "invalid access token")
	assert.NotContains(t, logs.String(), bad[:20], "the token is never logged")
}
