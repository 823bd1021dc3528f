package eventhandler

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// TestUnreadableStateIsIgnoredWithAWarning checks that an event whose
// ce-connectionState cannot be read is handled with an empty state and a
// logged warning, as the express handler does, instead of being refused.
func TestUnreadableStateIsIgnoredWithAWarning(t *testing.T) {
	cases := map[string]string{
		"not base64":    "%%%",
		"not an object": base64.StdEncoding.EncodeToString([]byte(`[1,2]`)),
		"null":          base64.StdEncoding.EncodeToString([]byte(`null`)),
		"not JSON":      base64.StdEncoding.EncodeToString([]byte(`{"a":`)),
		"too long":      strings.Repeat("A", maxStateHeaderBytes+4),
	}
	for name, state := range cases {
		t.Run(name, func(t *testing.T) {
			log, logs := newTestLogger()
			var connectState, userState map[string]any
			h, err := New(testHub, &Options{
				AccessKeys: []string{testKey},
				Logger:     log,
				OnConnect: func(_ context.Context, req *ConnectRequest, resp *ConnectResponse) error {
					connectState = req.Context.State
					resp.UserID = "ann"
					return nil
				},
				OnUserEvent: func(_ context.Context, req *UserEventRequest, resp *UserEventResponse) error {
					userState = req.Context.State
					if err := resp.SetState("n", 1); err != nil {
						return err
					}
					resp.SetText("ok")
					return nil
				},
			})
			require.NoError(t, err)
			srv := newServer(t, h)

			resp := send(t, srv, testPath, event{ceType: protocol.EventTypeConnect, state: state, body: []byte(`{}`)})
			assert.JSONEq(t, `{"userId":"ann"}`, readBody(t, resp))
			assert.Equal(t, http.StatusOK, resp.StatusCode, "the connect is not refused")
			assert.Equal(t, map[string]any{}, connectState)

			resp = send(t, srv, testPath, event{ceType: protocol.EventTypeUserPrefix + "m", state: state, contentType: "text/plain", body: []byte("x")})
			assert.Equal(t, "ok", readBody(t, resp))
			assert.Equal(t, http.StatusOK, resp.StatusCode, "the event does not fail")
			assert.Equal(t, map[string]any{}, userState)
			assert.Equal(t, map[string]any{"n": float64(1)}, decodeStateHeader(t, resp.Header.Get(protocol.HeaderConnectionState)), "a new state replaces the unreadable one")

			out := logs.String()
			assert.Equal(t, 2, strings.Count(out, "level=WARN"), out)
			assert.Contains(t, out, "connection state")
			assert.Contains(t, out, "connectionId="+testConnID)
			if len(state) < 100 {
				assert.NotContains(t, out, state, "the state's value is not logged")
			}
		})
	}
}
