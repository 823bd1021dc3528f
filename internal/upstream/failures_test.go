package upstream_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

func TestNewValidatesConfig(t *testing.T) {
	cases := map[string]struct {
		cfg  upstream.Config
		want string
	}{
		"no origin":         {upstream.Config{}, "Origin"},
		"relative template": {upstream.Config{Origin: "o", Handlers: []upstream.Handler{{URLTemplate: "/api/{hub}"}}}, "not an absolute http or https URL"},
		"ftp template":      {upstream.Config{Origin: "o", Handlers: []upstream.Handler{{URLTemplate: "ftp://x/{hub}"}}}, "not an absolute http or https URL"},
		"unknown event":     {upstream.Config{Origin: "o", Handlers: []upstream.Handler{{URLTemplate: "http://x", SystemEvents: []string{"joined"}}}}, `unknown system event "joined"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := upstream.New(tc.cfg)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestHandlerSelection(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{
		{Hub: "chat", URLTemplate: srv.URL + "/chat/{event}", UserEventPattern: "a,b", SystemEvents: []string{"connect"}},
		{Hub: "*", URLTemplate: srv.URL + "/star/{hub}/{event}", UserEventPattern: "*"},
		{URLTemplate: srv.URL + "/never/{event}", UserEventPattern: "*", SystemEvents: []string{"connect"}},
	}})
	data := protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}
	chat, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "CHAT", ConnectionID: "c1"})
	require.NoError(t, err)
	other, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "other", ConnectionID: "c2"})
	require.NoError(t, err)
	for _, ev := range []string{"a", "b", "c"} {
		_, err := chat.UserEvent(context.Background(), ev, data)
		require.NoError(t, err)
	}
	_, err = other.UserEvent(context.Background(), "a", data)
	require.NoError(t, err)
	var paths []string
	for _, r := range rec.requests() {
		if r.method == http.MethodPost {
			paths = append(paths, r.path)
		}
	}
	assert.Equal(t, []string{"/chat/connect", "/never/connect", "/chat/a", "/chat/b", "/star/CHAT/c", "/star/other/a"}, paths,
		"first matching handler wins; hub names match case-insensitively")
}

func TestUpstreamFailures(t *testing.T) {
	data := protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}
	cases := []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request)
		want   string
		// connectToo says the failure also hits the connect event.
		connectToo bool
	}{
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusMovedPermanently)
		}, "redirected the e event (status 301); configure the final URL", true},
		{"answer too large", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, strings.Repeat("x", 2048))
		}, "larger than 1024 bytes", false},
		{"two states", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add(protocol.HeaderConnectionState, "a")
			w.Header().Add(protocol.HeaderConnectionState, "b")
		}, "the answer has 2 ce-connectionState headers; set one", true},
		{"state too large", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(protocol.HeaderConnectionState, strings.Repeat("s", upstream.MaxStateBytes+1))
		}, "at most 65536 are kept", true},
		{"invalid json answer", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, "{")
		}, "labelled application/json but is not valid JSON", false},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, "context deadline exceeded", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				if !tc.connectToo && r.Header.Get(protocol.HeaderType) == protocol.EventTypeConnect {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				tc.answer(w, r)
			})
			inv := newInvoker(t, upstream.Config{
				Handlers:         []upstream.Handler{allEvents(srv.URL + "/{event}")},
				MaxResponseBytes: 1024,
				Timeout:          200 * time.Millisecond,
			})
			s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
			if tc.connectToo {
				require.Error(t, err, "connect fails too")
				assert.Contains(t, err.Error(), strings.ReplaceAll(tc.want, "e event", "connect event"))
				return
			}
			require.NoError(t, err)
			_, err = s.UserEvent(context.Background(), "e", data)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestConnectAnswerNotJSON(t *testing.T) {
	_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL)}})
	_, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	assert.ErrorContains(t, err, "the answer is not a JSON object with userId")
	var ce *upstream.CallError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, http.StatusOK, ce.Status)
	assert.Equal(t, "ok", ce.Answer)
}

func TestCloseCancelsAsyncEventsAndRefusesNewOnes(t *testing.T) {
	entered := make(chan struct{}, 1)
	_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(protocol.HeaderType) == protocol.EventTypeConnected {
			entered <- struct{}{}
			<-r.Context().Done()
		}
	})
	inv, err := upstream.New(upstream.Config{Origin: testOrigin, Handlers: []upstream.Handler{allEvents(srv.URL)}})
	require.NoError(t, err)
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	s.Connected()
	s.Disconnected("bye") // waits for connected, which hangs until Close
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("connected event did not reach the upstream")
	}
	done := make(chan struct{})
	go func() {
		inv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not cancel the call in flight")
	}
	_, _, err = inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c2"})
	assert.ErrorContains(t, err, "closed")
	_, err = s.UserEvent(context.Background(), "x", protocol.Payload{Type: protocol.DataTypeText})
	assert.ErrorContains(t, err, "closed")
}

func TestCustomSpawnerRunsAsyncEvents(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	var spawned int
	done := make(chan struct{}, 4)
	inv := newInvoker(t, upstream.Config{
		Handlers: []upstream.Handler{allEvents(srv.URL + "/{event}")},
		Go: func(f func()) bool {
			spawned++
			go func() { f(); done <- struct{}{} }()
			return true
		},
	})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	s.Connected()
	s.Disconnected("bye")
	for range 2 {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("async event did not finish")
		}
	}
	assert.Equal(t, 2, spawned)
	var paths []string
	for _, r := range rec.requests() {
		paths = append(paths, r.path)
	}
	assert.Equal(t, []string{"/validate", "/connect", "/connected", "/disconnected"}, paths, "validation uses {event} = validate")
}

func TestDotEventNamesStayOutOfTheURLPath(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{
		{Hub: "chat", URLTemplate: srv.URL + "/hubs/{hub}/{event}", UserEventPattern: "*"},
		{Hub: "plain", URLTemplate: srv.URL + "/hubs/{hub}", UserEventPattern: "*"},
	}})
	data := protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}
	chat, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	for _, name := range []string{".", ".."} {
		_, err := chat.UserEvent(context.Background(), name, data)
		assert.ErrorContains(t, err, "cannot be put in the upstream URL", name)
	}
	_, err = chat.UserEvent(context.Background(), "a/../b", data)
	require.NoError(t, err, "slashes are escaped, so other names are safe")

	// A template without {event} takes any name.
	plain, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "plain", ConnectionID: "c2"})
	require.NoError(t, err)
	_, err = plain.UserEvent(context.Background(), "..", data)
	require.NoError(t, err)

	var got []string
	for _, r := range rec.requests() {
		if r.method == http.MethodPost {
			got = append(got, r.rawPath+" "+r.header.Get(protocol.HeaderType))
		}
	}
	assert.Equal(t, []string{"/hubs/chat/a%2F..%2Fb azure.webpubsub.user.a/../b", "/hubs/plain azure.webpubsub.user..."}, got)
}
