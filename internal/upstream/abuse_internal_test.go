package upstream

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// TestAbandonedHandshakeIsNotShared checks that a call waiting for a
// handshake whose own caller gave up does not inherit that caller's context
// error but performs the handshake itself.
func TestAbandonedHandshakeIsNotShared(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(protocol.HeaderAllowedOrigin, "*")
	}))
	t.Cleanup(srv.Close)
	inv, err := New(Config{Origin: "svc.example"})
	require.NoError(t, err)
	t.Cleanup(inv.Close)
	u, err := url.Parse(srv.URL + "/events")
	require.NoError(t, err)

	// The state a waiter can observe: the handshake's caller gave up.
	h := Handler{URLTemplate: srv.URL + "/events"}
	key := u.String()
	gaveUp := &originCheck{done: make(chan struct{}), err: &validationError{err: context.Canceled}, abandoned: true}
	close(gaveUp.done)
	inv.mu.Lock()
	inv.checks[key] = gaveUp
	inv.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	result := make(chan *validationError, 1)
	go func() { result <- inv.checkOrigin(ctx, h, "chat") }()
	require.Nil(t, <-result, "the waiter ran its own handshake")

	inv.mu.Lock()
	defer inv.mu.Unlock()
	c := inv.checks[key]
	require.NotNil(t, c, "the successful handshake is cached")
	require.NotSame(t, gaveUp, c)
}
