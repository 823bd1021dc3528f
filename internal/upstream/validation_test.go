package upstream_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// shortDelays replace the 1, 3 and 5 s waits between validation tries.
var shortDelays = []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond}

// validator is an upstream whose answers to validation requests are
// scripted: validate is called with the request and the number of
// validation requests so far (1 for the first) and writes the answer.
// Events are answered 204.
type validator struct {
	mu       sync.Mutex
	reqs     []captured
	at       []time.Time
	validate func(w http.ResponseWriter, r *http.Request, n int)
	posts    atomic.Int32
}

func (v *validator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		v.posts.Add(1)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	v.mu.Lock()
	v.reqs = append(v.reqs, captured{method: r.Method, path: r.URL.Path, header: r.Header.Clone()})
	v.at = append(v.at, time.Now())
	n := len(v.reqs)
	v.mu.Unlock()
	v.validate(w, r, n)
}

func (v *validator) requests() []captured {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]captured(nil), v.reqs...)
}

// allow answers a validation request as an upstream that allows the origin.
func allow(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(protocol.HeaderAllowedOrigin, r.Header.Get(protocol.HeaderRequestOrigin))
	w.WriteHeader(http.StatusOK)
}

func newValidator(t *testing.T, validate func(w http.ResponseWriter, r *http.Request, n int)) (*validator, *httptest.Server) {
	v := &validator{validate: validate}
	srv := httptest.NewServer(v)
	t.Cleanup(srv.Close)
	return v, srv
}

func connect(inv *upstream.Invoker, hub string) error {
	_, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: hub, ConnectionID: "c1"})
	return err
}

func TestValidationRequestWireFormat(t *testing.T) {
	v, srv := newValidator(t, func(w http.ResponseWriter, r *http.Request, _ int) { allow(w, r) })
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL + "/up/{hub}/{event}?code=1")}})
	require.NoError(t, connect(inv, "chat"))
	reqs := v.requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, http.MethodOptions, r.method)
	assert.Equal(t, "/up/chat/validate", r.path, "{event} is validate in the validation URL")
	assert.Equal(t, "1.0", r.header.Get("ce-awpsversion"), "the express handler ignores validation without ce-awpsversion")
	assert.Equal(t, testOrigin, r.header.Get("WebHook-Request-Origin"))
	assert.Empty(t, r.header.Get("ce-signature"), "validation carries no signature")
	assert.Empty(t, r.header.Get("Cookie"))
	assert.Equal(t, int32(1), v.posts.Load(), "the connect event followed the validation")
}

func TestValidationAcceptsAny2xx(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusNoContent, http.StatusAccepted} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			_, srv := newValidator(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				w.Header().Set(protocol.HeaderAllowedOrigin, "*")
				w.WriteHeader(status)
			})
			inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL)}})
			require.NoError(t, connect(inv, "chat"))
		})
	}
}

func TestValidationTriesGETWhenOPTIONSIsNotFound(t *testing.T) {
	v, srv := newValidator(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.Method == http.MethodOptions {
			http.NotFound(w, r)
			return
		}
		allow(w, r)
	})
	inv := newInvoker(t, upstream.Config{RetryDelays: shortDelays, Handlers: []upstream.Handler{allEvents(srv.URL + "/{event}")}})
	require.NoError(t, connect(inv, "chat"))
	reqs := v.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodOptions, reqs[0].method)
	assert.Equal(t, http.MethodGet, reqs[1].method)
	assert.Equal(t, "/validate", reqs[1].path)
	assert.Equal(t, "1.0", reqs[1].header.Get("ce-awpsversion"))
	assert.Equal(t, testOrigin, reqs[1].header.Get("WebHook-Request-Origin"))
	assert.Equal(t, int32(1), v.posts.Load())
}

func TestValidationFailsWhenGETIsNotFoundEither(t *testing.T) {
	v, srv := newValidator(t, func(w http.ResponseWriter, r *http.Request, _ int) { http.NotFound(w, r) })
	inv := newInvoker(t, upstream.Config{RetryDelays: shortDelays, Handlers: []upstream.Handler{allEvents(srv.URL)}})
	err := connect(inv, "chat")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "status 404")
	assert.Len(t, v.requests(), 2, "OPTIONS then GET, no retry on 404")
	assert.Zero(t, v.posts.Load())
}

