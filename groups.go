package webpubsub

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// GroupClient works on one group of the hub. Get one with
// ServiceClient.NewGroupClient. The group name is validated by every method
// before any request is made. A zero GroupClient is not usable: its methods
// return an error saying so.
type GroupClient struct {
	c       *ServiceClient
	name    string
	path    string // "/api/hubs/<hub>/groups/<group>"
	nameErr error
}

// errZeroGroupClient is returned by the methods of a zero GroupClient.
var errZeroGroupClient = errors.New("webpubsub: the GroupClient was not created with ServiceClient.NewGroupClient")

// NewGroupClient returns a client for the named group, sharing c's pipeline.
// It is cheap and makes no request; the name is checked (1 to 1024
// characters, not blank, no line breaks) when a method is called. The name
// follows the Azure SDK for Go's sub-clients (azblob's NewContainerClient,
// azcosmos's NewDatabase): New<Sub>Client builds a client, and never does I/O.
func (c *ServiceClient) NewGroupClient(name string) *GroupClient {
	return &GroupClient{c: c, name: name, path: c.hubPath + "/groups/" + pathSegment(name), nameErr: validateGroup(name)}
}

// check returns why g cannot make a request: a zero GroupClient, or an
// invalid group name.
func (g *GroupClient) check() error {
	if g.c == nil {
		return errZeroGroupClient
	}
	return g.nameErr
}

// Name returns the group name.
func (g *GroupClient) Name() string { return g.name }

// groupPath is the REST path of a group.
func (c *ServiceClient) groupPath(group string) string {
	return c.hubPath + "/groups/" + pathSegment(group)
}

// SendToAll sends msg to every connection in the group, except those
// excluded or not matched by the filter. A bad argument (an invalid group
// name, a Message holding an error, a TTL outside 0-300, an empty excluded
// id) is a plain error and sends nothing; a service error is an
// *azcore.ResponseError.
func (g *GroupClient) SendToAll(ctx context.Context, msg Message, options *GroupClientSendToAllOptions) (GroupClientSendToAllResponse, error) {
	if err := g.check(); err != nil {
		return GroupClientSendToAllResponse{}, err
	}
	var o GroupClientSendToAllOptions
	if options != nil {
		o = *options
	}
	err := g.c.sendMessage(ctx, "GroupClient.SendToAll", g.path+"/:send", msg, o.Filter, o.Excluded, o.MessageTTLSeconds)
	return GroupClientSendToAllResponse{}, err
}

// AddConnection adds a connection to the group. An invalid group name or
// empty connectionID is a plain error and sends nothing; a service error is
// an *azcore.ResponseError.
func (g *GroupClient) AddConnection(ctx context.Context, connectionID string, options *GroupClientAddConnectionOptions) (GroupClientAddConnectionResponse, error) {
	err := g.connectionOp(ctx, "GroupClient.AddConnection", http.MethodPut, http.StatusOK, connectionID)
	return GroupClientAddConnectionResponse{}, err
}

// RemoveConnection removes a connection from the group. An invalid group
// name or empty connectionID is a plain error and sends nothing; a service
// error is an *azcore.ResponseError.
func (g *GroupClient) RemoveConnection(ctx context.Context, connectionID string, options *GroupClientRemoveConnectionOptions) (GroupClientRemoveConnectionResponse, error) {
	err := g.connectionOp(ctx, "GroupClient.RemoveConnection", http.MethodDelete, http.StatusNoContent, connectionID)
	return GroupClientRemoveConnectionResponse{}, err
}

func (g *GroupClient) connectionOp(ctx context.Context, op, method string, success int, connectionID string) error {
	if err := g.check(); err != nil {
		return err
	}
	if err := validateConnectionID(connectionID); err != nil {
		return err
	}
	return g.c.exec(ctx, &restRequest{op: op, method: method,
		path: g.path + "/connections/" + pathSegment(connectionID), success: []int{success}})
}

// AddUser adds every connection of the user (including later ones) to the
// group. An invalid group name or empty userID is a plain error and sends
// nothing; a service error is an *azcore.ResponseError.
func (g *GroupClient) AddUser(ctx context.Context, userID string, options *GroupClientAddUserOptions) (GroupClientAddUserResponse, error) {
	if err := g.check(); err != nil {
		return GroupClientAddUserResponse{}, err
	}
	err := g.c.userGroupOp(ctx, "GroupClient.AddUser", http.MethodPut, http.StatusOK, userID, g.name)
	return GroupClientAddUserResponse{}, err
}

// RemoveUser removes the user's connections from the group. An invalid group
// name or empty userID is a plain error and sends nothing; a service error
// is an *azcore.ResponseError.
func (g *GroupClient) RemoveUser(ctx context.Context, userID string, options *GroupClientRemoveUserOptions) (GroupClientRemoveUserResponse, error) {
	if err := g.check(); err != nil {
		return GroupClientRemoveUserResponse{}, err
	}
	err := g.c.userGroupOp(ctx, "GroupClient.RemoveUser", http.MethodDelete, http.StatusNoContent, userID, g.name)
	return GroupClientRemoveUserResponse{}, err
}

