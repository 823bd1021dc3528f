package eventhandler

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

const (
	testHub    = "chat"
	testKey    = "primary-key"
	testKey2   = "secondary-key"
	testConnID = "conn-1"
	testOrigin = "demo.webpubsub.azure.com"
)

// event describes one CloudEvents POST as the service sends it.
type event struct {
	ceType      string
	hub         string
	connID      string
	userID      string
	signature   string // "" = signed with testKey; "-" = no header
	state       string // raw ce-connectionState header
	contentType string
	body        []byte
	origin      string
	headers     map[string]string // more headers (ce-subprotocol, MQTT ids)
}

// newServer runs h in an httptest server bound to 127.0.0.1.
func newServer(t *testing.T, h *Handler) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// send posts e to the handler mounted at path on srv.
func send(t *testing.T, srv *httptest.Server, path string, e event) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(e.body))
	require.NoError(t, err)
	if e.hub == "" {
		e.hub = testHub
	}
	if e.connID == "" {
		e.connID = testConnID
	}
	if e.origin == "" {
		e.origin = testOrigin
	}
	h := req.Header
	h.Set(protocol.HeaderSpecVersion, protocol.SpecVersion)
	h.Set(protocol.HeaderType, e.ceType)
	h.Set(protocol.HeaderSource, protocol.EventSource(e.hub, e.connID))
	h.Set(protocol.HeaderID, "1")
	h.Set(protocol.HeaderAwpsVersion, protocol.AwpsVersion)
	h.Set(protocol.HeaderHub, e.hub)
	h.Set(protocol.HeaderConnectionID, e.connID)
	h.Set(protocol.HeaderRequestOrigin, e.origin)
	if e.userID != "" {
		h.Set(protocol.HeaderUserID, e.userID)
	}
	switch e.signature {
	case "":
		h.Set(protocol.HeaderSignature, protocol.Signature(e.connID, testKey))
	case "-":
	default:
		h.Set(protocol.HeaderSignature, e.signature)
	}
	if e.state != "" {
		h.Set(protocol.HeaderConnectionState, e.state)
	}
	if e.contentType != "" {
		h.Set("Content-Type", e.contentType)
	}
	for k, v := range e.headers {
		h.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	return resp
}

// readBody returns the whole body of resp and closes it.
func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// stateHeader encodes m as a ce-connectionState value.
func stateHeader(t *testing.T, m map[string]any) string {
	t.Helper()
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(b)
}

// decodeStateHeader decodes a ce-connectionState value into a map.
func decodeStateHeader(t *testing.T, v string) map[string]any {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(v)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// logBuffer collects log output; it is safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newTestLogger returns a logger writing text records to the returned buffer.
func newTestLogger() (*slog.Logger, *logBuffer) {
	var b logBuffer
	return slog.New(slog.NewTextHandler(&b, nil)), &b
}
