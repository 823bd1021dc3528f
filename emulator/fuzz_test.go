package emulator

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// FuzzClientFrame feeds arbitrary frames to a JSON connection: nothing may
// panic, and a connection that survives stays registered and consistent.
func FuzzClientFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"joinGroup","group":"g","ackId":1}`,
		`{"type":"sendToGroup","group":"g","dataType":"binary","data":"AAE="}`,
		`{"type":"event","event":"e","dataType":"json","data":{"a":[1]}}`,
		`{"type":"sequenceAck","sequenceId":18446744073709551615}`,
		`{"type":"ping"}`, `{"type":"leaveGroup","group":"\n"}`, `[]`, `null`, `{`,
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte{0xff, 0}, true)
	fuzzClientFrames(f, protocol.JSONReliable)
}

// fuzzClientFrames runs f over frames given to a new connection speaking
// subprotocol: nothing may panic, and a connection that survives stays
// registered and consistent with its groups.
func fuzzClientFrames(f *testing.F, subprotocol string) {
	e, err := New(&Options{})
	require.NoError(f, err)
	f.Cleanup(func() { require.NoError(f, e.Close()) })
	h := e.hub("fuzz")
	f.Fuzz(func(t *testing.T, data []byte, binary bool) {
		c := newConn(h, newConnectionID(), "u", subprotocol, []string{protocol.RoleJoinLeaveGroup, protocol.RoleSendToGroup})
		h.add(c, nil)
		typ := websocket.MessageText
		if binary {
			typ = websocket.MessageBinary
		}
		e.handleFrame(t.Context(), c, typ, data)
		c.mu.Lock()
		gone := c.gone
		c.mu.Unlock()
		if gone {
			require.Nil(t, h.connection(c.id), "a removed connection is unregistered")
			return
		}
		require.Same(t, c, h.connection(c.id))
		for _, g := range h.groupsOf(c) {
			require.Contains(t, h.group(g), c)
		}
		e.removeConn(c, "done", 0)
	})
}

// FuzzRESTSend sends arbitrary queries, content types and bodies to
// SendToAll: the answer is always 202, 400 or 413, never a panic.
func FuzzRESTSend(f *testing.F) {
	f.Add("messageTtlSeconds=15&filter=startswith(userId,%20'a')", "text/plain", []byte("Message to send"))
	f.Add("excluded=a&excluded=b", "application/json", []byte(`{"x":true}`))
	f.Add("messageTtlSeconds=-1", "application/octet-stream", []byte{0})
	f.Add("filter=%27", "text/plain; charset=utf-8", []byte("x"))
	f.Add("", "application/json", []byte("{"))
	e, err := New(&Options{})
	require.NoError(f, err)
	f.Cleanup(func() { require.NoError(f, e.Close()) })
	handler := e.handler()
	f.Fuzz(func(t *testing.T, query, contentType string, body []byte) {
		if !utf8.ValidString(query) {
			return // a JWT aud claim cannot carry it, so no client can sign for it
		}
		target := "/api/hubs/hub1/:send?api-version=2024-12-01&" + query
		req, err := http.NewRequest(http.MethodPost, e.url+target, bytes.NewReader(body))
		if err != nil {
			return // not a URL a client could send
		}
		req.RequestURI = target
		tok, err := auth.Sign(e.key, &auth.Claims{Audience: e.url + target, ExpiresAt: time.Now().Add(time.Hour).Unix()})
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		require.Contains(t, []int{http.StatusAccepted, http.StatusBadRequest, http.StatusRequestEntityTooLarge}, rec.Code, rec.Body.String())
	})
}
