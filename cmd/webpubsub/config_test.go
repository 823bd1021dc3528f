package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

func TestEmulatorConfigFlag(t *testing.T) {
	const key = "Y29uZmlnLWZsYWcta2V5"
	h, err := eventhandler.New("chat", &eventhandler.Options{
		AccessKeys: []string{key},
		OnConnect: func(_ context.Context, req *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
			resp.UserID = "from-config"
			return nil
		},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	path := filepath.Join(t.TempDir(), "appsettings.json")
	doc := `{"WebPubSub": {"Hubs": {"Chat": {"EventHandlers": [{"UrlTemplate": %q, "SystemEvents": ["connect"]}]}}}}`
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf(doc, srv.URL+"/api/webpubsub/hubs/{hub}")), 0o600))

	line, stop := runEmulatorCmd(t, "-addr", "127.0.0.1:0", "-key", key, "-config", path)
	svc, err := webpubsub.NewServiceClientFromConnectionString(line, "chat", nil)
	require.NoError(t, err)
	tok, err := svc.GetClientAccessToken(t.Context(), nil)
	require.NoError(t, err)
	ws, cm := dialJSON(t, tok.URL)
	assert.Equal(t, "from-config", cm.UserID, "the connect event went to the configured handler")
	ws.CloseNow()
	stop()
}

func TestEmulatorConfigFlagRejectsAnInvalidFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hubs.json")
	require.NoError(t, os.WriteFile(path, []byte("{\"hubs\": {\n  \"chat\": {\"eventHandlers\": [{\"urlTemplate\": \"http://127.0.0.1:1/{evnt}\"}]}}}"), 0o600))
	code, _, errOut := runCmd(t, "", "emulator", "-addr", "127.0.0.1:0", "-config", path)
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, path+":2:46: hubs.chat.eventHandlers[0].urlTemplate: URL template")
	assert.Contains(t, errOut, "unknown placeholder")
}

func TestEmulatorCommandWarnsByDefault(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	var errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"emulator", "-addr", "127.0.0.1:0"}, strings.NewReader(""), pw, &errOut)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	go io.Copy(io.Discard, pr) //nolint:errcheck // drain the rest
	cs, err := webpubsub.ParseConnectionString(strings.TrimSpace(line))
	require.NoError(t, err)

	// A service client with the wrong key: the emulator says why it refused.
	wrong := "Endpoint=" + cs.Endpoint + ";AccessKey=d3Jvbmcta2V5LXdyb25nLWtleQ==;Version=1.0;"
	svc, err := webpubsub.NewServiceClientFromConnectionString(wrong, "chat", nil)
	require.NoError(t, err)
	_, err = svc.SendToAll(t.Context(), webpubsub.TextMessage("x"), nil)
	require.Error(t, err)
	require.Eventually(t, func() bool {
		errOut.mu.Lock()
		defer errOut.mu.Unlock()
		return strings.Contains(errOut.b.String(), "level=WARN") && strings.Contains(errOut.b.String(), "REST call refused")
	}, 10*time.Second, 10*time.Millisecond)
	cancel()
	assert.Equal(t, exitOK, <-done)
	errOut.mu.Lock()
	defer errOut.mu.Unlock()
	assert.NotContains(t, errOut.b.String(), "level=DEBUG", "debug logs need -v")
}
