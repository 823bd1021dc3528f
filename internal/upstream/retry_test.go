package upstream_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// posts returns the POST requests rec received.
func posts(rec *recorder) []captured {
	var out []captured
	for _, r := range rec.requests() {
		if r.method == http.MethodPost {
			out = append(out, r)
		}
	}
	return out
}

var text = protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}

func TestEventRetriesOnRetryableAnswers(t *testing.T) {
	for _, status := range []int{http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var n atomic.Int32
			rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) < 3 {
					w.WriteHeader(status)
					return
				}
				_, _ = w.Write([]byte("ok"))
			})
			delays := []time.Duration{30 * time.Millisecond, 60 * time.Millisecond, time.Hour}
			inv := newInvoker(t, upstream.Config{RetryDelays: delays, Handlers: []upstream.Handler{{URLTemplate: srv.URL + "/{event}", UserEventPattern: "*"}}})
			s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
			require.NoError(t, err)
			start := time.Now()
			p, err := s.UserEvent(context.Background(), "e", text)
			require.NoError(t, err)
			assert.Equal(t, "ok", string(p.Data))
			assert.GreaterOrEqual(t, time.Since(start), delays[0]+delays[1], "the configured delays are waited")
			reqs := posts(rec)
			require.Len(t, reqs, 3, "two failures, then success")
			for _, r := range reqs {
				assert.Equal(t, reqs[0].header.Get("ce-id"), r.header.Get("ce-id"), "a retry resends the same event")
				assert.Equal(t, "x", r.body)
			}
		})
	}
}

func TestEventGivesUpAfterFourTries(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{{URLTemplate: srv.URL + "/{event}", UserEventPattern: "*"}}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	_, err = s.UserEvent(context.Background(), "e", text)
	var se *upstream.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusServiceUnavailable, se.Status)
	assert.Len(t, posts(rec), 4, "1 try + 3 retries")
}

func TestEventIsNotRetriedOnFinalAnswers(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusTooManyRequests} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "no", status)
			})
			inv := newInvoker(t, upstream.Config{RetryDelays: []time.Duration{time.Hour}, Handlers: []upstream.Handler{{URLTemplate: srv.URL + "/{event}", UserEventPattern: "*"}}})
			s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
			require.NoError(t, err)
			_, err = s.UserEvent(context.Background(), "e", text)
			var se *upstream.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, status, se.Status)
			assert.Len(t, posts(rec), 1, "a refusal is final")
		})
	}
}

func TestEventIsNotRetriedAfterATimeout(t *testing.T) {
	release := make(chan struct{})
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
	})
	defer close(release)
	inv := newInvoker(t, upstream.Config{Timeout: 50 * time.Millisecond, RetryDelays: []time.Duration{time.Millisecond}, Handlers: []upstream.Handler{{URLTemplate: srv.URL + "/{event}", UserEventPattern: "*"}}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	_, err = s.UserEvent(context.Background(), "e", text)
	require.ErrorContains(t, err, "did not answer within 50ms")
	assert.Len(t, posts(rec), 1)
}

func TestEventRetriesNetworkErrors(t *testing.T) {
	// An upstream that closes the first two connections before answering.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var accepted atomic.Int32
	var wg sync.WaitGroup
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Set(protocol.HeaderAllowedOrigin, "*")
			return
		}
		if accepted.Add(1) <= 2 {
			hj, _ := w.(http.Hijacker)
			c, _, _ := hj.Hijack()
			c.Close()
			return
		}
		_, _ = w.Write([]byte("ok"))
	})}
	wg.Add(1)
	go func() { defer wg.Done(); _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close(); wg.Wait() })
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{{URLTemplate: "http://" + ln.Addr().String() + "/{event}", UserEventPattern: "*"}}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	p, err := s.UserEvent(context.Background(), "e", text)
	require.NoError(t, err)
	assert.Equal(t, "ok", string(p.Data))
	assert.Equal(t, int32(3), accepted.Load())
}

func TestDefaultEventTimeoutIs100Seconds(t *testing.T) {
	assert.Equal(t, 100*time.Second, upstream.DefaultTimeout)
}

func TestEventIDsCountFromConnect(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL + "/{event}")}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	s.Connected()
	require.Eventually(t, func() bool { return len(posts(rec)) == 2 }, 5*time.Second, time.Millisecond)
	for i := 0; i < 2; i++ {
		_, err = s.UserEvent(context.Background(), "e", text)
		require.NoError(t, err)
	}
	s.Disconnected("bye")
	require.Eventually(t, func() bool { return len(posts(rec)) == 5 }, 5*time.Second, time.Millisecond)
	var ids []string
	for _, r := range posts(rec) {
		ids = append(ids, r.header.Get(protocol.HeaderEventName)+"="+r.header.Get("ce-id"))
	}
	assert.Equal(t, []string{"connect=0", "connected=1", "e=2", "e=3", "disconnected=4"}, ids)
}

func TestConnectBodyLeavesOutCredentials(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL + "/{event}")}})
	_, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{
		Hub: "chat", ConnectionID: "c1",
		Query: map[string][]string{"access_token": {"secret.jwt.token"}, "name": {"ann"}},
		Headers: map[string][]string{
			"Authorization":          {"Bearer secret.jwt.token"},
			"Sec-Websocket-Key":      {"dGhlIHNhbXBsZSBub25jZQ=="},
			"Sec-Websocket-Version":  {"13"},
			"Connection":             {"Upgrade"},
			"Upgrade":                {"websocket"},
			"X-Ms-Client-Request-Id": {"1"},
			"User-Agent":             {"test"},
			"Cookie":                 {"a=b"},
		},
	})
	require.NoError(t, err)
	reqs := posts(rec)
	require.Len(t, reqs, 1)
	assert.NotContains(t, reqs[0].body, "secret")
	assert.JSONEq(t, `{"query":{"name":["ann"]},"headers":{"User-Agent":["test"],"Cookie":["a=b"]}}`, reqs[0].body)
	assert.False(t, strings.Contains(reqs[0].header.Get("Authorization"), "secret"))
}

func TestRevalidateRepeatsAbuseProtection(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{{URLTemplate: srv.URL + "/{event}", UserEventPattern: "*"}}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	options := func() int {
		n := 0
		for _, r := range rec.requests() {
			if r.method == http.MethodOptions {
				n++
			}
		}
		return n
	}
	for i := 0; i < 2; i++ {
		_, err = s.UserEvent(context.Background(), "e", text)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, options(), "validated once")
	inv.Revalidate()
	_, err = s.UserEvent(context.Background(), "e", text)
	require.NoError(t, err)
	assert.Equal(t, 2, options(), "validated again after a settings change")
}
