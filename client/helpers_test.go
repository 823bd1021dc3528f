package client_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Roles a test client usually gets.
var allRoles = []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"}

// env is an emulator with a service client for one hub.
type env struct {
	srv *emulatortest.Server
	e   *emulator.Emulator
	sc  *webpubsub.ServiceClient
	hub string
}

func newEnv(t testing.TB, opts emulator.Options) *env {
	t.Helper()
	srv := emulatortest.New(t, &opts)
	return &env{srv: srv, e: srv.Emulator, sc: srv.ServiceClient("chat", nil), hub: "chat"}
}

// url returns a client access URL for userID with roles.
func (v *env) url(t testing.TB, userID string, roles ...string) string {
	t.Helper()
	tok, err := v.sc.GetClientAccessToken(context.Background(), &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: userID, Roles: roles})
	require.NoError(t, err)
	return tok.URL
}

// fastOptions are options with short delays for tests.
func fastOptions() *client.Options {
	return &client.Options{
		MessageRetry:        client.RetryOptions{MaxRetries: 50, Delay: 5 * time.Millisecond},
		ReconnectRetry:      client.RetryOptions{Delay: 10 * time.Millisecond},
		SequenceAckInterval: 10 * time.Millisecond,
		RecoveryWindow:      5 * time.Second,
	}
}

// recorder records every event of a client.
type recorder struct {
	mu           sync.Mutex
	connected    []client.ConnectedEvent
	disconnected []client.DisconnectedEvent
	stopped      []client.StoppedEvent
	server       []client.ServerMessage
	group        []client.GroupMessage
	rejoinFailed []client.RejoinGroupFailedEvent
	invalid      []error
}

// hook sets the handlers of o (a new Options if nil) to record into r.
func (r *recorder) hook(o *client.Options) *client.Options {
	if o == nil {
		o = &client.Options{}
	}
	o.OnConnected = func(_ context.Context, e client.ConnectedEvent) {
		r.mu.Lock()
		r.connected = append(r.connected, e)
		r.mu.Unlock()
	}
	o.OnDisconnected = func(_ context.Context, e client.DisconnectedEvent) {
		r.mu.Lock()
		r.disconnected = append(r.disconnected, e)
		r.mu.Unlock()
	}
	o.OnStopped = func(_ context.Context, e client.StoppedEvent) {
		r.mu.Lock()
		r.stopped = append(r.stopped, e)
		r.mu.Unlock()
	}
	o.OnServerMessage = func(_ context.Context, e client.ServerMessage) {
		r.mu.Lock()
		r.server = append(r.server, e)
		r.mu.Unlock()
	}
	o.OnGroupMessage = func(_ context.Context, e client.GroupMessage) {
		r.mu.Lock()
		r.group = append(r.group, e)
		r.mu.Unlock()
	}
	o.OnRejoinGroupFailed = func(_ context.Context, e client.RejoinGroupFailedEvent) {
		r.mu.Lock()
		r.rejoinFailed = append(r.rejoinFailed, e)
		r.mu.Unlock()
	}
	o.OnInvalidMessage = func(_ context.Context, err error) { r.mu.Lock(); r.invalid = append(r.invalid, err); r.mu.Unlock() }
	return o
}

func (r *recorder) groupMessages() []client.GroupMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]client.GroupMessage(nil), r.group...)
}

func (r *recorder) serverMessages() []client.ServerMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]client.ServerMessage(nil), r.server...)
}

func (r *recorder) connectedEvents() []client.ConnectedEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]client.ConnectedEvent(nil), r.connected...)
}

func (r *recorder) disconnectedEvents() []client.DisconnectedEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]client.DisconnectedEvent(nil), r.disconnected...)
}

func (r *recorder) stoppedEvents() []client.StoppedEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]client.StoppedEvent(nil), r.stopped...)
}

func (r *recorder) rejoinFailures() []client.RejoinGroupFailedEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]client.RejoinGroupFailedEvent(nil), r.rejoinFailed...)
}

func (r *recorder) invalidMessages() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.invalid...)
}

// startClient starts a client for url and stops it when the test ends.
func startClient(t testing.TB, url string, opts *client.Options) *client.Client {
	t.Helper()
	c, err := client.New(url, opts)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, c.Start(ctx))
	t.Cleanup(func() { stopClient(t, c) })
	return c
}

func stopClient(t testing.TB, c *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, c.Stop(ctx))
}

// ctxT returns a context that ends with a deadline well before the test's.
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
