package emulator_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

func TestSimpleWebSocketSendToGroup(t *testing.T) {
	e := start(t, emulator.Options{})
	member, _ := connectJSON(t, e, "chat", auth.Claims{Groups: []string{"room"}})
	rawMember := dial(t, clientURL(t, e, "chat", auth.Claims{Groups: []string{"room"}}), "")

	// The publisher is not joined to the group by its mode.
	pub := dial(t, clientURL(t, e, "chat", auth.Claims{Subject: "pub", Roles: []string{protocol.RoleSendToGroup + ".room"}})+"&webpubsub_mode=sendToGroup&group=room", "")
	pub.sendRaw(websocket.MessageText, []byte("hello"))
	m, ok := member.next().(protocol.GroupDataMessage)
	require.True(t, ok)
	assert.Equal(t, "room", m.Group)
	assert.Equal(t, "pub", m.FromUserID)
	assert.Equal(t, protocol.Payload{Type: protocol.DataTypeText, Data: []byte("hello")}, m.Data)
	typ, data := rawMember.read()
	assert.Equal(t, websocket.MessageText, typ)
	assert.Equal(t, "hello", string(data))

	pub.sendRaw(websocket.MessageBinary, []byte{1, 2})
	typ, data = rawMember.read()
	assert.Equal(t, websocket.MessageBinary, typ)
	assert.Equal(t, []byte{1, 2}, data)

	// A joined sender gets its own frames back unless noEcho=true.
	claims := auth.Claims{Groups: []string{"room"}, Roles: []string{protocol.RoleSendToGroup}}
	echo := dial(t, clientURL(t, e, "chat", claims)+"&webpubsub_mode=sendToGroup&group=room", "")
	quiet := dial(t, clientURL(t, e, "chat", claims)+"&webpubsub_mode=sendToGroup&group=room&noEcho=true", "")
	quiet.sendRaw(websocket.MessageText, []byte("from quiet"))
	_, data = echo.read()
	assert.Equal(t, "from quiet", string(data))
	echo.sendRaw(websocket.MessageText, []byte("from echo"))
	_, data = echo.read()
	assert.Equal(t, "from echo", string(data), "echo is on by default")
	_, data = quiet.read()
	assert.Equal(t, "from echo", string(data), "quiet got echo's frame but not its own")
}

func TestSimpleWebSocketModeRefusedBeforeUpgrade(t *testing.T) {
	e := start(t, emulator.Options{})
	send := auth.Claims{Roles: []string{protocol.RoleSendToGroup}}
	cases := []struct {
		name   string
		claims auth.Claims
		query  string
		status int
		reason string
	}{
		{"unknown mode", send, "webpubsub_mode=broadcast", http.StatusBadRequest, "is not a mode"},
		{"no group", send, "webpubsub_mode=sendToGroup", http.StatusBadRequest, "needs the group"},
		{"invalid group", send, "webpubsub_mode=sendToGroup&group=" + url.QueryEscape("   "), http.StatusBadRequest, "invalid group"},
		{"invalid noEcho", send, "webpubsub_mode=sendToGroup&group=g&noEcho=maybe", http.StatusBadRequest, "is not true or false"},
		{"group without mode", send, "group=g", http.StatusBadRequest, "need webpubsub_mode=sendToGroup"},
		{"no role", auth.Claims{}, "webpubsub_mode=sendToGroup&group=g", http.StatusForbidden, "needs the role"},
		{"role of another group", auth.Claims{Roles: []string{protocol.RoleSendToGroup + ".other"}}, "webpubsub_mode=sendToGroup&group=g", http.StatusForbidden, "needs the role"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := dialRefused(t, clientURL(t, e, "chat", tc.claims)+"&"+tc.query, "")
			assert.Equal(t, tc.status, status)
			assert.Contains(t, body, tc.reason)
		})
	}
	cl := dial(t, clientURL(t, e, "chat", auth.Claims{})+"&webpubsub_mode=sendEvent", "")
	cl.sendRaw(websocket.MessageText, []byte("x"))
}

func TestSimpleWebSocketHandlerFailureClosesWith1011(t *testing.T) {
	e := startWithUpstream(t, &eventhandler.Options{
		AccessKeys: []string{upstreamKey},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			if string(req.Data) == "refuse" {
				return eventhandler.Fail(http.StatusBadRequest, "secret upstream detail")
			}
			return eventhandler.Fail(http.StatusInternalServerError, "secret upstream detail")
		},
	}, emulator.UpstreamHandler{Hub: "chat", UserEventPattern: "message"})
	for _, frame := range []string{"fail", "refuse"} {
		cl := dial(t, clientURL(t, e, "chat", auth.Claims{}), "")
		cl.sendRaw(websocket.MessageText, []byte(frame))
		err := cl.closeErr()
		var ce websocket.CloseError
		require.True(t, errors.As(err, &ce), "%v", err)
		assert.Equal(t, websocket.StatusInternalError, ce.Code, frame)
		assert.Equal(t, "the upstream event handler failed", ce.Reason, "a generic reason")
	}
}
