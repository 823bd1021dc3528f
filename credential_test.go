package webpubsub

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/auth"
)

func TestKeyRotationWithoutRebuildingTheClient(t *testing.T) {
	ts := newTestServer(t, reply{status: 202})
	cred := azcore.NewKeyCredential("old-key-1234567890")
	c, err := NewServiceClientWithKey(ts.URL(), cred, "hub1", ts.testOptions())
	require.NoError(t, err)

	require.NoError(t, errOf(c.SendToAll(context.Background(), TextMessage("1"), nil)))
	cred.Update("new-key-0987654321")
	require.NoError(t, errOf(c.SendToAll(context.Background(), TextMessage("2"), nil)))

	reqs := ts.requests()
	require.Len(t, reqs, 2)
	requireRequestJWT(t, reqs[0], "old-key-1234567890", ts.URL())
	requireRequestJWT(t, reqs[1], "new-key-0987654321", ts.URL())
	_, err = auth.Verify(strings.TrimPrefix(reqs[1].Auth, "Bearer "), []string{"old-key-1234567890"}, nil, 0)
	require.ErrorIs(t, err, auth.ErrSignature, "after Update the old key must no longer sign")

	// Client access tokens follow the rotation too.
	tok, err := c.GetClientAccessToken(context.Background(), nil)
	require.NoError(t, err)
	_, err = auth.Verify(tok.Token, []string{"new-key-0987654321"}, nil, 0)
	require.NoError(t, err)
}

func TestEmptyKeyIsRejected(t *testing.T) {
	_, err := NewServiceClientWithKey("https://x.webpubsub.azure.com", azcore.NewKeyCredential(""), "hub1", nil)
	require.ErrorContains(t, err, "access key is empty")
	_, err = NewServiceClientWithKey("https://x.webpubsub.azure.com", nil, "hub1", nil)
	require.ErrorContains(t, err, "must not be nil")

	// A key rotated to empty fails the request without sending it or retrying.
	ts := newTestServer(t, reply{status: 202})
	cred := azcore.NewKeyCredential("k")
	c, err := NewServiceClientWithKey(ts.URL(), cred, "hub1", ts.testOptions())
	require.NoError(t, err)
	cred.Update("")
	_, err = c.SendToAll(context.Background(), TextMessage("x"), nil)
	require.ErrorContains(t, err, "access key is empty")
	assert.Empty(t, ts.requests())
	_, err = c.GetClientAccessToken(context.Background(), nil)
	require.ErrorContains(t, err, "access key is empty")
}

func TestReverseProxy(t *testing.T) {
	proxy := newTestServer(t, reply{status: 202})
	const service = "https://contoso.webpubsub.azure.com"
	opts := proxy.testOptions()
	opts.ReverseProxyEndpoint = proxy.URL()
	c, err := NewServiceClientWithKey(service, azcore.NewKeyCredential(testKey), "hub1", opts)
	require.NoError(t, err)

	require.NoError(t, errOf(c.SendToUser(context.Background(), "user1", TextMessage("hi"), &ServiceClientSendToUserOptions{MessageTTLSeconds: 5})))
	r := proxy.only()
	assert.Equal(t, strings.TrimPrefix(proxy.URL(), "http://"), r.Host, "the request goes to the proxy host")
	assert.Equal(t, "/api/hubs/hub1/users/user1/:send", r.EscapedPath)
	claims := requireRequestJWT(t, r, testKey, service)
	assert.True(t, strings.HasPrefix(claims.Audience, service+"/api/hubs/hub1/users/user1/:send?"), "aud keeps the service endpoint: %s", claims.Audience)

	// Client tokens and URLs keep the service endpoint as well.
	tok, err := c.GetClientAccessToken(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, "wss://contoso.webpubsub.azure.com/client/hubs/hub1", tok.BaseURL)

	opts.ReverseProxyEndpoint = "ftp://proxy"
	_, err = NewServiceClientWithKey(service, azcore.NewKeyCredential(testKey), "hub1", opts)
	require.ErrorContains(t, err, "ReverseProxyEndpoint")
}