func TestValidationRetriesOnRetryableStatus(t *testing.T) {
	for _, status := range []int{http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			v, srv := newValidator(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n <= 3 {
					w.WriteHeader(status)
					return
				}
				allow(w, r)
			})
			inv := newInvoker(t, upstream.Config{RetryDelays: shortDelays, Handlers: []upstream.Handler{allEvents(srv.URL)}})
			require.NoError(t, connect(inv, "chat"), "the fourth try succeeds")
			require.Len(t, v.requests(), 4)
			v.mu.Lock()
			defer v.mu.Unlock()
			for i, want := range shortDelays {
				assert.GreaterOrEqual(t, v.at[i+1].Sub(v.at[i]), want, "wait before try %d", i+2)
			}
		})
	}
}

func TestValidationGivesUpAfterFourTries(t *testing.T) {
	v, srv := newValidator(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	inv := newInvoker(t, upstream.Config{RetryDelays: shortDelays, Handlers: []upstream.Handler{allEvents(srv.URL)}})
	err := connect(inv, "chat")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "status 503")
	assert.Contains(t, err.Error(), "4 tries")
	assert.Len(t, v.requests(), 4)
	assert.Zero(t, v.posts.Load())
}

func TestValidationDoesNotRetryOtherClientErrors(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			v, srv := newValidator(t, func(w http.ResponseWriter, r *http.Request, _ int) { w.WriteHeader(status) })
			inv := newInvoker(t, upstream.Config{RetryDelays: shortDelays, Handlers: []upstream.Handler{allEvents(srv.URL)}})
			require.Error(t, connect(inv, "chat"))
			assert.Len(t, v.requests(), 1)
		})
	}
}

func TestValidationRetriesNetworkErrors(t *testing.T) {
	v, srv := newValidator(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			// Drop the connection without an answer.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}
			return
		}
		allow(w, r)
	})
	inv := newInvoker(t, upstream.Config{RetryDelays: shortDelays, Handlers: []upstream.Handler{allEvents(srv.URL)}})
	require.NoError(t, connect(inv, "chat"))
	assert.Len(t, v.requests(), 2)
}

func TestValidationTimeoutPerTryIsNotRetried(t *testing.T) {
	release := make(chan struct{})
	v, srv := newValidator(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	inv := newInvoker(t, upstream.Config{RetryDelays: shortDelays, ValidationTimeout: 50 * time.Millisecond, Handlers: []upstream.Handler{allEvents(srv.URL)}})
	start := time.Now()
	err := connect(inv, "chat")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "did not answer")
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Len(t, v.requests(), 1, "a timed-out validation is not retried")
}

func TestValidationStopsWaitingWhenTheCallerGivesUp(t *testing.T) {
	v, srv := newValidator(t, func(w http.ResponseWriter, r *http.Request, _ int) { w.WriteHeader(http.StatusServiceUnavailable) })
	inv := newInvoker(t, upstream.Config{RetryDelays: []time.Duration{time.Hour}, Handlers: []upstream.Handler{allEvents(srv.URL)}})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, _, err := inv.Connect(ctx, upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Len(t, v.requests(), 1)
}

func TestValidationOncePerValidationURL(t *testing.T) {
	v, srv := newValidator(t, func(w http.ResponseWriter, r *http.Request, _ int) { allow(w, r) })
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL + "/hubs/{hub}/")}})
	require.NoError(t, connect(inv, "a"))
	require.NoError(t, connect(inv, "a"))
	require.NoError(t, connect(inv, "b"))
	reqs := v.requests()
	require.Len(t, reqs, 2, "one validation per distinct validation URL")
	assert.Equal(t, "/hubs/a/", reqs[0].path)
	assert.Equal(t, "/hubs/b/", reqs[1].path)
}

func TestConnectedEventBodyIsEmptyJSONObject(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL + "/{event}")}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	s.Connected()
	require.Eventually(t, func() bool { return len(rec.requests()) == 3 }, 5*time.Second, 5*time.Millisecond)
	c := rec.requests()[2]
	assert.Equal(t, protocol.EventTypeConnected, c.header.Get("ce-type"))
	// The service sends {} (the express handler throws on an empty body).
	assert.Equal(t, "{}", c.body)
	assert.Equal(t, "application/json; charset=utf-8", c.header.Get("Content-Type"))
}
