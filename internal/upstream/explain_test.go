package upstream_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// explained connects a client of hub to the handler at template and
// returns the explanation of the failure.
func explained(t *testing.T, cfg upstream.Config, template, hub string) string {
	t.Helper()
	cfg.Handlers = []upstream.Handler{allEvents(template)}
	inv := newInvoker(t, cfg)
	_, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: hub, ConnectionID: "c1"})
	require.Error(t, err)
	line := upstream.Explain(err)
	assert.NotContains(t, line, "\n", "one line")
	assert.Contains(t, line, `hub "`+hub+`"`, "the line names the hub")
	assert.Contains(t, line, "connect event", "the line names the event")
	return line
}

func TestExplainCommonFailures(t *testing.T) {
	t.Run("another access key", func(t *testing.T) {
		srv := serveHandler(t, "chat", &eventhandler.Options{AccessKeys: []string{"the handler's own key"}}, nil)
		line := explained(t, upstream.Config{}, srv.URL+"/api/webpubsub/hubs/{hub}", "chat")
		assert.Contains(t, line, srv.URL+"/api/webpubsub/hubs/chat")
		assert.Contains(t, line, "with 401")
		assert.Contains(t, line, "ce-signature does not match any access key")
		assert.True(t, strings.HasSuffix(line, ": the handler uses another access key: use the same key on both sides"), line)
	})
	t.Run("handler not running", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		require.NoError(t, l.Close())
		line := explained(t, upstream.Config{}, "http://"+addr+"/events?code=s3cr3t", "chat")
		assert.Contains(t, line, "connection refused")
		assert.Contains(t, line, "4 tries over", "the line says the time went into the service's retries")
		assert.Contains(t, line, "start the handler at http://"+addr+"/events?code=REDACTED (or fix -upstream")
		assert.NotContains(t, line, "s3cr3t")
	})
	t.Run("handler of another hub", func(t *testing.T) {
		srv := serveHandler(t, "chat", &eventhandler.Options{AccessKeys: []string{testKey}}, nil)
		line := explained(t, upstream.Config{}, srv.URL+"/api/webpubsub/hubs/{hub}", "news")
		assert.Contains(t, line, "abuse-protection check (OPTIONS "+srv.URL+"/api/webpubsub/hubs/news)")
		assert.Contains(t, line, "status 404")
		assert.Contains(t, line, `the handler does not serve hub "news" (an -upstream URL receives every hub's events)`)
	})
	t.Run("one URL for every hub", func(t *testing.T) {
		srv := serveHandler(t, "chat", &eventhandler.Options{AccessKeys: []string{testKey}}, nil)
		line := explained(t, upstream.Config{}, srv.URL+"/api/webpubsub/hubs/chat/", "news")
		assert.Contains(t, line, "with 400")
		assert.Contains(t, line, "this handler serves hub chat")
		assert.Contains(t, line, `the handler does not serve hub "news"`)
	})
	t.Run("timeout", func(t *testing.T) {
		_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		line := explained(t, upstream.Config{Timeout: 100 * time.Millisecond}, srv.URL, "chat")
		assert.Contains(t, line, "did not answer within 100ms")
		assert.Contains(t, line, "make the handler answer sooner")
	})
	t.Run("origin not allowed", func(t *testing.T) {
		_, srv := newValidator(t, func(w http.ResponseWriter, r *http.Request, _ int) { w.WriteHeader(http.StatusOK) })
		line := explained(t, upstream.Config{}, srv.URL, "chat")
		assert.Contains(t, line, "does not allow origin "+testOrigin+": answer WebHook-Allowed-Origin: * or "+testOrigin)
	})
	t.Run("handler failure", func(t *testing.T) {
		_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		})
		line := explained(t, upstream.Config{}, srv.URL, "chat")
		assert.Contains(t, line, `with 500 (4 tries over`)
		assert.Contains(t, line, `("boom"): the handler failed: see its log`)
	})
	t.Run("unusable answer", func(t *testing.T) {
		_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
		line := explained(t, upstream.Config{}, srv.URL, "chat")
		assert.Contains(t, line, `the answer is not a JSON object`)
		assert.Contains(t, line, `(answer: "ok")`)
	})
}

func TestExplainOtherErrors(t *testing.T) {
	assert.Empty(t, upstream.Explain(nil))
	assert.Equal(t, "plain error on two lines", upstream.Explain(errors.New("plain error\non two lines")))
	wrapped := errors.Join(errors.New("context"), &upstream.StatusError{Event: "connect", Hub: "chat", URL: "http://h/", Status: 401, Reason: "missing ce-signature header"})
	assert.Equal(t, `the event handler at http://h/ answered the connect event of hub "chat" with 401 ("missing ce-signature header"): the handler uses another access key: use the same key on both sides`, upstream.Explain(wrapped))
	// A deliberate refusal gets no invented fix.
	refusal := &upstream.StatusError{Event: "connect", Hub: "chat", URL: "http://h/", Status: 401, Reason: "unknown user"}
	assert.Equal(t, `the event handler at http://h/ answered the connect event of hub "chat" with 401 ("unknown user")`, upstream.Explain(refusal))
}
