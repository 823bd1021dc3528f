package webpubsub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Hub returns the hub the client works on.
func (c *ServiceClient) Hub() string { return c.hub }

// Endpoint returns the service endpoint (scheme, host and port).
func (c *ServiceClient) Endpoint() string { return c.endpoint }

// HealthCheck asks the service whether it is healthy (HEAD /api/health). It
// returns no error when the service answers 200, an *azcore.ResponseError
// for any other status, and transport or context errors unchanged.
func (c *ServiceClient) HealthCheck(ctx context.Context, options *ServiceClientHealthCheckOptions) (ServiceClientHealthCheckResponse, error) {
	err := c.exec(ctx, &restRequest{op: "ServiceClient.HealthCheck", method: http.MethodHead, path: "/api/health",
		success: []int{http.StatusOK}})
	return ServiceClientHealthCheckResponse{}, err
}

// SendToAll sends msg to every connection of the hub, except those excluded
// or not matched by the filter. A bad argument (a Message holding an error,
// a TTL outside 0-300, an empty excluded id) is a plain error and sends
// nothing; a service error is an *azcore.ResponseError.
func (c *ServiceClient) SendToAll(ctx context.Context, msg Message, options *ServiceClientSendToAllOptions) (ServiceClientSendToAllResponse, error) {
	var o ServiceClientSendToAllOptions
	if options != nil {
		o = *options
	}
	err := c.sendMessage(ctx, "ServiceClient.SendToAll", c.hubPath+"/:send", msg, o.Filter, o.Excluded, o.MessageTTLSeconds)
	return ServiceClientSendToAllResponse{}, err
}

// SendToUser sends msg to every connection of userID (optionally filtered).
// A bad argument (empty userID, a Message holding an error, a TTL outside
// 0-300) is a plain error and sends nothing; a service error is an
// *azcore.ResponseError.
func (c *ServiceClient) SendToUser(ctx context.Context, userID string, msg Message, options *ServiceClientSendToUserOptions) (ServiceClientSendToUserResponse, error) {
	if err := validateUserID(userID); err != nil {
		return ServiceClientSendToUserResponse{}, err
	}
	var o ServiceClientSendToUserOptions
	if options != nil {
		o = *options
	}
	err := c.sendMessage(ctx, "ServiceClient.SendToUser", c.hubPath+"/users/"+pathSegment(userID)+"/:send", msg, o.Filter, nil, o.MessageTTLSeconds)
	return ServiceClientSendToUserResponse{}, err
}

