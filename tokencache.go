package webpubsub

import (
	"sync"
	"time"
)

// requestTokenCache keeps the Authorization values ("Bearer <JWT>") that
// authorize REST requests, keyed by request URI. A token is bound to one URL
// (its aud) and one key, so it can be reused for the same URL and key until
// shortly before it expires; repeated operations (e.g. SendToAll in a loop)
// then skip signing. The cache is bounded and is dropped whole when full.
type requestTokenCache struct {
	mu      sync.Mutex
	entries map[string]cachedToken
}

type cachedToken struct {
	key     string
	token   string
	renewAt time.Time
}

// maxCachedTokens bounds the cache; distinct URLs beyond it evict everything.
const maxCachedTokens = 256

// requestTokenMinRemaining is how much lifetime a cached token must have
// left to be reused.
const requestTokenMinRemaining = 2 * time.Minute

func (c *requestTokenCache) get(uri, key string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[uri]
	if !ok || e.key != key || !now.Before(e.renewAt) {
		return "", false
	}
	return e.token, true
}

func (c *requestTokenCache) put(uri, key, token string, exp time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedTokens {
		c.entries = make(map[string]cachedToken)
	}
	c.entries[uri] = cachedToken{key: key, token: token, renewAt: exp.Add(-requestTokenMinRemaining)}
}
