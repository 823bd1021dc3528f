package webpubsub

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/webpubsub-go/webpubsub/internal/auth"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const testKey = "test-access-key-0123456789abcdefghijklmnopqrstuvwxyz"

// recorded is one request as the test server saw it.
type recorded struct {
	Method      string
	EscapedPath string
	RequestURI  string
	Query       map[string][]string
	ContentType string
	Accept      string
	Auth        string
	Body        []byte
	Host        string
	UserAgent   string
}

// reply is what the test server answers.
type reply struct {
	status int
	header map[string]string
	body   string
}

// testServer is an httptest server that records every request and answers
// from a queue of replies (the last one repeats).
type testServer struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	reqs    []recorded
	replies []reply
}

func newTestServer(t *testing.T, replies ...reply) *testServer {
	t.Helper()
	return startTestServer(t, httptest.NewServer, replies)
}

func newTLSTestServer(t *testing.T, replies ...reply) *testServer {
	t.Helper()
	return startTestServer(t, httptest.NewTLSServer, replies)
}

func startTestServer(t *testing.T, start func(http.Handler) *httptest.Server, replies []reply) *testServer {
	ts := &testServer{t: t, replies: replies}
	ts.srv = start(http.HandlerFunc(ts.handle))
	t.Cleanup(ts.srv.Close)
	return ts
}

func (ts *testServer) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ts.mu.Lock()
	ts.reqs = append(ts.reqs, recorded{
		Method:      r.Method,
		EscapedPath: r.URL.EscapedPath(),
		RequestURI:  r.RequestURI,
		Query:       r.URL.Query(),
		ContentType: r.Header.Get("Content-Type"),
		Accept:      r.Header.Get("Accept"),
		Auth:        r.Header.Get("Authorization"),
		Body:        body,
		Host:        r.Host,
		UserAgent:   r.Header.Get("User-Agent"),
	})
	rep := reply{status: http.StatusOK}
	if len(ts.replies) > 0 {
		rep = ts.replies[0]
		if len(ts.replies) > 1 {
			ts.replies = ts.replies[1:]
		}
	}
	ts.mu.Unlock()
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rep.status)
	if r.Method != http.MethodHead {
		_, _ = io.WriteString(w, rep.body)
	}
}

func (ts *testServer) URL() string { return ts.srv.URL }

// requests returns a copy of the recorded requests.
func (ts *testServer) requests() []recorded {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]recorded(nil), ts.reqs...)
}

// only returns the single recorded request, failing otherwise.
func (ts *testServer) only() recorded {
	ts.t.Helper()
	reqs := ts.requests()
	require.Len(ts.t, reqs, 1, "expected exactly one request")
	return reqs[0]
}

// testOptions returns client options that use the server's own client and
// short retry delays.
func (ts *testServer) testOptions() *ClientOptions {
	return &ClientOptions{ClientOptions: policy.ClientOptions{
		Transport: ts.srv.Client(),
		Retry:     policy.RetryOptions{MaxRetries: 2, RetryDelay: time.Millisecond, MaxRetryDelay: 500 * time.Millisecond},
	}}
}

// keyClient returns a key-authenticated client for hub on ts.
func (ts *testServer) keyClient(hub string) *ServiceClient {
	ts.t.Helper()
	c, err := NewServiceClientWithKey(ts.URL(), azcore.NewKeyCredential(testKey), hub, ts.testOptions())
	require.NoError(ts.t, err)
	return c
}

// requireRequestJWT checks that r carries a bearer JWT signed with key whose
// aud is serviceBase plus the request URI and whose exp is a few minutes
// ahead.
func requireRequestJWT(t *testing.T, r recorded, key, serviceBase string) *auth.Claims {
	t.Helper()
	tok, ok := strings.CutPrefix(r.Auth, "Bearer ")
	require.True(t, ok, "Authorization must be a bearer token, got %q", r.Auth)
	claims, err := auth.Verify(tok, []string{key}, []string{serviceBase + r.RequestURI}, 0)
	require.NoError(t, err)
	exp := time.Unix(claims.ExpiresAt, 0)
	require.WithinDuration(t, time.Now().Add(requestTokenLifetime), exp, 5*time.Second)
	return claims
}

// verifyAt checks r's bearer JWT signature and audience (not its expiry
// window, for tests with a fake clock).
func verifyAt(r recorded, key, serviceBase string) (*auth.Claims, error) {
	return auth.Verify(strings.TrimPrefix(r.Auth, "Bearer "), []string{key}, []string{serviceBase + r.RequestURI}, time.Hour)
}

// errOf returns the error of an operation, dropping its response.
func errOf[T any](_ T, err error) error { return err }