// fakeTokenCredential is an Entra ID credential that returns a fixed token
// and records the scopes it was asked for.
type fakeTokenCredential struct {
	token  string
	calls  atomic.Int32
	scopes atomic.Value // []string
	err    error
}

func (f *fakeTokenCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	f.calls.Add(1)
	f.scopes.Store(o.Scopes)
	if f.err != nil {
		return azcore.AccessToken{}, f.err
	}
	return azcore.AccessToken{Token: f.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestEntraIDBearerToken(t *testing.T) {
	ts := newTLSTestServer(t, reply{status: 202})
	cred := &fakeTokenCredential{token: "entra-token-abc"}
	c, err := NewServiceClient(ts.URL(), cred, "hub1", ts.testOptions())
	require.NoError(t, err)
	require.NoError(t, errOf(c.SendToAll(context.Background(), TextMessage("a"), nil)))
	require.NoError(t, errOf(c.NewGroupClient("g").SendToAll(context.Background(), TextMessage("b"), nil)))

	reqs := ts.requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, "Bearer entra-token-abc", r.Auth)
	}
	assert.Equal(t, []string{"https://webpubsub.azure.com/.default"}, cred.scopes.Load())
	assert.Equal(t, int32(1), cred.calls.Load(), "azcore caches the token between requests")
}

func TestEntraIDCredentialErrorAndHTTPRefusal(t *testing.T) {
	ts := newTLSTestServer(t, reply{status: 202})
	cred := &fakeTokenCredential{err: errors.New("no identity")}
	c, err := NewServiceClient(ts.URL(), cred, "hub1", ts.testOptions())
	require.NoError(t, err)
	require.ErrorContains(t, errOf(c.SendToAll(context.Background(), TextMessage("a"), nil)), "no identity")
	assert.Empty(t, ts.requests())

	// azcore refuses to send an Entra ID token over plain HTTP.
	plain := newTestServer(t, reply{status: 202})
	c, err = NewServiceClient(plain.URL(), &fakeTokenCredential{token: "t"}, "hub1", plain.testOptions())
	require.NoError(t, err)
	require.Error(t, errOf(c.SendToAll(context.Background(), TextMessage("a"), nil)))
	assert.Empty(t, plain.requests())

	_, err = NewServiceClient(ts.URL(), nil, "hub1", nil)
	require.ErrorContains(t, err, "must not be nil")
}

func TestConstructorValidation(t *testing.T) {
	key := azcore.NewKeyCredential("k")
	cases := map[string]struct {
		endpoint, hub, want string
	}{
		"bad hub":       {"https://x.webpubsub.azure.com", "1hub", "invalid hub name"},
		"empty hub":     {"https://x.webpubsub.azure.com", "", "invalid hub name"},
		"hub with dash": {"https://x.webpubsub.azure.com", "a-b", "invalid hub name"},
		"ws scheme":     {"wss://x.webpubsub.azure.com", "hub", "http or https"},
		"no host":       {"https://", "hub", "no host"},
		"path":          {"https://x.webpubsub.azure.com/api", "hub", "path"},
		"not a url":     {"://", "hub", "not a valid URL"},
		"user info":     {"https://u:p@x.webpubsub.azure.com", "hub", "user information"},
		"bad port":      {"https://x.webpubsub.azure.com:99999", "hub", "port"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := NewServiceClientWithKey(tc.endpoint, key, tc.hub, nil)
			require.ErrorContains(t, err, tc.want)
			_, err = NewServiceClient(tc.endpoint, &fakeTokenCredential{token: "t"}, tc.hub, nil)
			require.ErrorContains(t, err, tc.want)
		})
	}
	_, err := NewServiceClientWithKey("https://x.webpubsub.azure.com/", key, "h`,.[]_1", nil)
	require.NoError(t, err, "the spec's special hub characters are allowed")
	_, err = NewServiceClientFromConnectionString("Endpoint=https://x;", "hub", nil)
	require.ErrorContains(t, err, "AccessKey is missing")
}
