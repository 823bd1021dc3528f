package webpubsub

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Permission is a permission a connection can be granted. Its values are the
// service's path segments; other values are refused before any request.
type Permission string

const (
	// PermissionSendToGroup allows sending messages to a group.
	PermissionSendToGroup Permission = "sendToGroup"
	// PermissionJoinLeaveGroup allows joining and leaving a group.
	PermissionJoinLeaveGroup Permission = "joinLeaveGroup"
)

// PossiblePermissionValues returns every Permission value the service knows.
func PossiblePermissionValues() []Permission {
	return []Permission{PermissionSendToGroup, PermissionJoinLeaveGroup}
}

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
// TargetName is set and on every group otherwise. A bad argument (an unknown
// permission, an empty connectionID, an invalid TargetName) is a plain error
// and sends nothing; a service error (such as 404 for an unknown connection)
// is an *azcore.ResponseError.
func (c *ServiceClient) GrantPermission(ctx context.Context, p Permission, connectionID string, options *ServiceClientGrantPermissionOptions) (ServiceClientGrantPermissionResponse, error) {
	var target string
	if options != nil {
		target = options.TargetName
	}
	err := c.permissionOp(ctx, "ServiceClient.GrantPermission", http.MethodPut, http.StatusOK, p, connectionID, target)
	return ServiceClientGrantPermissionResponse{}, err
}

// RevokePermission revokes a permission from the connection. Bad arguments
// (as for GrantPermission) are plain errors and send nothing; a service error
// is an *azcore.ResponseError.
func (c *ServiceClient) RevokePermission(ctx context.Context, p Permission, connectionID string, options *ServiceClientRevokePermissionOptions) (ServiceClientRevokePermissionResponse, error) {
	var target string
	if options != nil {
		target = options.TargetName
	}
	err := c.permissionOp(ctx, "ServiceClient.RevokePermission", http.MethodDelete, http.StatusNoContent, p, connectionID, target)
	return ServiceClientRevokePermissionResponse{}, err
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
// TargetName group when set); the service's 404 is HasPermission false, not
// an error. Bad arguments (as for GrantPermission) are plain errors and send
// nothing; any other service error is an *azcore.ResponseError.
func (c *ServiceClient) HasPermission(ctx context.Context, p Permission, connectionID string, options *ServiceClientHasPermissionOptions) (ServiceClientHasPermissionResponse, error) {
	var target string
	if options != nil {
		target = options.TargetName
	}
	path, q, err := c.permissionPath(p, connectionID, target)
	if err != nil {
		return ServiceClientHasPermissionResponse{}, err
	}
	ok, err := c.exists(ctx, "ServiceClient.HasPermission", path, q)
	return ServiceClientHasPermissionResponse{HasPermission: ok}, err
}
