package fault_test

// End-to-end: what our service SDK and our client do when the emulator
// injects each fault.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulator/fault"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

const hub = "chat"

// sdk returns a service client of srv with short retry delays.
func sdk(srv *emulatortest.Server) *webpubsub.ServiceClient {
	return sdkWithRetry(srv, policy.RetryOptions{MaxRetries: 3, RetryDelay: 5 * time.Millisecond, MaxRetryDelay: 20 * time.Millisecond})
}

func sdkWithRetry(srv *emulatortest.Server, r policy.RetryOptions) *webpubsub.ServiceClient {
	return srv.ServiceClient(hub, &webpubsub.ClientOptions{ClientOptions: azcore.ClientOptions{Retry: r}})
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// events records a client's events.
type events struct {
	mu           sync.Mutex
	connected    []string
	disconnected []client.DisconnectedEvent
	messages     []string
}

func (ev *events) options() *client.Options {
	return &client.Options{
		MessageRetry:        client.RetryOptions{MaxRetries: 3, Delay: time.Second}, // the JS client's default
		ReconnectRetry:      client.RetryOptions{Delay: 10 * time.Millisecond},
		SequenceAckInterval: 10 * time.Millisecond,
		OnConnected: func(_ context.Context, c client.ConnectedEvent) {
			ev.mu.Lock()
			defer ev.mu.Unlock()
			ev.connected = append(ev.connected, c.ConnectionID)
		},
		OnDisconnected: func(_ context.Context, d client.DisconnectedEvent) {
			ev.mu.Lock()
			defer ev.mu.Unlock()
			ev.disconnected = append(ev.disconnected, d)
		},
		OnServerMessage: func(_ context.Context, m client.ServerMessage) {
			ev.mu.Lock()
			defer ev.mu.Unlock()
			ev.messages = append(ev.messages, string(m.Data))
		},
	}
}

func (ev *events) snapshot() (connected []string, disconnected []client.DisconnectedEvent, messages []string) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	return append([]string(nil), ev.connected...), append([]client.DisconnectedEvent(nil), ev.disconnected...), append([]string(nil), ev.messages...)
}

// user is the token of the test clients.
var user = &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "u"}

func TestSDKRetries429AfterRetryAfter(t *testing.T) {
	e := emulatortest.New(t, nil)
	var ev events
	e.NewClient(hub, user, ev.options())
	throttled := fault.Answer{Status: http.StatusTooManyRequests, RetryAfter: time.Second}

	// azcore does not wait a Retry-After longer than MaxRetryDelay: the
	// caller gets the 429.
	require.NoError(t, e.FailREST("sendToAll", 1, throttled))
	_, err := sdk(e).SendToAll(ctxT(t), webpubsub.TextMessage("x"), nil)
	var re *azcore.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusTooManyRequests, re.StatusCode)
	assert.Equal(t, "Error.TooManyRequests", re.ErrorCode)

	require.NoError(t, e.FailREST("sendToAll", 1, throttled))
	start := time.Now()
	_, err = sdkWithRetry(e, policy.RetryOptions{RetryDelay: 5 * time.Millisecond, MaxRetryDelay: 5 * time.Second}).
		SendToAll(ctxT(t), webpubsub.TextMessage("after throttling"), nil)
	require.NoError(t, err, "the SDK retried")
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "it waited Retry-After rather than its own short delay")
	require.Eventually(t, func() bool { _, _, m := ev.snapshot(); return len(m) == 1 }, 10*time.Second, 5*time.Millisecond)
}

