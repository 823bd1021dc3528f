package webpubsub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// GroupClient works on one group of the hub. Get one with ServiceClient.Group.
// The group name is validated by every method before any request is made.
type GroupClient struct {
	c       *ServiceClient
	name    string
	path    string // "/api/hubs/<hub>/groups/<group>"
	nameErr error
}

// Group returns a client for the named group. It is cheap; the name is checked
// (1 to 1024 characters, not blank, no line breaks) when a method is called.
func (c *ServiceClient) Group(name string) *GroupClient {
	return &GroupClient{c: c, name: name, path: c.hubPath + "/groups/" + pathSegment(name), nameErr: validateGroup(name)}
}

// Name returns the group name.
func (g *GroupClient) Name() string { return g.name }

// SendToAll sends msg to every connection in the group, except those
// excluded or not matched by the filter.
func (g *GroupClient) SendToAll(ctx context.Context, msg Message, options *GroupSendToAllOptions) error {
	if g.nameErr != nil {
		return g.nameErr
	}
	var o GroupSendToAllOptions
	if options != nil {
		o = *options
	}
	return g.c.sendMessage(ctx, "GroupClient.SendToAll", g.path+"/:send", msg, o.Filter, o.Excluded, o.MessageTTLSeconds)
}

// AddConnection adds a connection to the group.
func (g *GroupClient) AddConnection(ctx context.Context, connectionID string, options *AddConnectionToGroupOptions) error {
	if g.nameErr != nil {
		return g.nameErr
	}
	if err := validateConnectionID(connectionID); err != nil {
		return err
	}
	return g.c.exec(ctx, &restRequest{op: "GroupClient.AddConnection", method: http.MethodPut,
		path: g.path + "/connections/" + pathSegment(connectionID), success: []int{http.StatusOK}})
}

// RemoveConnection removes a connection from the group.
func (g *GroupClient) RemoveConnection(ctx context.Context, connectionID string, options *RemoveConnectionFromGroupOptions) error {
	if g.nameErr != nil {
		return g.nameErr
	}
	if err := validateConnectionID(connectionID); err != nil {
		return err
	}
	return g.c.exec(ctx, &restRequest{op: "GroupClient.RemoveConnection", method: http.MethodDelete,
		path: g.path + "/connections/" + pathSegment(connectionID), success: []int{http.StatusNoContent}})
}

// AddUser adds every connection of the user (including later ones) to the
// group.
func (g *GroupClient) AddUser(ctx context.Context, userID string, options *AddUserToGroupOptions) error {
	if g.nameErr != nil {
		return g.nameErr
	}
	if err := validateUserID(userID); err != nil {
		return err
	}
	return g.c.exec(ctx, &restRequest{op: "GroupClient.AddUser", method: http.MethodPut,
		path: g.c.hubPath + "/users/" + pathSegment(userID) + "/groups/" + pathSegment(g.name), success: []int{http.StatusOK}})
}

// RemoveUser removes the user's connections from the group.
func (g *GroupClient) RemoveUser(ctx context.Context, userID string, options *RemoveUserFromGroupOptions) error {
	if g.nameErr != nil {
		return g.nameErr
	}
	if err := validateUserID(userID); err != nil {
		return err
	}
	return g.c.exec(ctx, &restRequest{op: "GroupClient.RemoveUser", method: http.MethodDelete,
		path: g.c.hubPath + "/users/" + pathSegment(userID) + "/groups/" + pathSegment(g.name), success: []int{http.StatusNoContent}})
}

// CloseAllConnections closes every connection in the group except the
// excluded ones.
func (g *GroupClient) CloseAllConnections(ctx context.Context, options *GroupCloseAllConnectionsOptions) error {
	if g.nameErr != nil {
		return g.nameErr
	}
	var o GroupCloseAllConnectionsOptions
	if options != nil {
		o = *options
	}
	q, err := closeQuery(o.Excluded, o.Reason)
	if err != nil {
		return err
	}
	return g.c.exec(ctx, &restRequest{op: "GroupClient.CloseAllConnections", method: http.MethodPost,
		path: g.path + "/:closeConnections", query: q, success: []int{http.StatusNoContent}})
}

// Exists reports whether the group has at least one connection.
func (g *GroupClient) Exists(ctx context.Context, options *GroupExistsOptions) (bool, error) {
	if g.nameErr != nil {
		return false, g.nameErr
	}
	return g.c.exists(ctx, "GroupClient.Exists", g.path, nil)
}

