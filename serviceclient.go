// Package webpubsub is the service SDK of Azure Web PubSub: a ServiceClient
// that calls the data-plane REST API (api-version 2024-12-01) of one hub, and
// issues client access tokens.
//
// A client is built from a connection string, from an endpoint and an
// azcore.KeyCredential (whose key can be rotated with Update), or from an
// endpoint and a Microsoft Entra ID azcore.TokenCredential. Requests go through
// the azcore pipeline (retries, logging, tracing); service errors come back as
// *azcore.ResponseError.
package webpubsub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/tracing"

	"github.com/webpubsub-go/webpubsub/internal/names"
)

const (
	moduleName    = "webpubsub"
	moduleVersion = "v0.1.0"
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
	now         func() time.Time
	clientURLs  [3]clientURL // per ClientProtocol
}

// clientURL is where clients of one protocol connect.
type clientURL struct {
	audience string // http(s) URL: the aud of locally signed tokens
	base     string // ws(s) URL: ClientAccessToken.BaseURL
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
	c.pl = newPipeline(auth, options)
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
	c.pl = newPipeline(runtime.NewBearerTokenPolicy(cred, []string{EntraIDScope}, nil), options)
	return c, nil
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
		c.clientURLs[i] = clientURL{audience: c.endpoint + path, base: wsScheme(c.endpoint) + path}
	}
	c.requestBase = c.endpoint
	if options != nil && options.ReverseProxyEndpoint != "" {
		p, err := parseEndpoint(options.ReverseProxyEndpoint)
		if err != nil {
			return nil, fmt.Errorf("webpubsub: ReverseProxyEndpoint %w", err)
		}
		c.requestBase = p.Scheme + "://" + p.Host
	}
	if options != nil {
		c.tracer = options.TracingProvider.NewTracer(moduleName, moduleVersion)
	}
	return c, nil
}

// loggedQueryParams are the query parameters azcore may log unredacted; none
// of them holds a secret (api-version is allowed by azcore itself).
var loggedQueryParams = []string{"excluded", "filter", "messageTtlSeconds", "reason", "targetName",
	"userId", "role", "group", "minutesToExpire", "clientType", "maxpagesize", "top"}

func newPipeline(authPolicy policy.Policy, options *ClientOptions) runtime.Pipeline {
	var co policy.ClientOptions
	if options != nil {
		co = options.ClientOptions
	}
	return runtime.NewPipeline(moduleName, moduleVersion, runtime.PipelineOptions{
		AllowedQueryParameters: loggedQueryParams,
		APIVersion:             runtime.APIVersionOptions{Name: "api-version", Location: runtime.APIVersionLocationQueryParam},
		PerRetry:               []policy.Policy{authPolicy, inMemoryBodyPolicy{}},
		Tracing:                runtime.TracingOptions{Namespace: "Microsoft.SignalRService"},
	}, &co)
}

// Hub returns the hub the client works on.
func (c *ServiceClient) Hub() string { return c.hub }

// Endpoint returns the service endpoint (scheme, host and port).
func (c *ServiceClient) Endpoint() string { return c.endpoint }

// HealthCheck asks the service whether it is healthy (HEAD /api/health) and
// returns nil when it answers 200.
func (c *ServiceClient) HealthCheck(ctx context.Context, options *HealthCheckOptions) error {
	return c.exec(ctx, &restRequest{op: "ServiceClient.HealthCheck", method: http.MethodHead, path: "/api/health",
		success: []int{http.StatusOK}})
}

// SendToAll sends msg to every connection of the hub, except those excluded
// or not matched by the filter.
func (c *ServiceClient) SendToAll(ctx context.Context, msg Message, options *SendToAllOptions) error {
	var o SendToAllOptions
	if options != nil {
		o = *options
	}
	return c.sendMessage(ctx, "ServiceClient.SendToAll", c.hubPath+"/:send", msg, o.Filter, o.Excluded, o.MessageTTLSeconds)
}

// SendToUser sends msg to every connection of userID (optionally filtered).
func (c *ServiceClient) SendToUser(ctx context.Context, userID string, msg Message, options *SendToUserOptions) error {
	if err := validateUserID(userID); err != nil {
		return err
	}
	var o SendToUserOptions
	if options != nil {
		o = *options
	}
	return c.sendMessage(ctx, "ServiceClient.SendToUser", c.hubPath+"/users/"+pathSegment(userID)+"/:send", msg, o.Filter, nil, o.MessageTTLSeconds)
}

// SendToConnection sends msg to one connection.
func (c *ServiceClient) SendToConnection(ctx context.Context, connectionID string, msg Message, options *SendToConnectionOptions) error {
	if err := validateConnectionID(connectionID); err != nil {
		return err
	}
	var ttl int
	if options != nil {
		ttl = options.MessageTTLSeconds
	}
	return c.sendMessage(ctx, "ServiceClient.SendToConnection", c.hubPath+"/connections/"+pathSegment(connectionID)+"/:send", msg, "", nil, ttl)
}