// SendToConnection sends msg to one connection. A bad argument (empty
// connectionID, a Message holding an error, a TTL outside 0-300) is a plain
// error and sends nothing; a service error is an *azcore.ResponseError.
func (c *ServiceClient) SendToConnection(ctx context.Context, connectionID string, msg Message, options *ServiceClientSendToConnectionOptions) (ServiceClientSendToConnectionResponse, error) {
	if err := validateConnectionID(connectionID); err != nil {
		return ServiceClientSendToConnectionResponse{}, err
	}
	var ttl int
	if options != nil {
		ttl = options.MessageTTLSeconds
	}
	err := c.sendMessage(ctx, "ServiceClient.SendToConnection", c.hubPath+"/connections/"+pathSegment(connectionID)+"/:send", msg, "", nil, ttl)
	return ServiceClientSendToConnectionResponse{}, err
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
// ones. An empty excluded id is a plain error and sends nothing; a service
// error is an *azcore.ResponseError.
func (c *ServiceClient) CloseAllConnections(ctx context.Context, options *ServiceClientCloseAllConnectionsOptions) (ServiceClientCloseAllConnectionsResponse, error) {
	var o ServiceClientCloseAllConnectionsOptions
	if options != nil {
		o = *options
	}
	q, err := closeQuery(o.Excluded, o.Reason)
	if err != nil {
		return ServiceClientCloseAllConnectionsResponse{}, err
	}
	err = c.exec(ctx, &restRequest{op: "ServiceClient.CloseAllConnections", method: http.MethodPost,
		path: c.hubPath + "/:closeConnections", query: q, success: []int{http.StatusNoContent}})
	return ServiceClientCloseAllConnectionsResponse{}, err
}

// CloseUserConnections closes every connection of userID except the excluded
// ones. An empty userID or excluded id is a plain error and sends nothing; a
// service error is an *azcore.ResponseError.
func (c *ServiceClient) CloseUserConnections(ctx context.Context, userID string, options *ServiceClientCloseUserConnectionsOptions) (ServiceClientCloseUserConnectionsResponse, error) {
	if err := validateUserID(userID); err != nil {
		return ServiceClientCloseUserConnectionsResponse{}, err
	}
	var o ServiceClientCloseUserConnectionsOptions
	if options != nil {
		o = *options
	}
	q, err := closeQuery(o.Excluded, o.Reason)
	if err != nil {
		return ServiceClientCloseUserConnectionsResponse{}, err
	}
	err = c.exec(ctx, &restRequest{op: "ServiceClient.CloseUserConnections", method: http.MethodPost,
		path: c.hubPath + "/users/" + pathSegment(userID) + "/:closeConnections", query: q, success: []int{http.StatusNoContent}})
	return ServiceClientCloseUserConnectionsResponse{}, err
}

// CloseConnection closes one connection. An empty connectionID is a plain
// error and sends nothing; a service error is an *azcore.ResponseError.
func (c *ServiceClient) CloseConnection(ctx context.Context, connectionID string, options *ServiceClientCloseConnectionOptions) (ServiceClientCloseConnectionResponse, error) {
	if err := validateConnectionID(connectionID); err != nil {
		return ServiceClientCloseConnectionResponse{}, err
	}
	q, _ := closeQuery(nil, "")
	if options != nil && options.Reason != "" {
		q.Set("reason", options.Reason)
	}
	err := c.exec(ctx, &restRequest{op: "ServiceClient.CloseConnection", method: http.MethodDelete,
		path: c.hubPath + "/connections/" + pathSegment(connectionID), query: q, success: []int{http.StatusNoContent}})
	return ServiceClientCloseConnectionResponse{}, err
}

// ConnectionExists reports whether the connection is connected to the hub
// (the service's 404 is Exists false, not an error). An empty connectionID
// is a plain error and sends nothing; any other service error is an
// *azcore.ResponseError.
func (c *ServiceClient) ConnectionExists(ctx context.Context, connectionID string, options *ServiceClientConnectionExistsOptions) (ServiceClientConnectionExistsResponse, error) {
	if err := validateConnectionID(connectionID); err != nil {
		return ServiceClientConnectionExistsResponse{}, err
	}
	ok, err := c.exists(ctx, "ServiceClient.ConnectionExists", c.hubPath+"/connections/"+pathSegment(connectionID), nil)
	return ServiceClientConnectionExistsResponse{Exists: ok}, err
}

// UserExists reports whether the user has at least one connection (the
// service's 404 is Exists false, not an error). An empty userID is a plain
// error and sends nothing; any other service error is an
// *azcore.ResponseError.
func (c *ServiceClient) UserExists(ctx context.Context, userID string, options *ServiceClientUserExistsOptions) (ServiceClientUserExistsResponse, error) {
	if err := validateUserID(userID); err != nil {
		return ServiceClientUserExistsResponse{}, err
	}
	ok, err := c.exists(ctx, "ServiceClient.UserExists", c.hubPath+"/users/"+pathSegment(userID), nil)
	return ServiceClientUserExistsResponse{Exists: ok}, err
}

// GroupExists reports whether the group has at least one connection (the
// service's 404 is Exists false, not an error). An invalid group name is a
// plain error and sends nothing; any other service error is an
// *azcore.ResponseError.
func (c *ServiceClient) GroupExists(ctx context.Context, group string, options *ServiceClientGroupExistsOptions) (ServiceClientGroupExistsResponse, error) {
	if err := validateGroup(group); err != nil {
		return ServiceClientGroupExistsResponse{}, err
	}
	ok, err := c.exists(ctx, "ServiceClient.GroupExists", c.groupPath(group), nil)
	return ServiceClientGroupExistsResponse{Exists: ok}, err
}

// RemoveConnectionFromAllGroups removes the connection from every group. An
// empty connectionID is a plain error and sends nothing; a service error is
// an *azcore.ResponseError.
func (c *ServiceClient) RemoveConnectionFromAllGroups(ctx context.Context, connectionID string, options *ServiceClientRemoveConnectionFromAllGroupsOptions) (ServiceClientRemoveConnectionFromAllGroupsResponse, error) {
	if err := validateConnectionID(connectionID); err != nil {
		return ServiceClientRemoveConnectionFromAllGroupsResponse{}, err
	}
	err := c.exec(ctx, &restRequest{op: "ServiceClient.RemoveConnectionFromAllGroups", method: http.MethodDelete,
		path: c.hubPath + "/connections/" + pathSegment(connectionID) + "/groups", success: []int{http.StatusNoContent}})
	return ServiceClientRemoveConnectionFromAllGroupsResponse{}, err
}

// RemoveUserFromAllGroups removes every connection of the user from every
// group. An empty userID is a plain error and sends nothing; a service error
// is an *azcore.ResponseError.
func (c *ServiceClient) RemoveUserFromAllGroups(ctx context.Context, userID string, options *ServiceClientRemoveUserFromAllGroupsOptions) (ServiceClientRemoveUserFromAllGroupsResponse, error) {
	if err := validateUserID(userID); err != nil {
		return ServiceClientRemoveUserFromAllGroupsResponse{}, err
	}
	err := c.exec(ctx, &restRequest{op: "ServiceClient.RemoveUserFromAllGroups", method: http.MethodDelete,
		path: c.hubPath + "/users/" + pathSegment(userID) + "/groups", success: []int{http.StatusNoContent}})
	return ServiceClientRemoveUserFromAllGroupsResponse{}, err
}

// AddUserToGroup adds every connection of the user (including later ones) to
// the group. An empty userID or invalid group name is a plain error and sends
// nothing; a service error is an *azcore.ResponseError.
func (c *ServiceClient) AddUserToGroup(ctx context.Context, userID, group string, options *ServiceClientAddUserToGroupOptions) (ServiceClientAddUserToGroupResponse, error) {
	err := c.userGroupOp(ctx, "ServiceClient.AddUserToGroup", http.MethodPut, http.StatusOK, userID, group)
	return ServiceClientAddUserToGroupResponse{}, err
}

// RemoveUserFromGroup removes the user's connections from the group. An
// empty userID or invalid group name is a plain error and sends nothing; a
// service error is an *azcore.ResponseError.
func (c *ServiceClient) RemoveUserFromGroup(ctx context.Context, userID, group string, options *ServiceClientRemoveUserFromGroupOptions) (ServiceClientRemoveUserFromGroupResponse, error) {
	err := c.userGroupOp(ctx, "ServiceClient.RemoveUserFromGroup", http.MethodDelete, http.StatusNoContent, userID, group)
	return ServiceClientRemoveUserFromGroupResponse{}, err
}

// userGroupOp adds a user to or removes a user from a group.
func (c *ServiceClient) userGroupOp(ctx context.Context, op, method string, success int, userID, group string) error {
	if err := validateGroup(group); err != nil {
		return err
	}
	if err := validateUserID(userID); err != nil {
		return err
	}
	return c.exec(ctx, &restRequest{op: op, method: method,
		path: c.hubPath + "/users/" + pathSegment(userID) + "/groups/" + pathSegment(group), success: []int{success}})
}

// groupsRequest is the JSON body of :addToGroups and :removeFromGroups.
type groupsRequest struct {
	Groups []string `json:"groups"`
	Filter string   `json:"filter,omitempty"`
}

// AddConnectionsToGroups adds the connections matched by filter (an OData
// filter; build it with Filter) to each of groups. An empty filter would
// match every connection of the hub, so it is refused unless
// options.AllConnections is true.
//
// Bad arguments (no group, an invalid group name, an empty filter without
// AllConnections, a filter together with AllConnections) are plain errors and
// send nothing; a service error is an *azcore.ResponseError.
func (c *ServiceClient) AddConnectionsToGroups(ctx context.Context, groups []string, filter string, options *ServiceClientAddConnectionsToGroupsOptions) (ServiceClientAddConnectionsToGroupsResponse, error) {
	var all bool
	if options != nil {
		all = options.AllConnections
	}
	err := c.groupsOp(ctx, "ServiceClient.AddConnectionsToGroups", "/:addToGroups", groups, filter, all)
	return ServiceClientAddConnectionsToGroupsResponse{}, err
}

// RemoveConnectionsFromGroups removes the connections matched by filter (an
// OData filter; build it with Filter) from each of groups. An empty filter
// would match every connection of the hub, so it is refused unless
// options.AllConnections is true.
//
// Bad arguments (as for AddConnectionsToGroups) are plain errors and send
// nothing; a service error is an *azcore.ResponseError.
func (c *ServiceClient) RemoveConnectionsFromGroups(ctx context.Context, groups []string, filter string, options *ServiceClientRemoveConnectionsFromGroupsOptions) (ServiceClientRemoveConnectionsFromGroupsResponse, error) {
	var all bool
	if options != nil {
		all = options.AllConnections
	}
	err := c.groupsOp(ctx, "ServiceClient.RemoveConnectionsFromGroups", "/:removeFromGroups", groups, filter, all)
	return ServiceClientRemoveConnectionsFromGroupsResponse{}, err
}

// errEmptyFilter is returned by AddConnectionsToGroups and
// RemoveConnectionsFromGroups for an empty filter without AllConnections.
var errEmptyFilter = errors.New("webpubsub: the filter is empty, which would target every connection of the hub: " +
	"pass a filter, or set AllConnections in the options to target the whole hub on purpose")

func (c *ServiceClient) groupsOp(ctx context.Context, op, suffix string, groups []string, filter string, all bool) error {
	if len(groups) == 0 {
		return errors.New("webpubsub: at least one group is required")
	}
	for _, g := range groups {
		if err := validateGroup(g); err != nil {
			return err
		}
	}
	switch {
	case strings.TrimSpace(filter) == "" && !all:
		// A blank filter is as empty as "" (and the service would refuse it).
		return errEmptyFilter
	case filter != "" && all:
		return errors.New("webpubsub: AllConnections is set but so is a filter: clear one of them")
	}
	body, err := json.Marshal(groupsRequest{Groups: groups, Filter: filter})
	if err != nil {
		return fmt.Errorf("webpubsub: encoding the request body: %w", err)
	}
	return c.exec(ctx, &restRequest{op: op, method: http.MethodPost, path: c.hubPath + suffix,
		contentType: contentTypeJSON, body: body, success: []int{http.StatusOK}})
}