// GroupMember is a connection in a group.
type GroupMember struct {
	// ConnectionID is the connection's id.
	ConnectionID string `json:"connectionId"`
	// UserID is the connection's user id, empty for anonymous connections.
	UserID string `json:"userId,omitempty"`
}

// ListConnectionsResponse is one page of GroupClient.ListConnections.
type ListConnectionsResponse struct {
	// Value holds the members on this page.
	Value []GroupMember `json:"value"`
	// NextLink is the URL of the next page, empty on the last page.
	NextLink string `json:"nextLink,omitempty"`
}

// ListConnections returns a pager over the connections in the group. Pages
// follow the service's nextLink (through the client's request endpoint).
func (g *GroupClient) ListConnections(options *ListConnectionsOptions) *runtime.Pager[ListConnectionsResponse] {
	var o ListConnectionsOptions
	if options != nil {
		o = *options
	}
	return runtime.NewPager(runtime.PagingHandler[ListConnectionsResponse]{
		More: func(page ListConnectionsResponse) bool { return page.NextLink != "" },
		Fetcher: func(ctx context.Context, page *ListConnectionsResponse) (ListConnectionsResponse, error) {
			if page == nil {
				if g.nameErr != nil {
					return ListConnectionsResponse{}, g.nameErr
				}
				if o.MaxPageSize < 0 || o.MaxPageSize > 200 {
					return ListConnectionsResponse{}, fmt.Errorf("webpubsub: MaxPageSize %d is out of range: must be 0 (service default) to 200", o.MaxPageSize)
				}
				if o.Top < 0 || o.Top > math.MaxInt32 {
					return ListConnectionsResponse{}, fmt.Errorf("webpubsub: Top %d is out of range: must be 0 (all) to %d", o.Top, math.MaxInt32)
				}
				q := url.Values{}
				if o.MaxPageSize > 0 {
					q.Set("maxpagesize", strconv.Itoa(o.MaxPageSize))
				}
				if o.Top > 0 {
					q.Set("top", strconv.Itoa(o.Top))
				}
				return g.listPage(ctx, g.path+"/connections", q)
			}
			path, q, err := g.nextLink(page.NextLink)
			if err != nil {
				return ListConnectionsResponse{}, err
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

func (g *GroupClient) listPage(ctx context.Context, path string, q url.Values) (ListConnectionsResponse, error) {
	resp, err := g.c.do(ctx, &restRequest{op: "GroupClient.ListConnections", method: http.MethodGet, path: path, query: q,
		success: []int{http.StatusOK}})
	if err != nil {
		return ListConnectionsResponse{}, err
	}
	var page ListConnectionsResponse
	if err := runtime.UnmarshalAsJSON(resp, &page); err != nil {
		return ListConnectionsResponse{}, fmt.Errorf("webpubsub: decoding the group member page: %w", err)
	}
	return page, nil
}

// groupsRequest is the JSON body of :addToGroups and :removeFromGroups.
type groupsRequest struct {
	Groups []string `json:"groups"`
	Filter string   `json:"filter,omitempty"`
}

// AddConnectionsToGroups adds the connections matched by filter (an OData
// filter, see Filter; empty matches every connection of the hub) to each of
// groups.
func (c *ServiceClient) AddConnectionsToGroups(ctx context.Context, groups []string, filter string, options *AddConnectionsToGroupsOptions) error {
	return c.groupsOp(ctx, "ServiceClient.AddConnectionsToGroups", "/:addToGroups", groups, filter)
}

// RemoveConnectionsFromGroups removes the connections matched by filter
// (empty matches every connection) from each of groups.
func (c *ServiceClient) RemoveConnectionsFromGroups(ctx context.Context, groups []string, filter string, options *RemoveConnectionsFromGroupsOptions) error {
	return c.groupsOp(ctx, "ServiceClient.RemoveConnectionsFromGroups", "/:removeFromGroups", groups, filter)
}

func (c *ServiceClient) groupsOp(ctx context.Context, op, suffix string, groups []string, filter string) error {
	if len(groups) == 0 {
		return errors.New("webpubsub: at least one group is required")
	}
	for _, g := range groups {
		if err := validateGroup(g); err != nil {
			return err
		}
	}
	body, err := json.Marshal(groupsRequest{Groups: groups, Filter: filter})
	if err != nil {
		return fmt.Errorf("webpubsub: encoding the request body: %w", err)
	}
	return c.exec(ctx, &restRequest{op: op, method: http.MethodPost, path: c.hubPath + suffix,
		contentType: contentTypeJSON, body: body, success: []int{http.StatusOK}})
}
