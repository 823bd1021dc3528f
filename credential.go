package webpubsub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/webpubsub-go/webpubsub/internal/auth"
)

// EntraIDScope is the OAuth 2 scope of the Web PubSub data plane, used with
// Microsoft Entra ID credentials.
const EntraIDScope = "https://webpubsub.azure.com/.default"

// requestTokenLifetime is the lifetime of the JWT that authorizes a REST
// request signed with an access key. Tokens are bound to the request URL and
// reused for that URL while enough lifetime is left (see requestTokenCache).
const requestTokenLifetime = 5 * time.Minute

// keyHeader is the private header that carries the access key out of
// azcore's KeyCredentialPolicy in keyReader. It is set on a request that is
// never sent.
const keyHeader = "X-Webpubsub-Internal-Key"

// keyReader reads the current value of an azcore.KeyCredential. azcore keeps
// the key private and exposes it only through runtime.KeyCredentialPolicy, so
// keyReader runs that one policy on a request that is never sent and reads
// the header it adds. Reading the key on every use is what makes
// KeyCredential.Update take effect without rebuilding the client.
type keyReader struct {
	policy *runtime.KeyCredentialPolicy
	// reqs recycles the requests the policy runs on; building one costs more
	// than reading the key.
	reqs sync.Pool
}

func newKeyReader(cred *azcore.KeyCredential) *keyReader {
	return &keyReader{policy: runtime.NewKeyCredentialPolicy(cred, keyHeader, nil)}
}

// get returns the credential's current key.
func (k *keyReader) get() (string, error) {
	req, _ := k.reqs.Get().(*policy.Request)
	if req == nil {
		var err error
		req, err = runtime.NewRequest(context.Background(), http.MethodGet, "https://key.invalid/")
		if err != nil {
			return "", err
		}
	}
	h := req.Raw().Header
	// The policy adds the header and then hands the request to the next
	// policy; there is none, so it returns an error that only says so.
	_, err := k.policy.Do(req)
	vals := h[keyHeader]
	if len(vals) == 0 {
		k.reqs.Put(req)
		if err == nil {
			err = errors.New("the key credential added no key")
		}
		return "", fmt.Errorf("webpubsub: reading the access key: %w", err)
	}
	key := vals[0]
	// Keep the emptied slice: the next Add reuses it instead of allocating.
	h[keyHeader] = vals[:0]
	k.reqs.Put(req)
	if key == "" {
		return "", errors.New("webpubsub: the access key is empty")
	}
	return key, nil
}

// keyAuthPolicy adds "Authorization: Bearer <HS256 JWT>" to every try of a
// request. The token's aud is the request URL (query included) as seen by the
// service: when requests go through a reverse proxy, the proxy's scheme and
// host are replaced with the service endpoint's.
type keyAuthPolicy struct {
	key      *keyReader
	endpoint string // service endpoint: scheme://host[:port]
	now      func() time.Time
	cache    requestTokenCache
}

func (p *keyAuthPolicy) Do(req *policy.Request) (*http.Response, error) {
	key, err := p.key.get()
	if err != nil {
		return nil, nonRetriable{err}
	}
	// Request URLs are always the request base (which has no path) plus the
	// operation's path and query, so the audience is the same URL on the
	// service endpoint. The endpoint is fixed, so the cache is keyed by the
	// request URI alone.
	uri := req.Raw().URL.RequestURI()
	now := p.now()
	header, ok := p.cache.get(uri, key, now)
	if !ok {
		exp := now.Add(requestTokenLifetime)
		tok, err := auth.Sign(key, &auth.Claims{Audience: p.endpoint + uri, ExpiresAt: exp.Unix()})
		if err != nil {
			return nil, nonRetriable{fmt.Errorf("webpubsub: signing the request token: %w", err)}
		}
		header = "Bearer " + tok
		p.cache.put(uri, key, header, time.Unix(exp.Unix(), 0))
	}
	req.Raw().Header.Set("Authorization", header)
	return req.Next()
}

// nonRetriable marks an error that azcore's retry policy must not retry (it
// implements azcore's errorinfo.NonRetriable interface).
type nonRetriable struct{ err error }

func (e nonRetriable) Error() string { return e.err.Error() }
func (e nonRetriable) Unwrap() error { return e.err }

// NonRetriable tells azcore's retry policy not to retry.
func (nonRetriable) NonRetriable() {}
