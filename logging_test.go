package webpubsub

import (
	"context"
	"strings"
	"sync"
	"testing"

	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// azcore logging (requests, responses, retries) must never show the access
// key or a token.
func TestLoggingRedactsSecrets(t *testing.T) {
	var mu sync.Mutex
	var logs strings.Builder
	azlog.SetListener(func(ev azlog.Event, msg string) {
		mu.Lock()
		defer mu.Unlock()
		logs.WriteString(string(ev) + ": " + msg + "\n")
	})
	t.Cleanup(func() { azlog.SetListener(nil) })

	ts := newTestServer(t, reply{status: 503, header: map[string]string{"Retry-After-Ms": "1"}},
		reply{status: 202}, reply{status: 200, body: `{"value":[],"nextLink":"/api/hubs/hub1/groups/g/connections?continuationToken=tok"}`},
		reply{status: 200, body: `{"value":[]}`})
	c := ts.keyClient("hub1")
	require.NoError(t, errOf(c.SendToAll(context.Background(), TextMessage("x"), &ServiceClientSendToAllOptions{Filter: MustFilter("userId eq {0}", "u"), Excluded: []string{"c1"}})))
	pager := c.NewGroupClient("g").NewListConnectionsPager(nil)
	for pager.More() {
		_, err := pager.NextPage(context.Background())
		require.NoError(t, err)
	}
	tok, err := c.GetClientAccessToken(context.Background(), nil)
	require.NoError(t, err)

	mu.Lock()
	out := logs.String()
	mu.Unlock()
	require.Contains(t, out, "/api/hubs/hub1/:send", "the listener saw the requests")
	assert.Contains(t, out, "excluded=REDACTED", "connection ids are redacted by default")
	assert.Contains(t, out, "filter=REDACTED", "filters (which name users) are redacted by default")
	assert.Contains(t, out, "continuationToken=REDACTED")
	assert.NotContains(t, out, testKey)
	assert.NotContains(t, out, tok.Token)
	assert.NotContains(t, out, "Bearer ey", "no JWT in the log")
	for _, r := range ts.requests() {
		assert.NotContains(t, out, strings.TrimPrefix(r.Auth, "Bearer "))
	}
}
