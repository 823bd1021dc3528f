package emulator_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

func TestVerboseLogsRESTCallsAndConnections(t *testing.T) {
	logger, logs := newLog(slog.LevelDebug)
	e := start(t, emulator.Options{Logger: logger})
	cl, id := connectJSON(t, e, "chat", auth.Claims{Subject: "ann"})
	logs.waitFor(t, "client connected", "hub=chat", "connectionId="+id, "userId=ann")

	r := call(t, e, http.MethodPost, "/api/hubs/chat/:send", "text/plain", []byte("x"))
	require.Equal(t, http.StatusAccepted, r.status)
	line := logs.waitFor(t, "REST call", "method=POST", "path=/api/hubs/chat/:send", "status=202")
	assert.Contains(t, line, "duration=")
	assert.NotContains(t, line, "api-version", "the query (which may hold tokens) is not logged")

	require.NoError(t, cl.ws.Close(websocket.StatusNormalClosure, "bye"))
	logs.waitFor(t, "connection removed", "connectionId="+id, "reason=\"the client closed the connection\"")
}

func TestDefaultLevelWarnsAboutRefusals(t *testing.T) {
	logger, logs := newLog(slog.LevelWarn)
	e := start(t, emulator.Options{Logger: logger})
	u := e.URL() + "/api/hubs/chat/:send?" + apiVersion
	wrong := restToken(t, "not-the-key", u, time.Now().Add(time.Hour))
	r := callRaw(t, http.MethodPost, u, "text/plain", []byte("x"), "Bearer "+wrong)
	require.Equal(t, http.StatusUnauthorized, r.status)
	line := logs.waitFor(t, "level=WARN", "REST call refused", "path=/api/hubs/chat/:send")
	assert.Contains(t, line, "invalid bearer token")

	status, _ := dialRefused(t, wsBase(e)+"/client/hubs/chat?access_token="+wrong, protocol.JSON)
	assert.Equal(t, http.StatusUnauthorized, status)
	logs.waitFor(t, "level=WARN", "client connection refused", "invalid access token")

	ws, _, err := dialRaw(wsBase(e)+"/client/hubs/chat?awps_connection_id=nope&awps_reconnection_token=secret-token", protocol.JSONReliable)
	require.NoError(t, err)
	defer ws.CloseNow()
	logs.waitFor(t, "level=WARN", "recovery refused", "connectionId=nope")

	assert.NotContains(t, logs.String(), wrong[strings.LastIndexByte(wrong, '.')+1:], "no token signature in the log")
	assert.NotContains(t, logs.String(), "secret-token")
	assert.NotContains(t, logs.String(), "level=DEBUG")
}

func TestLimitHitIsAWarning(t *testing.T) {
	defer emulator.SetQueueLimits(4, 1<<20)()
	logger, logs := newLog(slog.LevelWarn)
	e := start(t, emulator.Options{Logger: logger})
	_, id := connectJSON(t, e, "chat", auth.Claims{})
	// The client reads nothing; the emulator's queue for it overflows.
	for i := 0; i < 200; i++ {
		r := call(t, e, http.MethodPost, "/api/hubs/chat/:send", "text/plain", []byte(strings.Repeat("x", 64<<10)))
		require.Equal(t, http.StatusAccepted, r.status)
		if strings.Contains(logs.String(), "limit hit") {
			break
		}
	}
	logs.waitFor(t, "level=WARN", "connection limit hit", "connectionId="+id)
}

func TestVerboseLogsRecovery(t *testing.T) {
	logger, logs := newLog(slog.LevelDebug)
	e := start(t, emulator.Options{Logger: logger})
	u := clientURL(t, e, "chat", auth.Claims{})
	cl := dial(t, u, protocol.JSONReliable)
	cm := cl.connected()
	require.True(t, e.DropConnection("chat", cm.ConnectionID))
	logs.waitFor(t, "waiting for recovery", "connectionId="+cm.ConnectionID)
	r := dial(t, recoveryURL(u, cm.ConnectionID, cm.ReconnectionToken), protocol.JSONReliable)
	r.connected()
	line := logs.waitFor(t, "connection recovered", "connectionId="+cm.ConnectionID)
	assert.NotContains(t, line, cm.ReconnectionToken)
	assert.NotContains(t, logs.String(), cm.ReconnectionToken, "the reconnection token is never logged")
}

func TestOversizedFrameIsAWarning(t *testing.T) {
	logger, logs := newLog(slog.LevelWarn)
	e := start(t, emulator.Options{Logger: logger})
	cl, id := connectJSON(t, e, "chat", auth.Claims{})
	// The write may fail once the emulator closes the connection mid-frame.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = cl.ws.Write(ctx, websocket.MessageText, []byte(strings.Repeat("x", 2<<20)))
	logs.waitFor(t, "level=WARN", "limit hit", "larger than the emulator accepts", "connectionId="+id)
}
