package fault_test

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/fault"
)

func TestScriptedAnswersAreUsedInOrderThenRunOut(t *testing.T) {
	in := fault.New("sendToAll", "sendToGroup")
	require.NoError(t, in.Fail("SendToAll", 2, fault.Answer{Status: 429, RetryAfter: 1500 * time.Millisecond}))
	require.NoError(t, in.Fail("sendToAll", 1, fault.Answer{Status: 503}))
	require.NoError(t, in.Fail(fault.AnyOperation, 1, fault.Answer{Status: 500}))
	assert.Equal(t, 3, in.Pending("sendtoall"))

	var got []int
	for i := 0; i < 5; i++ {
		a, ok := in.Next("sendToAll")
		if !ok {
			got = append(got, 0)
			continue
		}
		got = append(got, a.Status)
	}
	assert.Equal(t, []int{429, 429, 503, 500, 0}, got, "the operation's own script first, then *, then normal calls")
	assert.Equal(t, 0, in.Pending("sendToAll"))
}

func TestFailValidates(t *testing.T) {
	in := fault.New("sendToAll")
	assert.ErrorContains(t, in.Fail("sendToAll", 1, fault.Answer{Status: 200}), "not an error status")
	assert.ErrorContains(t, in.Fail("sendToAll", 0, fault.Answer{Status: 500}), "at least 1")
	assert.ErrorContains(t, in.Fail("sendToAl", 1, fault.Answer{Status: 500}), `unknown operation "sendToAl"; use "*" or one of sendToAll`)
	assert.ErrorContains(t, in.Fail("", 1, fault.Answer{Status: 500}), "empty")
	assert.ErrorContains(t, in.Fail("sendToAll", fault.MaxScripted+1, fault.Answer{Status: 500}), "at most")
	assert.ErrorContains(t, in.SetLatency("sendToAll", -time.Second), "negative")
}

func TestAnswerWrite(t *testing.T) {
	w := httptest.NewRecorder()
	fault.Answer{Status: 429, RetryAfter: 1500 * time.Millisecond}.Write(w, "sendToAll")
	assert.Equal(t, 429, w.Code)
	assert.Equal(t, "2", w.Header().Get("Retry-After"), "rounded up to whole seconds")
	assert.Equal(t, "Error.TooManyRequests", w.Header().Get("x-ms-error-code"))
	assert.JSONEq(t, `{"code":"Error.TooManyRequests","message":"injected fault for operation sendToAll"}`, w.Body.String())

	w = httptest.NewRecorder()
	fault.Answer{Status: 403, Code: "Error.Custom", Message: "no"}.Write(w, "x")
	assert.Equal(t, "Error.Custom", w.Header().Get("x-ms-error-code"))
	assert.Empty(t, w.Header().Get("Retry-After"))
	assert.JSONEq(t, `{"code":"Error.Custom","message":"no"}`, w.Body.String())
}

func TestLatency(t *testing.T) {
	in := fault.New()
	require.NoError(t, in.SetLatency("*", time.Second))
	require.NoError(t, in.SetLatency("sendToUser", 2*time.Second))
	assert.Equal(t, time.Second, in.Latency("sendToAll"))
	assert.Equal(t, 2*time.Second, in.Latency("SENDTOUSER"))
	require.NoError(t, in.SetLatency("*", 0))
	assert.Zero(t, in.Latency("sendToAll"))
	in.Clear()
	assert.Zero(t, in.Latency("sendToUser"))
}

func TestPauseUpstreamHoldsRequestsUntilResumed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	in := fault.New()
	c := &http.Client{Transport: in.Transport(tr)}

	in.PauseUpstream()
	assert.True(t, in.UpstreamPaused())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	_, err := c.Do(req)
	require.ErrorContains(t, err, "upstream paused by fault injection")

	done := make(chan error, 1)
	go func() {
		resp, err := c.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a paused call went through: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	in.ResumeUpstream()
	require.NoError(t, <-done)
	assert.False(t, in.UpstreamPaused())
}

// TestFailCannotOverflowTheCap: a count so large that adding it to the
// answers waiting overflows is refused like any count over MaxScripted
// (issue 21 item 6), and an answer's texts are bounded.
func TestFailCannotOverflowTheCap(t *testing.T) {
	in := fault.New("sendToAll")
	require.NoError(t, in.Fail("sendToAll", 1, fault.Answer{Status: 500}))
	for _, count := range []int{math.MaxInt, math.MaxInt - 1, fault.MaxScripted} {
		assert.ErrorContains(t, in.Fail("sendToAll", count, fault.Answer{Status: 500}), "at most 10000 scripted answers", "count %d", count)
	}
	assert.Equal(t, 1, in.Pending("sendToAll"), "nothing was added")
	require.NoError(t, in.Fail("sendToAll", fault.MaxScripted-1, fault.Answer{Status: 500}), "exactly up to the cap")

	long := strings.Repeat("m", fault.MaxMessageBytes+1)
	assert.ErrorContains(t, in.Fail("sendToAll", 1, fault.Answer{Status: 500, Message: long}), "at most 1024")
	assert.ErrorContains(t, in.Fail("sendToAll", 1, fault.Answer{Status: 500, Code: long[:fault.MaxCodeBytes+1]}), "at most 128")
}
