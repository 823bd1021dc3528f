package upstream_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// Any 2xx from the connect handler accepts the client, 202 included, as the
// service and Microsoft's emulator (IsSuccessStatusCode) do.
func TestConnectAcceptsAny2xx(t *testing.T) {
	for _, status := range []int{200, 201, 202, 203, 204, 206, 299} {
		for _, body := range []string{"", `{"userId":"ann"}`} {
			if status == 204 && body != "" {
				continue // a 204 has no body
			}
			_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(status)
				_, _ = io.WriteString(w, body)
			})
			inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL)}})
			s, res, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1", UserID: "token-user"})
			require.NoError(t, err, "status %d, body %q", status, body)
			require.NotNil(t, s)
			if body == "" {
				assert.Nil(t, res)
				assert.Equal(t, "token-user", s.UserID())
			} else {
				require.NotNil(t, res)
				assert.Equal(t, "ann", s.UserID(), "status %d", status)
			}
		}
	}
}

// ce-connectionState is opaque: whatever value the handler set is sent
// back unchanged; an absent header keeps the state, an empty one clears it.
func TestConnectionStateIsOpaque(t *testing.T) {
	answers := map[string][]string{
		protocol.EventTypeConnect:                {"initial"},
		protocol.EventTypeUserPrefix + "keep":    nil,
		protocol.EventTypeUserPrefix + "json":    {`{"a":1}`},
		protocol.EventTypeUserPrefix + "base64":  {"e30="},
		protocol.EventTypeUserPrefix + "clear":   {""},
		protocol.EventTypeUserPrefix + "unicode": {"caf\xc3\xa9 ✓"},
	}
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if v := answers[r.Header.Get(protocol.HeaderType)]; v != nil {
			w.Header()["Ce-Connectionstate"] = v
		}
		w.WriteHeader(http.StatusNoContent)
	})
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL + "/{event}")}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	assert.Equal(t, "initial", s.State())

	steps := []struct{ event, want string }{
		{"keep", "initial"},
		{"json", `{"a":1}`},
		{"base64", "e30="},
		{"unicode", "caf\xc3\xa9 ✓"},
		{"clear", ""},
		{"keep", ""},
	}
	for _, st := range steps {
		_, err := s.UserEvent(context.Background(), st.event, textData)
		require.NoError(t, err, st.event)
		assert.Equal(t, st.want, s.State(), "after %s", st.event)
	}
	var sent []string
	for _, r := range rec.requests() {
		if r.method == http.MethodPost {
			sent = append(sent, r.header.Get(protocol.HeaderConnectionState))
		}
	}
	assert.Equal(t, []string{"", "initial", "initial", `{"a":1}`, "e30=", "caf\xc3\xa9 ✓", ""}, sent,
		"each event carries the state the previous answer left, byte for byte")
}

// Only the answers of blocking events set the state: the answer of a
// connected event (which the service does not wait for) does not, as for
// the service and in Microsoft's emulator.
func TestConnectedEventDoesNotSetState(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get(protocol.HeaderType) {
		case protocol.EventTypeConnect:
			w.Header().Set(protocol.HeaderConnectionState, "from-connect")
		case protocol.EventTypeConnected:
			w.Header().Set(protocol.HeaderConnectionState, "from-connected")
		}
		w.WriteHeader(http.StatusNoContent)
	})
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL + "/{event}")}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	s.Connected()
	s.Disconnected("bye") // sent after connected finished
	require.Eventually(t, func() bool { return len(rec.requests()) == 4 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, "from-connect", s.State())
	assert.Equal(t, "from-connect", rec.requests()[3].header.Get(protocol.HeaderConnectionState), "disconnected carries the connect's state")
}
