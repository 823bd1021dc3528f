// Package webpubsub is the service SDK of Azure Web PubSub: a ServiceClient
// that calls the data-plane REST API (api-version 2024-12-01) of one hub, and
// issues client access tokens.
//
// A client is built from a connection string, from an endpoint and an
// azcore.KeyCredential (whose key can be rotated with Update), or from an
// endpoint and a Microsoft Entra ID azcore.TokenCredential. Requests go through
// the azcore pipeline (retries, logging, tracing).
//
// The API has the shape of the Azure SDK for Go: every operation returns
// (XxxResponse, error), with a response struct even when it carries nothing
// yet; each method takes its own *<Client><Method>Options (nil means the
// defaults); listings are pagers (GroupClient.NewListConnectionsPager).
//
// Errors: arguments are checked before any request, and a bad one is a plain
// error; a status other than the operation's success status is an
// *azcore.ResponseError (ErrorCode holds the service's x-ms-error-code); an
// exists check answers false, not an error, when the service says 404.
// Transport errors and the context's error come back unchanged. Each method's
// doc names the errors it returns.
package webpubsub

import (
	"errors"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/tracing"

	"github.com/webpubsub-go/webpubsub/internal/names"
)

// ServiceClient calls the Web PubSub REST API for one hub. It is safe for
// concurrent use.
type ServiceClient struct {
	endpoint    string // service endpoint: scheme://host[:port]
	requestBase string // where requests go: endpoint or reverse proxy
	hub         string
	hubPath     string // "/api/hubs/<escaped hub>"
	pl          runtime.Pipeline
	tracer      tracing.Tracer
	key         *keyReader // nil with Entra ID
	signingKey  signingKeyCache
	now         func() time.Time
	clientURLs  [3]clientURL // per ClientProtocol
}

// clientURL is where clients of one protocol connect.
type clientURL struct {
	audience string // http(s) URL: the aud of locally signed tokens
	base     string // ws(s) URL: ClientAccessToken.BaseURL
	prefix   string // base + "?access_token="
}

// NewServiceClientFromConnectionString returns a client for hub using the
// endpoint and access key of connectionString (see ParseConnectionString).
func NewServiceClientFromConnectionString(connectionString, hub string, options *ClientOptions) (*ServiceClient, error) {
	cs, err := ParseConnectionString(connectionString)
	if err != nil {
		return nil, err
	}
	return NewServiceClientWithKey(cs.Endpoint, azcore.NewKeyCredential(cs.AccessKey), hub, options)
}

// NewServiceClientWithKey returns a client for hub that signs every request
// with key. The key is read for every request and token, so key.Update
// rotates it without rebuilding the client.
func NewServiceClientWithKey(endpoint string, key *azcore.KeyCredential, hub string, options *ClientOptions) (*ServiceClient, error) {
	if key == nil {
		return nil, errors.New("webpubsub: key credential must not be nil")
	}
	c, err := newClient(endpoint, hub, options)
	if err != nil {
		return nil, err
	}
	c.key = newKeyReader(key)
	if _, err := c.key.get(); err != nil {
		return nil, err
	}
	auth := &keyAuthPolicy{key: c.key, endpoint: c.endpoint, now: func() time.Time { return c.now() }}
	if err := c.setAzClient(auth, options); err != nil {
		return nil, err
	}
	return c, nil
}

// NewServiceClient returns a client for hub that authenticates with a
// Microsoft Entra ID credential (scope EntraIDScope). GetClientAccessToken
// then asks the service to issue tokens. As in every azcore client, bearer
// tokens are only sent over https.
func NewServiceClient(endpoint string, cred azcore.TokenCredential, hub string, options *ClientOptions) (*ServiceClient, error) {
	if cred == nil {
		return nil, errors.New("webpubsub: token credential must not be nil")
	}
	c, err := newClient(endpoint, hub, options)
	if err != nil {
		return nil, err
	}
	if err := c.setAzClient(runtime.NewBearerTokenPolicy(cred, []string{EntraIDScope}, nil), options); err != nil {
		return nil, err
	}
	return c, nil
}

// setAzClient builds the pipeline and tracer of c.
func (c *ServiceClient) setAzClient(authPolicy policy.Policy, options *ClientOptions) error {
	az, err := newAzClient(authPolicy, options)
	if err != nil {
		return fmt.Errorf("webpubsub: %w", err)
	}
	c.pl = az.Pipeline()
	c.tracer = az.Tracer()
	return nil
}

func newClient(endpoint, hub string, options *ClientOptions) (*ServiceClient, error) {
	if err := names.ValidateHub(hub); err != nil {
		return nil, fmt.Errorf("webpubsub: %w", err)
	}
	u, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, fmt.Errorf("webpubsub: endpoint %w", err)
	}
	c := &ServiceClient{
		endpoint: u.Scheme + "://" + u.Host,
		hub:      hub,
		hubPath:  "/api/hubs/" + pathSegment(hub),
		now:      time.Now,
	}
	hubSeg := pathSegment(hub)
	for i, path := range [3]string{"/client/hubs/" + hubSeg, "/clients/mqtt/hubs/" + hubSeg, "/clients/socketio/hubs/" + hubSeg} {
		base := wsScheme(c.endpoint) + path
		c.clientURLs[i] = clientURL{audience: c.endpoint + path, base: base, prefix: base + "?access_token="}
	}
	c.requestBase = c.endpoint
	if options != nil && options.ReverseProxyEndpoint != "" {
		p, err := parseEndpoint(options.ReverseProxyEndpoint)
		if err != nil {
			return nil, fmt.Errorf("webpubsub: ReverseProxyEndpoint %w", err)
		}
		c.requestBase = p.Scheme + "://" + p.Host
	}
	return c, nil
}

// loggedQueryParams are the query parameters azcore logs (and puts in span
// attributes) with their values by default: none of them identifies a user,
// a connection or a group (azcore adds api-version itself). The others
// (userId, filter, group, role, excluded, reason, targetName,
// continuationToken) are logged as REDACTED unless the application allows
// them in ClientOptions.Logging.AllowedQueryParams.
var loggedQueryParams = []string{"messageTtlSeconds", "maxpagesize", "top", "clientType", "minutesToExpire"}

// tracingNamespace is the az.namespace attribute of the client's spans, as in
// Azure's own Web PubSub SDKs.
const tracingNamespace = "Microsoft.SignalRService"

// newAzClient builds the azcore client: the pipeline (telemetry, retries,
// authPolicy on every try, logging, HTTP spans) and the tracer of the
// method spans, which carries az.namespace.
func newAzClient(authPolicy policy.Policy, options *ClientOptions) (*azcore.Client, error) {
	var co azcore.ClientOptions
	if options != nil {
		co = options.ClientOptions
	}
	return azcore.NewClient(moduleName, moduleVersion, runtime.PipelineOptions{
		AllowedQueryParameters: loggedQueryParams,
		APIVersion:             runtime.APIVersionOptions{Name: "api-version", Location: runtime.APIVersionLocationQueryParam},
		PerRetry:               []policy.Policy{authPolicy, inMemoryBodyPolicy{}},
		Tracing:                runtime.TracingOptions{Namespace: tracingNamespace},
	}, &co)
}
