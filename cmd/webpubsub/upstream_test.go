package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

func TestEmulatorUpstreamFlag(t *testing.T) {
	const key = "dXBzdHJlYW0ta2V5"
	h, err := eventhandler.New("chat", &eventhandler.Options{
		AccessKeys: []string{key},
		OnConnect: func(_ context.Context, req *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
			resp.UserID = "from-upstream"
			return nil
		},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			resp.SetText("echo " + string(req.Data))
			return nil
		},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	line, stop := runEmulatorCmd(t, "-addr", "127.0.0.1:0", "-key", key, "-upstream", srv.URL+"/api/webpubsub/hubs/{hub}")
	ctx := t.Context()
	svc, err := webpubsub.NewServiceClientFromConnectionString(line, "chat", nil)
	require.NoError(t, err)
	tok, err := svc.GetClientAccessToken(ctx, nil)
	require.NoError(t, err)
	ws, cm := dialJSON(t, tok.URL)
	assert.Equal(t, "from-upstream", cm.UserID, "the connect event went to the -upstream URL")

	b, err := protocol.Encode(protocol.EventMessage{Event: "echo", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("hi")}})
	require.NoError(t, err)
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	require.NoError(t, ws.Write(wctx, websocket.MessageText, b))
	m, ok := readMessage(t, ws).(protocol.ServerDataMessage)
	require.True(t, ok)
	assert.Equal(t, "echo hi", string(m.Data.Data))
	ws.CloseNow()

	stop()
}

func TestEmulatorUpstreamFlagRejectsBadTemplates(t *testing.T) {
	for _, bad := range []string{"/relative/{hub}", "ftp://x/{hub}", "http://"} {
		code, _, errOut := runCmd(t, "", "emulator", "-addr", "127.0.0.1:0", "-upstream", bad)
		assert.Equal(t, exitUsage, code, bad)
		assert.Contains(t, errOut, "is not an absolute http or https URL template", bad)
	}
}
