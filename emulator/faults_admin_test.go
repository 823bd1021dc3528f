package emulator_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// admin calls an admin endpoint with a token signed for its URL.
func admin(t *testing.T, e *emulator.Emulator, method, path, body string) response {
	t.Helper()
	u := e.URL() + path
	return callRaw(t, method, u, "application/json", []byte(body), "Bearer "+restToken(t, e.AccessKey(), u, time.Now().Add(time.Hour)))
}

func TestAdminFaultEndpoints(t *testing.T) {
	e := start(t, emulator.Options{})

	t.Run("needs the access key", func(t *testing.T) {
		u := e.URL() + "/admin/faults/rest"
		r := callRaw(t, http.MethodPost, u, "application/json", []byte(`{"operation":"sendToAll","status":500}`), "")
		assert.Equal(t, http.StatusUnauthorized, r.status)
		r = callRaw(t, http.MethodPost, u, "application/json", []byte(`{"operation":"sendToAll","status":500}`), "Bearer "+restToken(t, "wrong-key", u, time.Now().Add(time.Hour)))
		assert.Equal(t, http.StatusUnauthorized, r.status)
		r = call(t, e, http.MethodPost, "/api/hubs/chat/:send", "text/plain", []byte("x"))
		assert.Equal(t, http.StatusAccepted, r.status, "nothing was scripted")
	})

	t.Run("scripted REST answers", func(t *testing.T) {
		r := admin(t, e, http.MethodPost, "/admin/faults/rest", `{"operation":"sendToAll","count":2,"status":429,"retryAfterSeconds":3,"message":"slow down"}`)
		require.Equal(t, http.StatusNoContent, r.status, r.body)
		for i := 0; i < 2; i++ {
			r = call(t, e, http.MethodPost, "/api/hubs/chat/:send", "text/plain", []byte("x"))
			assert.Equal(t, http.StatusTooManyRequests, r.status)
			assert.Equal(t, "3", r.header.Get("Retry-After"))
			assert.Equal(t, "Error.TooManyRequests", r.header.Get("x-ms-error-code"))
			assert.JSONEq(t, `{"code":"Error.TooManyRequests","message":"slow down"}`, r.body)
		}
		r = call(t, e, http.MethodPost, "/api/hubs/chat/:send", "text/plain", []byte("x"))
		assert.Equal(t, http.StatusAccepted, r.status)

		r = admin(t, e, http.MethodPost, "/admin/faults/rest", `{"operation":"sendToAl","status":500}`)
		assert.Equal(t, http.StatusBadRequest, r.status)
		assert.Contains(t, r.body, "unknown operation")
		r = admin(t, e, http.MethodPost, "/admin/faults/rest", `{"operation":"sendToAll","status":200}`)
		assert.Equal(t, http.StatusBadRequest, r.status)
		r = admin(t, e, http.MethodPost, "/admin/faults/rest", `not json`)
		assert.Equal(t, http.StatusBadRequest, r.status)
	})

	t.Run("latency and clear", func(t *testing.T) {
		r := admin(t, e, http.MethodPost, "/admin/faults/latency", `{"operation":"*","milliseconds":200}`)
		require.Equal(t, http.StatusNoContent, r.status, r.body)
		begin := time.Now()
		r = call(t, e, http.MethodPost, "/api/hubs/chat/:send", "text/plain", []byte("x"))
		assert.Equal(t, http.StatusAccepted, r.status)
		assert.GreaterOrEqual(t, time.Since(begin), 200*time.Millisecond)
		r = admin(t, e, http.MethodDelete, "/admin/faults", "")
		require.Equal(t, http.StatusNoContent, r.status)
	})

	t.Run("close a connection with a code", func(t *testing.T) {
		cl, id := connectJSON(t, e, "chat", auth.Claims{})
		r := admin(t, e, http.MethodPost, "/admin/faults/close", fmt.Sprintf(`{"hub":"chat","connectionId":%q,"code":4003,"reason":"custom"}`, id))
		require.Equal(t, http.StatusNoContent, r.status, r.body)
		err := cl.closeErr()
		var ce websocket.CloseError
		require.True(t, errors.As(err, &ce), "%v", err)
		assert.Equal(t, websocket.StatusCode(4003), ce.Code)
		assert.Equal(t, "custom", ce.Reason)

		r = admin(t, e, http.MethodPost, "/admin/faults/close", `{"hub":"chat","connectionId":"missing","code":1011}`)
		assert.Equal(t, http.StatusNotFound, r.status)
		assert.Equal(t, "Error.NotFound", r.header.Get("x-ms-error-code"))
		r = admin(t, e, http.MethodPost, "/admin/faults/close", `{"hub":"chat","connectionId":"x","code":1005}`)
		assert.Equal(t, http.StatusBadRequest, r.status)
	})

	t.Run("1008 ends a reliable connection for good", func(t *testing.T) {
		cl := dial(t, clientURL(t, e, "chat", auth.Claims{}), protocol.JSONReliable)
		cm := cl.connected()
		r := admin(t, e, http.MethodPost, "/admin/faults/close", fmt.Sprintf(`{"hub":"chat","connectionId":%q,"code":1008,"reason":"bye"}`, cm.ConnectionID))
		require.Equal(t, http.StatusNoContent, r.status, r.body)
		d, ok := cl.next().(protocol.DisconnectedMessage)
		require.True(t, ok)
		assert.Equal(t, "bye", d.Message)
		r = call(t, e, http.MethodHead, "/api/hubs/chat/connections/"+cm.ConnectionID, "", nil)
		assert.Equal(t, http.StatusNotFound, r.status, "the connection is gone")
	})

	t.Run("pause the upstream", func(t *testing.T) {
		r := admin(t, e, http.MethodPost, "/admin/faults/upstream", `{"paused":true}`)
		require.Equal(t, http.StatusNoContent, r.status, r.body)
		r = admin(t, e, http.MethodPost, "/admin/faults/upstream", `{"paused":false}`)
		require.Equal(t, http.StatusNoContent, r.status, r.body)
		r = admin(t, e, http.MethodPost, "/admin/faults/upstream", `{}`)
		assert.Equal(t, http.StatusBadRequest, r.status)
	})
}