func TestSDKRetries5xxThenGivesUp(t *testing.T) {
	e := emulatortest.New(t, nil)
	svc := sdk(e)
	require.NoError(t, e.FailREST("sendToAll", 2, fault.Answer{Status: http.StatusServiceUnavailable}))
	_, err := svc.SendToAll(ctxT(t), webpubsub.TextMessage("x"), nil)
	require.NoError(t, err, "two 503s, then success")

	require.NoError(t, e.FailREST("sendToAll", 4, fault.Answer{Status: http.StatusInternalServerError, Message: "injected"}))
	require.NoError(t, e.FailREST("sendToAll", 1, fault.Answer{Status: http.StatusBadRequest}))
	_, err = svc.SendToAll(ctxT(t), webpubsub.TextMessage("x"), nil)
	var re *azcore.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusInternalServerError, re.StatusCode, "1 try + 3 retries, all 500")
	assert.Equal(t, "Error.InternalServerError", re.ErrorCode)
	_, err = svc.SendToAll(ctxT(t), webpubsub.TextMessage("x"), nil)
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusBadRequest, re.StatusCode, "exactly four answers were used; a 400 is not retried")
	_, err = svc.SendToAll(ctxT(t), webpubsub.TextMessage("x"), nil)
	require.NoError(t, err)
}

func TestSDKDoesNotRetry403(t *testing.T) {
	e := emulatortest.New(t, nil)
	require.NoError(t, e.FailREST("closeConnection", 1, fault.Answer{Status: http.StatusForbidden, Message: "not allowed"}))
	require.NoError(t, e.FailREST("closeConnection", 1, fault.Answer{Status: http.StatusForbidden, Message: "second"}))
	_, err := sdk(e).CloseConnection(ctxT(t), "some-connection", nil)
	var re *azcore.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusForbidden, re.StatusCode)
	assert.Equal(t, "Error.Forbidden", re.ErrorCode)
	assert.Contains(t, err.Error(), "not allowed")
	_, err = sdk(e).CloseConnection(ctxT(t), "some-connection", nil)
	require.ErrorContains(t, err, "second", "the first call used one answer: a 403 is not retried")
	_, err = sdk(e).CloseConnection(ctxT(t), "some-connection", nil)
	require.NoError(t, err, "the script ran out")
}

