package upstream_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	testKey    = "primary-key"
	testKey2   = "secondary-key"
	testOrigin = "127.0.0.1:7070"
)

// serveHandler runs an eventhandler for hub in an httptest server and
// returns the server. wrap, when non-nil, wraps the handler (to count or
// inspect requests).
func serveHandler(t *testing.T, hub string, opts *eventhandler.Options, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	h, err := eventhandler.New(hub, opts)
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	var handler http.Handler = mux
	if wrap != nil {
		handler = wrap(mux)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv
}

// newBenchServer runs h in an httptest server and returns its URL.
func newBenchServer(b *testing.B, h *eventhandler.Handler) string {
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	return srv.URL
}

// newInvoker returns an invoker closed when the test ends.
func newInvoker(t *testing.T, cfg upstream.Config) *upstream.Invoker {
	t.Helper()
	if cfg.Origin == "" {
		cfg.Origin = testOrigin
	}
	if cfg.AccessKeys == nil {
		cfg.AccessKeys = []string{testKey}
	}
	if cfg.RetryDelays == nil {
		// The service's 1, 3 and 5 s would make the suite slow.
		cfg.RetryDelays = shortDelays
	}
	inv, err := upstream.New(cfg)
	require.NoError(t, err)
	t.Cleanup(inv.Close)
	return inv
}

// allEvents is a handler of every event of every hub at url.
func allEvents(urlTemplate string) upstream.Handler {
	return upstream.Handler{URLTemplate: urlTemplate, UserEventPattern: "*", SystemEvents: []string{"connect", "connected", "disconnected"}}
}
