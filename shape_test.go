package webpubsub

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/auth"
)

func TestPossiblePermissionValues(t *testing.T) {
	assert.Equal(t, []Permission{"sendToGroup", "joinLeaveGroup"}, PossiblePermissionValues())
	// Every possible value is accepted and is the path segment on the wire.
	for _, p := range PossiblePermissionValues() {
		ts := newTestServer(t, reply{status: 200})
		_, err := ts.keyClient("hub1").GrantPermission(context.Background(), p, "c1", nil)
		require.NoError(t, err)
		assert.Equal(t, "/api/hubs/hub1/permissions/"+string(p)+"/connections/c1", ts.only().EscapedPath)
	}
}

func TestPossibleClientProtocolValues(t *testing.T) {
	assert.Equal(t, []ClientProtocol{"default", "mqtt", "socketio"}, PossibleClientProtocolValues())
	c, err := NewServiceClientWithKey("https://contoso.webpubsub.azure.com", azcore.NewKeyCredential(testKey), "hub1", nil)
	require.NoError(t, err)
	paths := map[ClientProtocol]string{"": "/client/hubs/hub1", ClientProtocolDefault: "/client/hubs/hub1",
		ClientProtocolMQTT: "/clients/mqtt/hubs/hub1", ClientProtocolSocketIO: "/clients/socketio/hubs/hub1"}
	for _, p := range append(PossibleClientProtocolValues(), "") {
		tok, err := c.GetClientAccessToken(context.Background(), &ServiceClientGetClientAccessTokenOptions{Protocol: p})
		require.NoError(t, err, "protocol %q", p)
		assert.Equal(t, "wss://contoso.webpubsub.azure.com"+paths[p], tok.BaseURL)
	}
	_, err = c.GetClientAccessToken(context.Background(), &ServiceClientGetClientAccessTokenOptions{Protocol: "MQTT"})
	assert.ErrorContains(t, err, `unknown client protocol "MQTT"`, "values are exact, as in the JS SDK")
}

// ExpiresOn is the exp claim of a locally signed token.
func TestClientAccessTokenExpiresOnSignedLocally(t *testing.T) {
	c, err := NewServiceClientWithKey("https://contoso.webpubsub.azure.com", azcore.NewKeyCredential(testKey), "hub1", nil)
	require.NoError(t, err)
	fixed := time.Now().Truncate(time.Second).Add(time.Minute)
	c.now = func() time.Time { return fixed }
	for _, lifetime := range []time.Duration{0, 90 * time.Second, 24 * time.Hour} {
		tok, err := c.GetClientAccessToken(context.Background(), &ServiceClientGetClientAccessTokenOptions{ExpiresAfter: lifetime})
		require.NoError(t, err)
		claims, err := auth.Verify(tok.Token, []string{testKey}, []string{"https://contoso.webpubsub.azure.com/client/hubs/hub1"}, 0)
		require.NoError(t, err)
		assert.Equal(t, claims.ExpiresAt, tok.ExpiresOn.Unix())
		want := lifetime
		if want == 0 {
			want = time.Hour
		}
		assert.True(t, fixed.Add(want).Equal(tok.ExpiresOn), "lifetime %v: ExpiresOn %v", lifetime, tok.ExpiresOn)
	}
}

// With Entra ID, ExpiresOn is the exp claim of the token the service issued,
// or the requested lifetime when the token has no readable exp.
func TestClientAccessTokenExpiresOnFromService(t *testing.T) {
	exp := time.Now().Add(17 * time.Minute).Truncate(time.Second)
	serviceTok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(exp)}).
		SignedString([]byte("the service's own key"))
	require.NoError(t, err)
	ct := map[string]string{"Content-Type": "application/json"}

	ts := newTLSTestServer(t, reply{status: 200, body: `{"token":"` + serviceTok + `"}`, header: ct})
	c, err := NewServiceClient(ts.URL(), &fakeTokenCredential{token: "entra"}, "hub1", ts.testOptions())
	require.NoError(t, err)
	tok, err := c.GetClientAccessToken(context.Background(), &ServiceClientGetClientAccessTokenOptions{ExpiresAfter: 20 * time.Minute})
	require.NoError(t, err)
	assert.True(t, exp.Equal(tok.ExpiresOn), "the token's exp, not the requested lifetime: %v", tok.ExpiresOn)

	ts2 := newTLSTestServer(t, reply{status: 200, body: `{"token":"ABCDEFG.ABC.ABC"}`, header: ct})
	c2, err := NewServiceClient(ts2.URL(), &fakeTokenCredential{token: "entra"}, "hub1", ts2.testOptions())
	require.NoError(t, err)
	before := time.Now().Truncate(time.Second)
	tok, err = c2.GetClientAccessToken(context.Background(), &ServiceClientGetClientAccessTokenOptions{ExpiresAfter: 5 * time.Minute})
	require.NoError(t, err)
	assert.WithinDuration(t, before.Add(5*time.Minute), tok.ExpiresOn, 3*time.Second)
}

