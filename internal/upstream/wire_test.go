package upstream_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// captured is one request an upstream received.
type captured struct {
	method  string
	path    string
	rawPath string // the path as sent, escaped
	query   string // the raw query as sent
	header  http.Header
	body    string
}

// recorder is a raw upstream that allows every origin, records requests and
// answers POSTs with answer.
type recorder struct {
	mu     sync.Mutex
	reqs   []captured
	answer func(w http.ResponseWriter, r *http.Request)
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, captured{method: r.Method, path: r.URL.Path, rawPath: r.URL.EscapedPath(), query: r.URL.RawQuery, header: r.Header.Clone(), body: string(b)})
	rec.mu.Unlock()
	if r.Method == http.MethodOptions {
		w.Header().Set(protocol.HeaderAllowedOrigin, r.Header.Get(protocol.HeaderRequestOrigin))
		return
	}
	if rec.answer != nil {
		rec.answer(w, r)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rec *recorder) requests() []captured {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]captured(nil), rec.reqs...)
}

func newRecorder(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (*recorder, *httptest.Server) {
	rec := &recorder{answer: answer}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return rec, srv
}

func TestWireFormatOfEvents(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(protocol.HeaderType) == protocol.EventTypeConnect {
			w.Header().Set(protocol.HeaderConnectionState, base64.StdEncoding.EncodeToString([]byte(`{"k":"v"}`)))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "pong")
	})
	inv := newInvoker(t, upstream.Config{
		AccessKeys: []string{testKey, testKey2},
		Handlers:   []upstream.Handler{allEvents(srv.URL + "/up/{hub}/{event}?code=1")},
	})
	before := time.Now().Add(-time.Second)
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{
		Hub: "chat", ConnectionID: "conn 1", UserID: "ann", Subprotocol: protocol.JSON,
		Query: map[string][]string{"a": {"b"}}, Subprotocols: []string{protocol.JSON},
	})
	require.NoError(t, err)
	p, err := s.UserEvent(context.Background(), "my event", protocol.Payload{Type: protocol.DataTypeJSON, Data: []byte(`{"x":1}`)})
	require.NoError(t, err)
	assert.Equal(t, &protocol.Payload{Type: protocol.DataTypeText, Data: []byte("pong")}, p)

	reqs := rec.requests()
	require.Len(t, reqs, 3, "one OPTIONS for the host, then two events")
	assert.Equal(t, http.MethodOptions, reqs[0].method)
	assert.Equal(t, testOrigin, reqs[0].header.Get(protocol.HeaderRequestOrigin))

	connect, user := reqs[1], reqs[2]
	assert.Equal(t, "/up/chat/connect", connect.path)
	assert.Equal(t, "/up/chat/my event", user.path, "the event name is path-escaped into the template")
	assert.JSONEq(t, `{"query":{"a":["b"]},"subprotocols":["json.webpubsub.azure.v1"]}`, connect.body)
	assert.Equal(t, `{"x":1}`, user.body)

	ids := map[string]bool{}
	for _, r := range []captured{connect, user} {
		h := r.header
		assert.Equal(t, http.MethodPost, r.method)
		assert.Equal(t, "1.0", h.Get("ce-specversion"))
		assert.Equal(t, "1.0", h.Get("ce-awpsversion"))
		assert.Equal(t, "/hubs/chat/client/conn 1", h.Get("ce-source"))
		assert.Equal(t, "chat", h.Get("ce-hub"))
		assert.Equal(t, "conn 1", h.Get("ce-connectionId"))
		assert.Equal(t, "ann", h.Get("ce-userId"))
		assert.Equal(t, testOrigin, h.Get("WebHook-Request-Origin"))
		assert.Equal(t, "application/json", h.Get("Content-Type"))
		sig := h.Get("ce-signature")
		parts := strings.Split(sig, ",")
		require.Len(t, parts, 2, "one signature per key")
		assert.True(t, protocol.VerifySignature(parts[0], "conn 1", testKey))
		assert.True(t, protocol.VerifySignature(parts[1], "conn 1", testKey2))
		ts, err := time.Parse(time.RFC3339Nano, h.Get("ce-time"))
		require.NoError(t, err)
		assert.True(t, ts.After(before) && ts.Before(time.Now().Add(time.Second)), "ce-time is now")
		id := h.Get("ce-id")
		assert.NotEmpty(t, id)
		assert.False(t, ids[id], "ce-id is unique")
		ids[id] = true
	}
	assert.Equal(t, "azure.webpubsub.sys.connect", connect.header.Get("ce-type"))
	assert.Equal(t, "connect", connect.header.Get("ce-eventName"))
	assert.Empty(t, connect.header.Get("ce-subprotocol"))
	assert.Empty(t, connect.header.Get("ce-connectionState"))
	assert.Equal(t, "azure.webpubsub.user.my event", user.header.Get("ce-type"))
	assert.Equal(t, "my event", user.header.Get("ce-eventName"))
	assert.Equal(t, protocol.JSON, user.header.Get("ce-subprotocol"))
	assert.Equal(t, base64.StdEncoding.EncodeToString([]byte(`{"k":"v"}`)), user.header.Get("ce-connectionState"), "state set by connect is carried")
}

func TestDisconnectedWireFormatAndStateClear(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get(protocol.HeaderType) {
		case protocol.EventTypeConnect:
			w.Header().Set(protocol.HeaderConnectionState, base64.StdEncoding.EncodeToString([]byte(`{"k":1}`)))
		case protocol.EventTypeUserPrefix + "clear":
			w.Header()["Ce-Connectionstate"] = []string{""}
		}
		w.WriteHeader(http.StatusOK)
	})
	inv := newInvoker(t, upstream.Config{AccessKeys: []string{}, Handlers: []upstream.Handler{allEvents(srv.URL + "/{event}")}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	require.NotEmpty(t, s.State())
	_, err = s.UserEvent(context.Background(), "clear", protocol.Payload{Type: protocol.DataTypeText})
	require.NoError(t, err)
	assert.Empty(t, s.State(), "an empty value clears the state")
	s.Disconnected("bye")
	require.Eventually(t, func() bool { return len(rec.requests()) == 4 }, 5*time.Second, 5*time.Millisecond)
	reqs := rec.requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, "/disconnected", last.path)
	assert.Equal(t, protocol.EventTypeDisconnected, last.header.Get("ce-type"))
	assert.JSONEq(t, `{"reason":"bye"}`, last.body)
	assert.Empty(t, last.header.Get("ce-connectionState"))
	assert.Empty(t, last.header.Get("ce-userId"), "anonymous connection")
	assert.Empty(t, last.header.Get("ce-signature"), "no keys, no signature")
}
