package webpubsub

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorMapping(t *testing.T) {
	notFound, err := os.ReadFile("testdata/error_connection_not_found.json")
	require.NoError(t, err)
	cases := []struct {
		name     string
		rep      reply
		wantCode string
		status   int
	}{
		{"404 body and header", reply{status: 404, body: string(notFound),
			header: map[string]string{"x-ms-error-code": "Info.Connection.NotExisted", "Content-Type": "application/json; charset=utf-8"}},
			"Info.Connection.NotExisted", 404},
		{"400 body only", reply{status: 400, body: `{"code":"Error.InvalidFilter","message":"bad filter"}`,
			header: map[string]string{"Content-Type": "application/json"}}, "Error.InvalidFilter", 400},
		{"401 no body", reply{status: 401}, "", 401},
		{"403 header wins over body", reply{status: 403, body: `{"code":"FromBody"}`,
			header: map[string]string{"x-ms-error-code": "FromHeader"}}, "FromHeader", 403},
		{"500 after retries", reply{status: 500, body: `{"code":"Internal"}`}, "Internal", 500},
		{"unexpected success status", reply{status: 200}, "", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, tc.rep)
			c := ts.keyClient("hub1")
			_, err := c.GrantPermission(context.Background(), PermissionJoinLeaveGroup, "conn1", &ServiceClientGrantPermissionOptions{TargetName: "group1"})
			if tc.status == 200 {
				// GrantPermission succeeds with 200; use SendToAll (202) to see an unexpected 200.
				require.NoError(t, err)
				_, err = c.SendToAll(context.Background(), TextMessage("x"), nil)
			}
			var re *azcore.ResponseError
			require.True(t, errors.As(err, &re), "want *azcore.ResponseError, got %T %v", err, err)
			assert.Equal(t, tc.status, re.StatusCode)
			assert.Equal(t, tc.wantCode, re.ErrorCode)
			assert.NotContains(t, err.Error(), testKey)
		})
	}
}

func TestServerErrorsAreRetried(t *testing.T) {
	ts := newTestServer(t, reply{status: 500}, reply{status: 502}, reply{status: 202})
	require.NoError(t, errOf(ts.keyClient("hub1").SendToAll(context.Background(), TextMessage("x"), nil)))
	reqs := ts.requests()
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		assert.Equal(t, "x", string(r.Body), "the body is resent on every try")
		requireRequestJWT(t, r, testKey, ts.URL())
	}
}

func TestRetryOn429And503WithRetryAfter(t *testing.T) {
	ts := newTestServer(t,
		reply{status: 429, header: map[string]string{"Retry-After-Ms": "30"}},
		reply{status: 503, header: map[string]string{"x-ms-retry-after-ms": "30"}},
		reply{status: 202})
	start := time.Now()
	require.NoError(t, errOf(ts.keyClient("hub1").SendToAll(context.Background(), TextMessage("x"), nil)))
	require.Len(t, ts.requests(), 3)
	// The test options' RetryDelay is 1 ms, so waiting at least the two
	// 30 ms Retry-After delays shows the header was honoured.
	assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond)
}

func TestRetryOn429WithRetryAfterSeconds(t *testing.T) {
	// The standard header counts whole seconds; one second is the shortest,
	// so this test runs beside the others.
	t.Parallel()
	ts := newTestServer(t, reply{status: 429, header: map[string]string{"Retry-After": "1"}}, reply{status: 202})
	opts := ts.testOptions()
	opts.Retry.MaxRetryDelay = 5 * time.Second
	c, err := NewServiceClientWithKey(ts.URL(), azcore.NewKeyCredential(testKey), "hub1", opts)
	require.NoError(t, err)
	start := time.Now()
	require.NoError(t, errOf(c.SendToAll(context.Background(), TextMessage("x"), nil)))
	require.Len(t, ts.requests(), 2)
	// RetryDelay is 1 ms, so a wait of about a second shows the header was
	// honoured.
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond)
}

func TestRetryAfterSecondsBeyondMaxRetryDelayStops(t *testing.T) {
	// Retry-After: 1 (second) exceeds the test options' MaxRetryDelay of
	// 500 ms, so azcore gives up after the first try instead of sleeping.
	ts := newTestServer(t, reply{status: 503, header: map[string]string{"Retry-After": "1"}}, reply{status: 202})
	_, err := ts.keyClient("hub1").SendToAll(context.Background(), TextMessage("x"), nil)
	var re *azcore.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusServiceUnavailable, re.StatusCode)
	assert.Len(t, ts.requests(), 1)
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	ts := newTestServer(t, reply{status: 400}, reply{status: 202})
	require.Error(t, errOf(ts.keyClient("hub1").SendToAll(context.Background(), TextMessage("x"), nil)))
	assert.Len(t, ts.requests(), 1)
}

func TestContextCancellation(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	defer close(release)
	c, err := NewServiceClientWithKey(srv.URL, azcore.NewKeyCredential(testKey), "hub1",
		&ClientOptions{ClientOptions: policy.ClientOptions{Transport: srv.Client()}})
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- errOf(c.SendToAll(ctx, TextMessage("x"), nil)) }()
	select {
	case <-entered: // the request is in flight
	case <-time.After(10 * time.Second):
		t.Fatal("the request never reached the server")
	}
	cancel()
	select {
	case err := <-errc:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("SendToAll did not return after its context was cancelled")
	}

	// An already-cancelled context fails without reaching the server.
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	_, err = c.ConnectionExists(ctx2, "c1", nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, entered)
}
