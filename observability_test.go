package webpubsub

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/tracing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// span is one span as a capturing tracing provider saw it.
type span struct {
	tracer string // the tracer's name (the module)
	name   string
	kind   tracing.SpanKind
	attrs  map[string]any
	status tracing.SpanStatus
	ended  bool
}

// spanRecorder is a tracing.Provider that keeps every span it starts.
type spanRecorder struct {
	mu    sync.Mutex
	spans []*span
}

func (r *spanRecorder) provider() tracing.Provider {
	return tracing.NewProvider(func(name, version string) tracing.Tracer {
		return tracing.NewTracer(func(ctx context.Context, spanName string, o *tracing.SpanOptions) (context.Context, tracing.Span) {
			s := &span{tracer: name, name: spanName, kind: o.Kind, attrs: map[string]any{}}
			for _, a := range o.Attributes {
				s.attrs[a.Key] = a.Value
			}
			r.mu.Lock()
			r.spans = append(r.spans, s)
			r.mu.Unlock()
			return ctx, tracing.NewSpan(tracing.SpanImpl{
				End: func() { r.mu.Lock(); s.ended = true; r.mu.Unlock() },
				SetAttributes: func(attrs ...tracing.Attribute) {
					r.mu.Lock()
					defer r.mu.Unlock()
					for _, a := range attrs {
						s.attrs[a.Key] = a.Value
					}
				},
				SetStatus: func(code tracing.SpanStatus, _ string) { r.mu.Lock(); s.status = code; r.mu.Unlock() },
			})
		}, nil)
	}, nil)
}

func (r *spanRecorder) take() []*span {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.spans
	r.spans = nil
	return s
}

