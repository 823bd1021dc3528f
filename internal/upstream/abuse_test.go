package upstream_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// counting wraps a handler and counts OPTIONS and POST requests.
type counting struct {
	options, posts atomic.Int32
}

func (c *counting) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			c.options.Add(1)
		} else {
			c.posts.Add(1)
		}
		next.ServeHTTP(w, r)
	})
}

func TestAbuseProtectionOncePerHost(t *testing.T) {
	var cnt counting
	srv := serveHandler(t, "chat", &eventhandler.Options{AccessKeys: []string{testKey}, AllowedEndpoints: []string{"http://" + testOrigin}}, cnt.wrap)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL + "/api/webpubsub/hubs/{hub}")}})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c" + string(rune('0'+i))})
			assert.NoError(t, err)
			if s != nil {
				_, err = s.UserEvent(context.Background(), "e", protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")})
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), cnt.options.Load(), "one handshake per upstream host, shared by concurrent calls")
	assert.Equal(t, int32(16), cnt.posts.Load())
}

func TestAbuseProtectionRefusesDisallowedOrigin(t *testing.T) {
	var cnt counting
	srv := serveHandler(t, "chat", &eventhandler.Options{AccessKeys: []string{testKey}, AllowedEndpoints: []string{"service.example"}}, cnt.wrap)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL + "/api/webpubsub/hubs/{hub}?secret=s3cr3t")}})
	for range 2 {
		_, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "upstream answered OPTIONS with status 400")
		assert.NotContains(t, err.Error(), "s3cr3t", "errors do not repeat the URL's query")
		var se *upstream.StatusError
		assert.NotErrorAs(t, err, &se, "a failed handshake is not an upstream answer to the event")
	}
	assert.Equal(t, int32(2), cnt.options.Load(), "a failed handshake is not cached")
	assert.Zero(t, cnt.posts.Load(), "no event goes to an upstream that did not allow the origin")
}

func TestAbuseProtectionNeedsAllowedOriginHeader(t *testing.T) {
	for name, allowed := range map[string]string{"missing": "", "other origin": "evil.example"} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if allowed != "" {
					w.Header().Set(protocol.HeaderAllowedOrigin, allowed)
				}
				w.WriteHeader(http.StatusOK)
			}))
			t.Cleanup(srv.Close)
			inv := newInvoker(t, upstream.Config{Origin: "svc.example", Handlers: []upstream.Handler{allEvents(srv.URL)}})
			_, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
			assert.ErrorContains(t, err, "upstream does not allow origin svc.example")
		})
	}
}
