package webpubsub

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Permission is a permission a connection can be granted.
type Permission string

const (
	// PermissionSendToGroup allows sending messages to a group.
	PermissionSendToGroup Permission = "sendToGroup"
	// PermissionJoinLeaveGroup allows joining and leaving a group.
	PermissionJoinLeaveGroup Permission = "joinLeaveGroup"
)

// permissionPath validates the arguments of a permission operation and
// returns its path and query.
func (c *ServiceClient) permissionPath(p Permission, connectionID, targetName string) (string, url.Values, error) {
	if p != PermissionSendToGroup && p != PermissionJoinLeaveGroup {
		return "", nil, fmt.Errorf("webpubsub: unknown permission %q: use PermissionSendToGroup or PermissionJoinLeaveGroup", truncateForError(string(p)))
	}
	if err := validateConnectionID(connectionID); err != nil {
		return "", nil, err
	}
	var q url.Values
	if targetName != "" {
		if err := validateGroup(targetName); err != nil {
			return "", nil, fmt.Errorf("webpubsub: TargetName: %w", err)
		}
		q = url.Values{"targetName": {targetName}}
	}
	return c.hubPath + "/permissions/" + string(p) + "/connections/" + pathSegment(connectionID), q, nil
}

// GrantPermission grants the connection a permission, on one group when
// TargetName is set and on every group otherwise.
func (c *ServiceClient) GrantPermission(ctx context.Context, p Permission, connectionID string, options *GrantPermissionOptions) error {
	var target string
	if options != nil {
		target = options.TargetName
	}
	return c.permissionOp(ctx, "ServiceClient.GrantPermission", http.MethodPut, http.StatusOK, p, connectionID, target)
}

// RevokePermission revokes a permission from the connection.
func (c *ServiceClient) RevokePermission(ctx context.Context, p Permission, connectionID string, options *RevokePermissionOptions) error {
	var target string
	if options != nil {
		target = options.TargetName
	}
	return c.permissionOp(ctx, "ServiceClient.RevokePermission", http.MethodDelete, http.StatusNoContent, p, connectionID, target)
}

// permissionOp sends a grant or revoke request.
func (c *ServiceClient) permissionOp(ctx context.Context, op, method string, success int, p Permission, connectionID, target string) error {
	path, q, err := c.permissionPath(p, connectionID, target)
	if err != nil {
		return err
	}
	return c.exec(ctx, &restRequest{op: op, method: method, path: path, query: q, success: []int{success}})
}

// HasPermission reports whether the connection has the permission (on the
// TargetName group when set). A 404 from the service means false.
func (c *ServiceClient) HasPermission(ctx context.Context, p Permission, connectionID string, options *HasPermissionOptions) (bool, error) {
	var target string
	if options != nil {
		target = options.TargetName
	}
	path, q, err := c.permissionPath(p, connectionID, target)
	if err != nil {
		return false, err
	}
	return c.exists(ctx, "ServiceClient.HasPermission", path, q)
}