// Every operation makes one span named after the method called (for
// ServiceClient.GroupExists too, which is not GroupClient.Exists), with
// az.namespace, and a child HTTP span whose URL has the redacted query.
func TestSpansAreNamedAfterTheMethodCalled(t *testing.T) {
	rec := &spanRecorder{}
	ts := newTestServer(t)
	ts.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/:send"):
			w.WriteHeader(http.StatusAccepted)
		case r.Method == http.MethodDelete || strings.HasSuffix(r.URL.Path, "/:closeConnections"):
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodGet:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"value":[]}`))
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
	opts := ts.testOptions()
	opts.TracingProvider = rec.provider()
	c, err := NewServiceClientWithKey(ts.URL(), azcore.NewKeyCredential(testKey), "hub1", opts)
	require.NoError(t, err)
	ctx := context.Background()
	g := c.NewGroupClient("g1")
	calls := []struct {
		span string
		call func() error
	}{
		{"ServiceClient.HealthCheck", func() error { return errOf(c.HealthCheck(ctx, nil)) }},
		{"ServiceClient.SendToAll", func() error {
			return errOf(c.SendToAll(ctx, TextMessage("x"), &ServiceClientSendToAllOptions{Filter: "userId eq 'alice'"}))
		}},
		{"ServiceClient.SendToUser", func() error { return errOf(c.SendToUser(ctx, "alice", TextMessage("x"), nil)) }},
		{"ServiceClient.SendToConnection", func() error { return errOf(c.SendToConnection(ctx, "c1", TextMessage("x"), nil)) }},
		{"ServiceClient.CloseAllConnections", func() error { return errOf(c.CloseAllConnections(ctx, nil)) }},
		{"ServiceClient.CloseUserConnections", func() error { return errOf(c.CloseUserConnections(ctx, "alice", nil)) }},
		{"ServiceClient.CloseConnection", func() error { return errOf(c.CloseConnection(ctx, "c1", nil)) }},
		{"ServiceClient.ConnectionExists", func() error { return errOf(c.ConnectionExists(ctx, "c1", nil)) }},
		{"ServiceClient.UserExists", func() error { return errOf(c.UserExists(ctx, "alice", nil)) }},
		{"ServiceClient.GroupExists", func() error { return errOf(c.GroupExists(ctx, "g1", nil)) }},
		{"ServiceClient.RemoveConnectionFromAllGroups", func() error { return errOf(c.RemoveConnectionFromAllGroups(ctx, "c1", nil)) }},
		{"ServiceClient.RemoveUserFromAllGroups", func() error { return errOf(c.RemoveUserFromAllGroups(ctx, "alice", nil)) }},
		{"ServiceClient.AddUserToGroup", func() error { return errOf(c.AddUserToGroup(ctx, "alice", "g1", nil)) }},
		{"ServiceClient.RemoveUserFromGroup", func() error { return errOf(c.RemoveUserFromGroup(ctx, "alice", "g1", nil)) }},
		{"ServiceClient.AddConnectionsToGroups", func() error {
			return errOf(c.AddConnectionsToGroups(ctx, []string{"g1"}, "userId eq 'a'", nil))
		}},
		{"ServiceClient.RemoveConnectionsFromGroups", func() error {
			return errOf(c.RemoveConnectionsFromGroups(ctx, []string{"g1"}, "userId eq 'a'", nil))
		}},
		{"ServiceClient.GrantPermission", func() error { return errOf(c.GrantPermission(ctx, PermissionSendToGroup, "c1", nil)) }},
		{"ServiceClient.RevokePermission", func() error { return errOf(c.RevokePermission(ctx, PermissionSendToGroup, "c1", nil)) }},
		{"ServiceClient.HasPermission", func() error { return errOf(c.HasPermission(ctx, PermissionSendToGroup, "c1", nil)) }},
		{"GroupClient.SendToAll", func() error { return errOf(g.SendToAll(ctx, TextMessage("x"), nil)) }},
		{"GroupClient.AddConnection", func() error { return errOf(g.AddConnection(ctx, "c1", nil)) }},
		{"GroupClient.RemoveConnection", func() error { return errOf(g.RemoveConnection(ctx, "c1", nil)) }},
		{"GroupClient.AddUser", func() error { return errOf(g.AddUser(ctx, "alice", nil)) }},
		{"GroupClient.RemoveUser", func() error { return errOf(g.RemoveUser(ctx, "alice", nil)) }},
		{"GroupClient.CloseAllConnections", func() error { return errOf(g.CloseAllConnections(ctx, nil)) }},
		{"GroupClient.Exists", func() error { return errOf(g.Exists(ctx, nil)) }},
		{"GroupClient.NewListConnectionsPager", func() error {
			return errOf(g.NewListConnectionsPager(nil).NextPage(ctx))
		}},
	}
	for _, tc := range calls {
		t.Run(tc.span, func(t *testing.T) {
			rec.take()
			require.NoError(t, tc.call())
			spans := rec.take()
			require.Len(t, spans, 2, "one method span and one HTTP span")
			method, httpSpan := spans[0], spans[1]
			assert.Equal(t, tc.span, method.name)
			assert.Equal(t, tracing.SpanKindInternal, method.kind)
			assert.Equal(t, moduleName, method.tracer)
			assert.Equal(t, "Microsoft.SignalRService", method.attrs["az.namespace"])
			assert.True(t, method.ended)
			assert.Equal(t, tracing.SpanKindClient, httpSpan.kind)
			assert.True(t, strings.HasPrefix(httpSpan.name, "HTTP "), httpSpan.name)
			assert.Equal(t, "Microsoft.SignalRService", httpSpan.attrs["az.namespace"])
			u, ok := httpSpan.attrs["http.url"].(string)
			require.True(t, ok, "the HTTP span has its URL: %v", httpSpan.attrs)
			_, query, _ := strings.Cut(u, "?")
			assert.Contains(t, query, "api-version=2024-12-01")
			assert.NotContains(t, query, "alice", "span URLs have their query redacted like logs")
		})
	}
}

// GetClientAccessToken makes its span whether the token is signed locally
// (no request) or issued by the service (the request is a child HTTP span).
func TestGetClientAccessTokenSpan(t *testing.T) {
	rec := &spanRecorder{}
	ts := newTLSTestServer(t, reply{status: 200, body: `{"token":"a.b.c"}`, header: map[string]string{"Content-Type": "application/json"}})
	opts := ts.testOptions()
	opts.TracingProvider = rec.provider()

	kc, err := NewServiceClientWithKey(ts.URL(), azcore.NewKeyCredential(testKey), "hub1", opts)
	require.NoError(t, err)
	_, err = kc.GetClientAccessToken(context.Background(), &ServiceClientGetClientAccessTokenOptions{UserID: "alice"})
	require.NoError(t, err)
	spans := rec.take()
	require.Len(t, spans, 1, "signed locally: no HTTP span")
	assert.Equal(t, "ServiceClient.GetClientAccessToken", spans[0].name)
	assert.Equal(t, "Microsoft.SignalRService", spans[0].attrs["az.namespace"])
	assert.True(t, spans[0].ended)
	assert.Empty(t, ts.requests())

	ec, err := NewServiceClient(ts.URL(), &fakeTokenCredential{token: "entra"}, "hub1", opts)
	require.NoError(t, err)
	_, err = ec.GetClientAccessToken(context.Background(), &ServiceClientGetClientAccessTokenOptions{UserID: "alice"})
	require.NoError(t, err)
	spans = rec.take()
	require.Len(t, spans, 2)
	assert.Equal(t, "ServiceClient.GetClientAccessToken", spans[0].name)
	assert.Equal(t, "HTTP POST", spans[1].name)

	_, err = kc.GetClientAccessToken(context.Background(), &ServiceClientGetClientAccessTokenOptions{Protocol: "nope"})
	require.Error(t, err)
	spans = rec.take()
	require.Len(t, spans, 1)
	assert.Equal(t, tracing.SpanStatusError, spans[0].status, "a refused request marks the span")
}

// A failing operation marks its span as an error.
func TestSpanRecordsError(t *testing.T) {
	rec := &spanRecorder{}
	ts := newTestServer(t, reply{status: 404, header: map[string]string{"x-ms-error-code": "Info.Connection.NotExisted"}})
	opts := ts.testOptions()
	opts.TracingProvider = rec.provider()
	c, err := NewServiceClientWithKey(ts.URL(), azcore.NewKeyCredential(testKey), "hub1", opts)
	require.NoError(t, err)
	_, err = c.GrantPermission(context.Background(), PermissionJoinLeaveGroup, "gone", nil)
	require.Error(t, err)
	spans := rec.take()
	require.NotEmpty(t, spans)
	assert.Equal(t, "ServiceClient.GrantPermission", spans[0].name)
	assert.Equal(t, tracing.SpanStatusError, spans[0].status)
}

// captureLogs collects azcore's log output until the test ends.
func captureLogs(t *testing.T) func() string {
	var mu sync.Mutex
	var logs strings.Builder
	azlog.SetListener(func(ev azlog.Event, msg string) {
		mu.Lock()
		defer mu.Unlock()
		logs.WriteString(string(ev) + ": " + msg + "\n")
	})
	t.Cleanup(func() { azlog.SetListener(nil) })
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		return logs.String()
	}
}

// loggedOperations calls operations that put every query parameter of the
// API on the wire.
func loggedOperations(t *testing.T, c *ServiceClient) {
	ctx := context.Background()
	_, err := c.SendToAll(ctx, TextMessage("x"), &ServiceClientSendToAllOptions{
		Filter: "userId eq 'secret-filter-user'", Excluded: []string{"secret-excluded-conn"}, MessageTTLSeconds: 15})
	require.NoError(t, err)
	_, err = c.CloseUserConnections(ctx, "secret-path-user", &ServiceClientCloseUserConnectionsOptions{Reason: "secret-reason"})
	require.NoError(t, err)
	_, err = c.GrantPermission(ctx, PermissionSendToGroup, "c1", &ServiceClientGrantPermissionOptions{TargetName: "secret-target-group"})
	require.NoError(t, err)
	_, err = c.NewGroupClient("g").NewListConnectionsPager(&GroupClientListConnectionsOptions{MaxPageSize: 7, Top: 9,
		ContinuationToken: "secret-continuation"}).NextPage(ctx)
	require.NoError(t, err)
}

// Query parameters that name users, connections or groups are redacted from
// the logs by default; those that identify no one stay readable.
func TestLoggedQueryParametersAreRedactedByDefault(t *testing.T) {
	logs := captureLogs(t)
	ts := newTestServer(t, reply{status: 202}, reply{status: 204}, reply{status: 200}, reply{status: 200, body: `{"value":[]}`})
	loggedOperations(t, ts.keyClient("hub1"))

	// Entra ID: the :generateToken query.
	tls := newTLSTestServer(t, reply{status: 200, body: `{"token":"a.b.c"}`, header: map[string]string{"Content-Type": "application/json"}})
	ec, err := NewServiceClient(tls.URL(), &fakeTokenCredential{token: "entra"}, "hub1", tls.testOptions())
	require.NoError(t, err)
	_, err = ec.GetClientAccessToken(context.Background(), &ServiceClientGetClientAccessTokenOptions{
		UserID: "secret-token-user", Roles: []string{"secret-role"}, Groups: []string{"secret-group"}, Protocol: ClientProtocolMQTT})
	require.NoError(t, err)

	out := logs()
	for _, readable := range []string{"api-version=2024-12-01", "messageTtlSeconds=15", "maxpagesize=7", "top=9",
		"clientType=MQTT", "minutesToExpire=60"} {
		assert.Contains(t, out, readable)
	}
	for _, p := range []string{"filter", "excluded", "reason", "targetName", "continuationToken", "userId", "role", "group"} {
		assert.Contains(t, out, p+"=REDACTED")
	}
	for _, secret := range []string{"secret-filter-user", "secret-excluded-conn", "secret-reason", "secret-target-group",
		"secret-continuation", "secret-token-user", "secret-role", "secret-group"} {
		assert.NotContains(t, out, secret)
	}
}

// The application can allow more parameters in the logs.
func TestLoggedQueryParametersCanBeAllowed(t *testing.T) {
	logs := captureLogs(t)
	ts := newTestServer(t, reply{status: 202}, reply{status: 204}, reply{status: 200}, reply{status: 200, body: `{"value":[]}`})
	opts := ts.testOptions()
	opts.Logging = policy.LogOptions{AllowedQueryParams: []string{"filter", "reason"}}
	c, err := NewServiceClientWithKey(ts.URL(), azcore.NewKeyCredential(testKey), "hub1", opts)
	require.NoError(t, err)
	loggedOperations(t, c)

	out := logs()
	assert.Contains(t, out, "filter=userId+eq+%27secret-filter-user%27")
	assert.Contains(t, out, "reason=secret-reason")
	assert.Contains(t, out, "messageTtlSeconds=15", "the defaults stay allowed")
	assert.Contains(t, out, "excluded=REDACTED", "what was not allowed stays redacted")
	assert.NotContains(t, out, "secret-continuation")
}
