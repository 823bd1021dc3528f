package webpubsub

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestTokensAreReusedPerURLAndKey(t *testing.T) {
	ts := newTestServer(t, reply{status: 202})
	cred := azcore.NewKeyCredential(testKey)
	c, err := NewServiceClientWithKey(ts.URL(), cred, "hub1", ts.testOptions())
	require.NoError(t, err)
	now := time.Now()
	c.now = func() time.Time { return now }
	ctx := context.Background()

	require.NoError(t, errOf(c.SendToAll(ctx, TextMessage("1"), nil)))
	require.NoError(t, errOf(c.SendToAll(ctx, TextMessage("2"), nil)))                                                  // same URL: reused
	require.NoError(t, errOf(c.SendToAll(ctx, TextMessage("3"), &ServiceClientSendToAllOptions{MessageTTLSeconds: 1}))) // other URL
	now = now.Add(requestTokenLifetime - requestTokenMinRemaining)                                                      // too close to expiry
	require.NoError(t, errOf(c.SendToAll(ctx, TextMessage("4"), nil)))
	cred.Update("rotated-key")
	require.NoError(t, errOf(c.SendToAll(ctx, TextMessage("5"), nil)))

	reqs := ts.requests()
	require.Len(t, reqs, 5)
	assert.Equal(t, reqs[0].Auth, reqs[1].Auth, "the same URL and key reuse the token")
	assert.NotEqual(t, reqs[0].Auth, reqs[2].Auth, "a token is bound to its URL")
	assert.NotEqual(t, reqs[1].Auth, reqs[3].Auth, "a token near expiry is renewed")
	assert.NotEqual(t, reqs[3].Auth, reqs[4].Auth, "a new key signs a new token")
	for i, r := range reqs[:4] {
		_, err := verifyAt(r, testKey, ts.URL())
		require.NoError(t, err, "request %d", i)
	}
	_, err = verifyAt(reqs[4], "rotated-key", ts.URL())
	require.NoError(t, err)
}

func TestRequestTokenCacheIsBounded(t *testing.T) {
	var c requestTokenCache
	exp := time.Now().Add(time.Hour)
	for i := 0; i < maxCachedTokens; i++ {
		c.put(fmt.Sprint("aud", i), "k", "t", exp)
	}
	tok, ok := c.get("aud0", "k", time.Now())
	require.True(t, ok)
	assert.Equal(t, "t", tok)
	c.put("one-more", "k", "t2", exp)
	assert.Len(t, c.entries, 1, "a full cache is dropped")
	_, ok = c.get("aud0", "k", time.Now())
	assert.False(t, ok)
	_, ok = c.get("one-more", "other-key", time.Now())
	assert.False(t, ok, "entries are bound to their key")
}
