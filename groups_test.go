package webpubsub

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListConnectionsFollowsNextLink(t *testing.T) {
	page1, err := os.ReadFile("testdata/list_connections_page1.json")
	require.NoError(t, err)
	page2, err := os.ReadFile("testdata/list_connections_page2.json")
	require.NoError(t, err)
	ct := map[string]string{"Content-Type": "application/json"}
	ts := newTestServer(t, reply{status: 200, body: string(page1), header: ct}, reply{status: 200, body: string(page2), header: ct})
	c := ts.keyClient("hub1")

	pager := c.NewGroupClient("group1").NewListConnectionsPager(&GroupClientListConnectionsOptions{MaxPageSize: 200, Top: 1000})
	var members []GroupMember
	pages := 0
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		require.NoError(t, err)
		members = append(members, page.Value...)
		pages++
	}
	assert.Equal(t, 2, pages)
	assert.Equal(t, []GroupMember{{"c1", "u1"}, {"c2", "u2"}, {ConnectionID: "c3"}}, members)

	reqs := ts.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/api/hubs/hub1/groups/group1/connections", reqs[0].EscapedPath)
	assert.Equal(t, map[string][]string{"api-version": {"2024-12-01"}, "maxpagesize": {"200"}, "top": {"1000"}}, reqs[0].Query)
	// The second page goes to our own endpoint (not "serviceendpoint"), with
	// the nextLink's query plus api-version, and is signed for that URL.
	assert.Equal(t, "/api/hubs/hub1/groups/group1/connections", reqs[1].EscapedPath)
	assert.Equal(t, map[string][]string{"api-version": {"2024-12-01"}, "maxpagesize": {"200"}, "top": {"1000"},
		"continuationToken": {"token"}}, reqs[1].Query)
	for _, r := range reqs {
		assert.Equal(t, "GET", r.Method)
		requireRequestJWT(t, r, testKey, ts.URL())
	}
}

func TestListConnectionsNextLinkHubIsCaseInsensitive(t *testing.T) {
	ts := newTestServer(t, reply{status: 200, body: `{"value":[],"nextLink":"/api/hubs/hub1/groups/G1/connections?continuationToken=t1"}`},
		reply{status: 200, body: `{"value":[],"nextLink":"/api/hubs/HUB1/groups/g1/connections?continuationToken=t2"}`})
	pager := ts.keyClient("Hub1").NewGroupClient("G1").NewListConnectionsPager(nil)
	_, err := pager.NextPage(context.Background())
	require.NoError(t, err)
	_, err = pager.NextPage(context.Background())
	require.NoError(t, err, "the hub may come back in another case")
	_, err = pager.NextPage(context.Background())
	require.ErrorContains(t, err, "nextLink for another resource", "group names are case-sensitive")
	reqs := ts.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/api/hubs/Hub1/groups/G1/connections", reqs[1].EscapedPath)
	assert.Equal(t, []string{"t1"}, reqs[1].Query["continuationToken"])
}

func TestListConnectionsRejectsForeignNextLink(t *testing.T) {
	ts := newTestServer(t, reply{status: 200,
		body: `{"value":[{"connectionId":"c1"}],"nextLink":"https://evil.example/api/hubs/other/groups/x/connections?continuationToken=t"}`})
	pager := ts.keyClient("hub1").NewGroupClient("group1").NewListConnectionsPager(nil)
	page, err := pager.NextPage(context.Background())
	require.NoError(t, err)
	assert.Len(t, page.Value, 1)
	require.True(t, pager.More())
	_, err = pager.NextPage(context.Background())
	require.ErrorContains(t, err, "nextLink for another resource")
	assert.Len(t, ts.requests(), 1)
}

func TestListConnectionsErrorsAndEscapedGroup(t *testing.T) {
	ts := newTestServer(t, reply{status: 404, header: map[string]string{"x-ms-error-code": "Info.Group.NotExisted"}})
	pager := ts.keyClient("hub1").NewGroupClient("a b/c").NewListConnectionsPager(nil)
	_, err := pager.NextPage(context.Background())
	var re *azcore.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "Info.Group.NotExisted", re.ErrorCode)
	r := ts.only()
	assert.Equal(t, "/api/hubs/hub1/groups/a%20b%2Fc/connections", r.EscapedPath)
	assert.Equal(t, url.Values{"api-version": {"2024-12-01"}}, url.Values(r.Query))

	ts2 := newTestServer(t, reply{status: 200, body: `{"value":[{"connectionId":"c1"}],"nextLink":"/api/hubs/hub1/groups/a%20b%2Fc/connections?continuationToken=x%2By"}`},
		reply{status: 200, body: `not json`})
	pager = ts2.keyClient("hub1").NewGroupClient("a b/c").NewListConnectionsPager(nil)
	_, err = pager.NextPage(context.Background())
	require.NoError(t, err)
	_, err = pager.NextPage(context.Background())
	require.ErrorContains(t, err, "decoding the group member page")
	reqs := ts2.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/api/hubs/hub1/groups/a%20b%2Fc/connections", reqs[1].EscapedPath)
	assert.Equal(t, []string{"x+y"}, reqs[1].Query["continuationToken"])
}

// A zero GroupClient is not usable: every method says so instead of
// panicking.
func TestZeroGroupClientReturnsAnError(t *testing.T) {
	ctx := context.Background()
	var g GroupClient
	errs := []error{
		errOf(g.SendToAll(ctx, TextMessage("x"), nil)),
		errOf(g.AddConnection(ctx, "c", nil)),
		errOf(g.RemoveConnection(ctx, "c", nil)),
		errOf(g.AddUser(ctx, "u", nil)),
		errOf(g.RemoveUser(ctx, "u", nil)),
		errOf(g.CloseAllConnections(ctx, nil)),
		errOf(g.Exists(ctx, nil)),
		errOf(g.NewListConnectionsPager(nil).NextPage(ctx)),
	}
	for i, err := range errs {
		assert.EqualError(t, err, "webpubsub: the GroupClient was not created with ServiceClient.NewGroupClient", "method %d", i)
	}
	assert.Empty(t, g.Name())
}
