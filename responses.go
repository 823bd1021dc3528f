package webpubsub

// Every operation returns a response struct, even when it carries nothing
// yet, so that fields can be added later without breaking callers.

// ServiceClientHealthCheckResponse is the result of ServiceClient.HealthCheck.
type ServiceClientHealthCheckResponse struct{}

// ServiceClientSendToAllResponse is the result of ServiceClient.SendToAll.
type ServiceClientSendToAllResponse struct{}

// ServiceClientSendToUserResponse is the result of ServiceClient.SendToUser.
type ServiceClientSendToUserResponse struct{}

// ServiceClientSendToConnectionResponse is the result of
// ServiceClient.SendToConnection.
type ServiceClientSendToConnectionResponse struct{}

// ServiceClientCloseAllConnectionsResponse is the result of
// ServiceClient.CloseAllConnections.
type ServiceClientCloseAllConnectionsResponse struct{}

// ServiceClientCloseUserConnectionsResponse is the result of
// ServiceClient.CloseUserConnections.
type ServiceClientCloseUserConnectionsResponse struct{}

// ServiceClientCloseConnectionResponse is the result of
// ServiceClient.CloseConnection.
type ServiceClientCloseConnectionResponse struct{}

// ServiceClientConnectionExistsResponse is the result of
// ServiceClient.ConnectionExists.
type ServiceClientConnectionExistsResponse struct {
	// Exists is true when the connection is connected to the hub.
	Exists bool
}

// ServiceClientUserExistsResponse is the result of ServiceClient.UserExists.
type ServiceClientUserExistsResponse struct {
	// Exists is true when the user has at least one connection.
	Exists bool
}

// ServiceClientGroupExistsResponse is the result of ServiceClient.GroupExists.
type ServiceClientGroupExistsResponse struct {
	// Exists is true when the group has at least one connection.
	Exists bool
}

// ServiceClientRemoveConnectionFromAllGroupsResponse is the result of
// ServiceClient.RemoveConnectionFromAllGroups.
type ServiceClientRemoveConnectionFromAllGroupsResponse struct{}

// ServiceClientRemoveUserFromAllGroupsResponse is the result of
// ServiceClient.RemoveUserFromAllGroups.
type ServiceClientRemoveUserFromAllGroupsResponse struct{}

// ServiceClientAddUserToGroupResponse is the result of
// ServiceClient.AddUserToGroup.
type ServiceClientAddUserToGroupResponse struct{}

// ServiceClientRemoveUserFromGroupResponse is the result of
// ServiceClient.RemoveUserFromGroup.
type ServiceClientRemoveUserFromGroupResponse struct{}

// ServiceClientAddConnectionsToGroupsResponse is the result of
// ServiceClient.AddConnectionsToGroups.
type ServiceClientAddConnectionsToGroupsResponse struct{}

// ServiceClientRemoveConnectionsFromGroupsResponse is the result of
// ServiceClient.RemoveConnectionsFromGroups.
type ServiceClientRemoveConnectionsFromGroupsResponse struct{}

// ServiceClientGrantPermissionResponse is the result of
// ServiceClient.GrantPermission.
type ServiceClientGrantPermissionResponse struct{}

// ServiceClientRevokePermissionResponse is the result of
// ServiceClient.RevokePermission.
type ServiceClientRevokePermissionResponse struct{}

// ServiceClientHasPermissionResponse is the result of
// ServiceClient.HasPermission.
type ServiceClientHasPermissionResponse struct {
	// HasPermission is true when the connection has the permission.
	HasPermission bool
}

// ServiceClientGetClientAccessTokenResponse is the result of
// ServiceClient.GetClientAccessToken.
type ServiceClientGetClientAccessTokenResponse struct {
	ClientAccessToken
}

// GroupClientSendToAllResponse is the result of GroupClient.SendToAll.
type GroupClientSendToAllResponse struct{}

// GroupClientAddConnectionResponse is the result of GroupClient.AddConnection.
type GroupClientAddConnectionResponse struct{}

// GroupClientRemoveConnectionResponse is the result of
// GroupClient.RemoveConnection.
type GroupClientRemoveConnectionResponse struct{}

// GroupClientAddUserResponse is the result of GroupClient.AddUser.
type GroupClientAddUserResponse struct{}

// GroupClientRemoveUserResponse is the result of GroupClient.RemoveUser.
type GroupClientRemoveUserResponse struct{}

// GroupClientCloseAllConnectionsResponse is the result of
// GroupClient.CloseAllConnections.
type GroupClientCloseAllConnectionsResponse struct{}

// GroupClientExistsResponse is the result of GroupClient.Exists.
type GroupClientExistsResponse struct {
	// Exists is true when the group has at least one connection.
	Exists bool
}

// GroupClientListConnectionsResponse is one page of
// GroupClient.NewListConnectionsPager.
type GroupClientListConnectionsResponse struct {
	// Value holds the members on this page.
	Value []GroupMember `json:"value"`
	// NextLink is the service's URL of the next page, empty on the last page.
	NextLink string `json:"nextLink,omitempty"`
	// ContinuationToken is the continuationToken of NextLink: set it as
	// GroupClientListConnectionsOptions.ContinuationToken to resume the
	// listing after this page with a new pager. Empty on the last page.
	ContinuationToken string `json:"-"`
}

// GroupMember is a connection in a group.
type GroupMember struct {
	// ConnectionID is the connection's id.
	ConnectionID string `json:"connectionId"`
	// UserID is the connection's user id, empty for anonymous connections.
	UserID string `json:"userId,omitempty"`
}