// A listing resumes from the ContinuationToken of a page, with a new pager.
func TestListConnectionsResumesFromContinuationToken(t *testing.T) {
	ct := map[string]string{"Content-Type": "application/json"}
	ts := newTestServer(t,
		reply{status: 200, header: ct, body: `{"value":[{"connectionId":"c1"}],"nextLink":"https://x/api/hubs/hub1/groups/g/connections?maxpagesize=1&continuationToken=tok%2F1%3D"}`},
		reply{status: 200, header: ct, body: `{"value":[{"connectionId":"c2"}]}`})
	c := ts.keyClient("hub1")

	first := c.NewGroupClient("g").NewListConnectionsPager(&GroupClientListConnectionsOptions{MaxPageSize: 1})
	page, err := first.NextPage(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok/1=", page.ContinuationToken, "decoded from the nextLink")
	assert.Contains(t, page.NextLink, "continuationToken=tok%2F1%3D")
	// Stop here; later, a new pager picks up where the first left off.
	resumed := c.NewGroupClient("g").NewListConnectionsPager(&GroupClientListConnectionsOptions{MaxPageSize: 1, ContinuationToken: page.ContinuationToken})
	require.True(t, resumed.More())
	page, err = resumed.NextPage(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []GroupMember{{ConnectionID: "c2"}}, page.Value)
	assert.Empty(t, page.ContinuationToken)
	assert.False(t, resumed.More())

	reqs := ts.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, url.Values{"api-version": {apiVersion}, "maxpagesize": {"1"}, "continuationToken": {"tok/1="}}, url.Values(reqs[1].Query))
	assert.Equal(t, "/api/hubs/hub1/groups/g/connections", reqs[1].EscapedPath)
}

// An empty filter would target the whole hub: it takes AllConnections.
func TestConnectionsToGroupsEmptyFilterNeedsAllConnections(t *testing.T) {
	type call func(c *ServiceClient, filter string, all bool) error
	calls := map[string]struct {
		call call
		path string
	}{
		"AddConnectionsToGroups": {func(c *ServiceClient, filter string, all bool) error {
			_, err := c.AddConnectionsToGroups(context.Background(), []string{"g1"}, filter, &ServiceClientAddConnectionsToGroupsOptions{AllConnections: all})
			return err
		}, "/api/hubs/hub1/:addToGroups"},
		"RemoveConnectionsFromGroups": {func(c *ServiceClient, filter string, all bool) error {
			_, err := c.RemoveConnectionsFromGroups(context.Background(), []string{"g1"}, filter, &ServiceClientRemoveConnectionsFromGroupsOptions{AllConnections: all})
			return err
		}, "/api/hubs/hub1/:removeFromGroups"},
	}
	for name, tc := range calls {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, reply{status: 200})
			c := ts.keyClient("hub1")

			err := tc.call(c, "", false)
			require.ErrorIs(t, err, errEmptyFilter)
			assert.Contains(t, err.Error(), "AllConnections")
			require.ErrorIs(t, tc.call(c, " \t", false), errEmptyFilter, "a blank filter is empty too")
			assert.ErrorContains(t, tc.call(c, "userId eq 'a'", true), "AllConnections is set but so is a filter")
			assert.Empty(t, ts.requests(), "refused before any request")

			require.NoError(t, tc.call(c, "", true))
			r := ts.only()
			assert.Equal(t, tc.path, r.EscapedPath)
			assert.JSONEq(t, `{"groups":["g1"]}`, string(r.Body), "the whole hub: no filter in the body")
		})
	}
	// nil options are the same as AllConnections false.
	ts := newTestServer(t, reply{status: 200})
	_, err := ts.keyClient("hub1").AddConnectionsToGroups(context.Background(), []string{"g1"}, "", nil)
	require.ErrorIs(t, err, errEmptyFilter)
	assert.Empty(t, ts.requests())
}

// JSONMessage reaches the service (and so the clients) without HTML escapes,
// as JSON.stringify does in the JS SDK.
func TestJSONMessageIsNotHTMLEscaped(t *testing.T) {
	ts := newTestServer(t, reply{status: 202})
	msg := JSONMessage(map[string]string{"html": "<b>Tom & Jerry</b>"})
	assert.Equal(t, `{"html":"<b>Tom & Jerry</b>"}`, string(msg.Body()))
	_, err := ts.keyClient("hub1").SendToAll(context.Background(), msg, nil)
	require.NoError(t, err)
	r := ts.only()
	assert.Equal(t, `{"html":"<b>Tom & Jerry</b>"}`, string(r.Body), "no \\u003c, \\u0026 or trailing newline on the wire")
	assert.Equal(t, "application/json", r.ContentType)
	assert.False(t, strings.HasSuffix(string(JSONMessage("x").Body()), "\n"))
}

// On the wire, a Filter value inside quotes is escaped once (the review's
// "vic's" case), not quoted a second time.
func TestFilterOnTheWire(t *testing.T) {
	ts := newTestServer(t, reply{status: 202}, reply{status: 200})
	c := ts.keyClient("hub1")
	f, err := Filter("userId eq '{0}'", "vic's")
	require.NoError(t, err)
	_, err = c.NewGroupClient("g1").SendToAll(context.Background(), TextMessage("x"), &GroupClientSendToAllOptions{Filter: f})
	require.NoError(t, err)
	f, err = Filter("startswith(userId, '{0}-') and {1} in groups", "team'a", "g'2")
	require.NoError(t, err)
	_, err = c.AddConnectionsToGroups(context.Background(), []string{"g3"}, f, nil)
	require.NoError(t, err)

	reqs := ts.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, []string{"userId eq 'vic''s'"}, reqs[0].Query["filter"])
	assert.Contains(t, reqs[0].RequestURI, "filter=userId+eq+%27vic%27%27s%27")
	assert.JSONEq(t, `{"groups":["g3"],"filter":"startswith(userId, 'team''a-') and 'g''2' in groups"}`, string(reqs[1].Body))
}