// CloseAllConnections closes every connection in the group except the
// excluded ones. An invalid group name or empty excluded id is a plain error
// and sends nothing; a service error is an *azcore.ResponseError.
func (g *GroupClient) CloseAllConnections(ctx context.Context, options *GroupClientCloseAllConnectionsOptions) (GroupClientCloseAllConnectionsResponse, error) {
	if err := g.check(); err != nil {
		return GroupClientCloseAllConnectionsResponse{}, err
	}
	var o GroupClientCloseAllConnectionsOptions
	if options != nil {
		o = *options
	}
	q, err := closeQuery(o.Excluded, o.Reason)
	if err != nil {
		return GroupClientCloseAllConnectionsResponse{}, err
	}
	err = g.c.exec(ctx, &restRequest{op: "GroupClient.CloseAllConnections", method: http.MethodPost,
		path: g.path + "/:closeConnections", query: q, success: []int{http.StatusNoContent}})
	return GroupClientCloseAllConnectionsResponse{}, err
}

// Exists reports whether the group has at least one connection (the
// service's 404 is Exists false, not an error). An invalid group name is a
// plain error and sends nothing; any other service error is an
// *azcore.ResponseError.
func (g *GroupClient) Exists(ctx context.Context, options *GroupClientExistsOptions) (GroupClientExistsResponse, error) {
	if err := g.check(); err != nil {
		return GroupClientExistsResponse{}, err
	}
	ok, err := g.c.exists(ctx, "GroupClient.Exists", g.path, nil)
	return GroupClientExistsResponse{Exists: ok}, err
}

// listConnectionsSpan is the span name of every page of
// GroupClient.NewListConnectionsPager.
const listConnectionsSpan = "GroupClient.NewListConnectionsPager"

// NewListConnectionsPager returns a pager over the connections in the group,
// one page per request. Pages follow the service's nextLink, always sent to
// the client's own request endpoint (a nextLink naming another hub or group
// is an error), so the request token never goes to another host.
//
// To resume a listing later, keep the ContinuationToken of the last page
// received and pass it in options.ContinuationToken to a new pager.
//
// NextPage returns a plain error for bad options (MaxPageSize outside 0-200,
// Top outside 0-2147483647, an invalid group name) or a malformed nextLink,
// and an *azcore.ResponseError when the service fails.
func (g *GroupClient) NewListConnectionsPager(options *GroupClientListConnectionsOptions) *runtime.Pager[GroupClientListConnectionsResponse] {
	var o GroupClientListConnectionsOptions
	if options != nil {
		o = *options
	}
	return runtime.NewPager(runtime.PagingHandler[GroupClientListConnectionsResponse]{
		// No paging Tracer: azcore would name each page's span "Pager.NextPage".
		// Each page's request makes its own span named after this method
		// instead (see listPage).
		More: func(page GroupClientListConnectionsResponse) bool { return page.NextLink != "" },
		Fetcher: func(ctx context.Context, page *GroupClientListConnectionsResponse) (GroupClientListConnectionsResponse, error) {
			if page == nil {
				if err := g.check(); err != nil {
					return GroupClientListConnectionsResponse{}, err
				}
				if o.MaxPageSize < 0 || o.MaxPageSize > 200 {
					return GroupClientListConnectionsResponse{}, fmt.Errorf("webpubsub: MaxPageSize %d is out of range: must be 0 (service default) to 200", o.MaxPageSize)
				}
				if o.Top < 0 || o.Top > math.MaxInt32 {
					return GroupClientListConnectionsResponse{}, fmt.Errorf("webpubsub: Top %d is out of range: must be 0 (all) to %d", o.Top, math.MaxInt32)
				}
				q := url.Values{}
				if o.MaxPageSize > 0 {
					q.Set("maxpagesize", strconv.Itoa(o.MaxPageSize))
				}
				if o.Top > 0 {
					q.Set("top", strconv.Itoa(o.Top))
				}
				if o.ContinuationToken != "" {
					q.Set("continuationToken", o.ContinuationToken)
				}
				return g.listPage(ctx, g.path+"/connections", q)
			}
			path, q, err := g.nextLink(page.NextLink)
			if err != nil {
				return GroupClientListConnectionsResponse{}, err
			}
			return g.listPage(ctx, path, q)
		},
	})
}

// nextLink turns the service's nextLink into a path and query on the
// client's request endpoint, so that the token never goes to another host.
func (g *GroupClient) nextLink(link string) (string, url.Values, error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", nil, fmt.Errorf("webpubsub: the service returned an invalid nextLink: %w", err)
	}
	// Hub names are case-insensitive to the service, group names are not.
	// Only the query is used: the next page is always requested on g.path.
	rest, ok := strings.CutPrefix(u.Path, "/api/hubs/")
	hub, rest, _ := strings.Cut(rest, "/")
	if !ok || !strings.EqualFold(hub, g.c.hub) || rest != "groups/"+g.name+"/connections" {
		return "", nil, errors.New("webpubsub: the service returned a nextLink for another resource")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", nil, fmt.Errorf("webpubsub: the service returned a nextLink with an invalid query: %w", err)
	}
	q.Del("api-version")
	return g.path + "/connections", q, nil
}

func (g *GroupClient) listPage(ctx context.Context, path string, q url.Values) (GroupClientListConnectionsResponse, error) {
	resp, err := g.c.do(ctx, &restRequest{op: listConnectionsSpan, method: http.MethodGet, path: path, query: q,
		success: []int{http.StatusOK}})
	if err != nil {
		return GroupClientListConnectionsResponse{}, err
	}
	var page GroupClientListConnectionsResponse
	if err := runtime.UnmarshalAsJSON(resp, &page); err != nil {
		return GroupClientListConnectionsResponse{}, fmt.Errorf("webpubsub: decoding the group member page: %w", err)
	}
	if page.NextLink != "" {
		if u, err := url.Parse(page.NextLink); err == nil {
			page.ContinuationToken = u.Query().Get("continuationToken")
		}
	}
	return page, nil
}