// sendMessage validates and posts a message to path (a ":send" endpoint).
func (c *ServiceClient) sendMessage(ctx context.Context, op, path string, msg Message, filter string, excluded []string, ttl int) error {
	if err := msg.Err(); err != nil {
		return err
	}
	if err := validateTTL(ttl); err != nil {
		return err
	}
	if err := validateExcluded(excluded); err != nil {
		return err
	}
	var q url.Values
	if filter != "" || len(excluded) > 0 || ttl > 0 {
		q = url.Values{}
		if filter != "" {
			q.Set("filter", filter)
		}
		if len(excluded) > 0 {
			q["excluded"] = excluded
		}
		if ttl > 0 {
			q.Set("messageTtlSeconds", fmt.Sprint(ttl))
		}
	}
	return c.exec(ctx, &restRequest{op: op, method: http.MethodPost, path: path, query: q,
		contentType: msg.ContentType(), body: msg.Body(), success: []int{http.StatusAccepted}})
}

// closeQuery returns the query of the close operations.
func closeQuery(excluded []string, reason string) (url.Values, error) {
	if err := validateExcluded(excluded); err != nil {
		return nil, err
	}
	q := url.Values{}
	if len(excluded) > 0 {
		q["excluded"] = excluded
	}
	if reason != "" {
		q.Set("reason", reason)
	}
	return q, nil
}

// CloseAllConnections closes every connection of the hub except the excluded
// ones.
func (c *ServiceClient) CloseAllConnections(ctx context.Context, options *CloseAllConnectionsOptions) error {
	var o CloseAllConnectionsOptions
	if options != nil {
		o = *options
	}
	q, err := closeQuery(o.Excluded, o.Reason)
	if err != nil {
		return err
	}
	return c.exec(ctx, &restRequest{op: "ServiceClient.CloseAllConnections", method: http.MethodPost,
		path: c.hubPath + "/:closeConnections", query: q, success: []int{http.StatusNoContent}})
}

// CloseUserConnections closes every connection of userID except the excluded
// ones.
func (c *ServiceClient) CloseUserConnections(ctx context.Context, userID string, options *CloseUserConnectionsOptions) error {
	if err := validateUserID(userID); err != nil {
		return err
	}
	var o CloseUserConnectionsOptions
	if options != nil {
		o = *options
	}
	q, err := closeQuery(o.Excluded, o.Reason)
	if err != nil {
		return err
	}
	return c.exec(ctx, &restRequest{op: "ServiceClient.CloseUserConnections", method: http.MethodPost,
		path: c.hubPath + "/users/" + pathSegment(userID) + "/:closeConnections", query: q, success: []int{http.StatusNoContent}})
}

// CloseConnection closes one connection.
func (c *ServiceClient) CloseConnection(ctx context.Context, connectionID string, options *CloseConnectionOptions) error {
	if err := validateConnectionID(connectionID); err != nil {
		return err
	}
	q, _ := closeQuery(nil, "")
	if options != nil && options.Reason != "" {
		q.Set("reason", options.Reason)
	}
	return c.exec(ctx, &restRequest{op: "ServiceClient.CloseConnection", method: http.MethodDelete,
		path: c.hubPath + "/connections/" + pathSegment(connectionID), query: q, success: []int{http.StatusNoContent}})
}

// ConnectionExists reports whether the connection is connected to the hub.
func (c *ServiceClient) ConnectionExists(ctx context.Context, connectionID string, options *ConnectionExistsOptions) (bool, error) {
	if err := validateConnectionID(connectionID); err != nil {
		return false, err
	}
	return c.exists(ctx, "ServiceClient.ConnectionExists", c.hubPath+"/connections/"+pathSegment(connectionID), nil)
}

// UserExists reports whether the user has at least one connection.
func (c *ServiceClient) UserExists(ctx context.Context, userID string, options *UserExistsOptions) (bool, error) {
	if err := validateUserID(userID); err != nil {
		return false, err
	}
	return c.exists(ctx, "ServiceClient.UserExists", c.hubPath+"/users/"+pathSegment(userID), nil)
}

// GroupExists reports whether the group has at least one connection.
func (c *ServiceClient) GroupExists(ctx context.Context, group string, options *GroupExistsOptions) (bool, error) {
	return c.Group(group).Exists(ctx, options)
}

// RemoveConnectionFromAllGroups removes the connection from every group.
func (c *ServiceClient) RemoveConnectionFromAllGroups(ctx context.Context, connectionID string, options *RemoveConnectionFromAllGroupsOptions) error {
	if err := validateConnectionID(connectionID); err != nil {
		return err
	}
	return c.exec(ctx, &restRequest{op: "ServiceClient.RemoveConnectionFromAllGroups", method: http.MethodDelete,
		path: c.hubPath + "/connections/" + pathSegment(connectionID) + "/groups", success: []int{http.StatusNoContent}})
}

// RemoveUserFromAllGroups removes every connection of the user from every
// group.
func (c *ServiceClient) RemoveUserFromAllGroups(ctx context.Context, userID string, options *RemoveUserFromAllGroupsOptions) error {
	if err := validateUserID(userID); err != nil {
		return err
	}
	return c.exec(ctx, &restRequest{op: "ServiceClient.RemoveUserFromAllGroups", method: http.MethodDelete,
		path: c.hubPath + "/users/" + pathSegment(userID) + "/groups", success: []int{http.StatusNoContent}})
}

// AddUserToGroup adds every connection of the user (including later ones) to
// the group.
func (c *ServiceClient) AddUserToGroup(ctx context.Context, userID, group string, options *AddUserToGroupOptions) error {
	return c.Group(group).AddUser(ctx, userID, options)
}

// RemoveUserFromGroup removes the user's connections from the group.
func (c *ServiceClient) RemoveUserFromGroup(ctx context.Context, userID, group string, options *RemoveUserFromGroupOptions) error {
	return c.Group(group).RemoveUser(ctx, userID, options)
}