func TestSDKUnderLatency(t *testing.T) {
	e := emulatortest.New(t, nil)
	svc := sdk(e)
	require.NoError(t, e.SetRESTLatency("*", 300*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := svc.SendToAll(ctx, webpubsub.TextMessage("x"), nil)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the caller's deadline ends the call")
	start := time.Now()
	_, err = svc.SendToAll(ctxT(t), webpubsub.TextMessage("x"), nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
	e.ClearFaults()
	_, err = svc.SendToAll(ctxT(t), webpubsub.TextMessage("x"), nil)
	require.NoError(t, err)
}

func TestClientRecoversAfterA1011Or4xxxClose(t *testing.T) {
	for _, code := range []websocket.StatusCode{websocket.StatusInternalError, 4001} {
		t.Run(code.String(), func(t *testing.T) {
			e := emulatortest.New(t, nil)
			var ev events
			c := e.NewClient(hub, user, ev.options())
			id := c.ConnectionID()
			ok, err := e.CloseConnectionWithCode(hub, id, emulator.CloseCode(code), "injected")
			require.NoError(t, err)
			require.True(t, ok)
			_, err = sdk(e).SendToConnection(ctxT(t), id, webpubsub.TextMessage("after the close"), nil)
			require.NoError(t, err)
			require.Eventually(t, func() bool { _, _, m := ev.snapshot(); return len(m) == 1 }, 10*time.Second, 5*time.Millisecond,
				"the reliable client recovered the connection and got the message sent while it was away")
			connected, disconnected, _ := ev.snapshot()
			assert.Equal(t, []string{id}, connected, "a recovery is not a new connection")
			assert.Empty(t, disconnected)
			assert.Equal(t, id, c.ConnectionID())
		})
	}
}

func TestClientStartsANewConnectionAfterA1008Close(t *testing.T) {
	e := emulatortest.New(t, nil)
	var ev events
	c := e.NewClient(hub, user, ev.options())
	id := c.ConnectionID()
	ok, err := e.CloseConnectionWithCode(hub, id, emulator.ClosePolicyViolation, "kicked by the test")
	require.NoError(t, err)
	require.True(t, ok)
	require.Eventually(t, func() bool { cs, _, _ := ev.snapshot(); return len(cs) == 2 }, 10*time.Second, 5*time.Millisecond)
	connected, disconnected, _ := ev.snapshot()
	assert.NotEqual(t, connected[0], connected[1], "1008 is not recoverable: the client opened a new connection")
	require.Len(t, disconnected, 1)
	assert.Equal(t, id, disconnected[0].ConnectionID)
	assert.Equal(t, "kicked by the test", disconnected[0].Message)
	require.Error(t, disconnected[0].Err)
	assert.Contains(t, disconnected[0].Err.Error(), "status 1008")
}

func TestCloseConnectionWithCodeValidates(t *testing.T) {
	e := emulatortest.New(t, nil)
	_, err := e.CloseConnectionWithCode(hub, "x", 1005, "")
	assert.ErrorContains(t, err, "cannot be sent")
	ok, err := e.CloseConnectionWithCode(hub, "missing", 4000, "")
	require.NoError(t, err)
	assert.False(t, ok)
}

// upstreamServer runs an event handler for hub whose user events answer
// with OnUserEvent and returns its URL template.
func upstreamServer(t *testing.T, key string, onUserEvent func(context.Context, *eventhandler.UserEventRequest, *eventhandler.UserEventResponse) error) string {
	t.Helper()
	h, err := eventhandler.New(hub, &eventhandler.Options{AccessKeys: []string{key}, OnUserEvent: onUserEvent})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/api/webpubsub/hubs/{hub}"
}

const key = "ZmF1bHQtaW5qZWN0aW9uLXRlc3Qta2V5LTMyLWJ5dGVz"

func TestClientEventWaitsForAPausedUpstream(t *testing.T) {
	tmpl := upstreamServer(t, key, func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
		resp.SetText("echo " + string(req.Data))
		return nil
	})
	e := emulatortest.New(t, &emulator.Options{AccessKey: key, Upstream: []emulator.UpstreamHandler{{URLTemplate: tmpl, UserEventPattern: "*"}}})
	var ev events
	c := e.NewClient(hub, user, ev.options())
	e.PauseUpstream()
	done := make(chan error, 1)
	go func() {
		_, err := c.SendEvent(ctxT(t), "hello", client.Text("hi"), nil)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the event was answered while the upstream was paused: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	e.ResumeUpstream()
	require.NoError(t, <-done)
	require.Eventually(t, func() bool { _, _, m := ev.snapshot(); return len(m) == 1 }, 10*time.Second, 5*time.Millisecond)
	_, _, m := ev.snapshot()
	assert.Equal(t, "echo hi", m[0])
}

// TestARefusedEventIsAnInternalServerErrorRetriedByTheClient: a handler's
// non-2xx answer reaches the client as the service's InternalServerError
// "Internal server error" (the handler's text goes to the emulator's log),
// which the client retries with its message retry policy, as the JS client
// does, each retry reaching the handler.
func TestARefusedEventIsAnInternalServerErrorRetriedByTheClient(t *testing.T) {
	var calls atomic.Int32
	tmpl := upstreamServer(t, key, func(context.Context, *eventhandler.UserEventRequest, *eventhandler.UserEventResponse) error {
		calls.Add(1)
		return eventhandler.Fail(http.StatusBadRequest, "not this one")
	})
	e := emulatortest.New(t, &emulator.Options{AccessKey: key, Upstream: []emulator.UpstreamHandler{{URLTemplate: tmpl, UserEventPattern: "*"}}})
	var ev events
	opts := ev.options()
	opts.MessageRetry = client.RetryOptions{MaxRetries: 2, Delay: 10 * time.Millisecond}
	c := e.NewClient(hub, user, opts)
	_, err := c.SendEvent(ctxT(t), "hello", client.Text("hi"), nil)
	var se *client.SendMessageError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "InternalServerError", se.ErrorName)
	assert.Equal(t, "Internal server error", se.Message, "the handler's text is not the client's")
	assert.Equal(t, int32(3), calls.Load(), "one try and two retries")
}
