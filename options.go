package webpubsub

import (
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
)

// ClientOptions configures a ServiceClient. A nil *ClientOptions uses the
// defaults.
//
// Logging: azcore logs every request URL with the values of query parameters
// replaced by "REDACTED", except api-version, messageTtlSeconds, maxpagesize,
// top, clientType and minutesToExpire, which identify no one. User ids,
// filters, group names, roles, excluded connection ids, close reasons and
// continuation tokens stay redacted unless the application lists them in
// ClientOptions.Logging.AllowedQueryParams (e.g. "filter"). Keys and tokens
// are never logged.
type ClientOptions struct {
	azcore.ClientOptions

	// ReverseProxyEndpoint, when set, is an http or https URL (such as an API
	// Management gateway) that requests are sent to instead of the service
	// endpoint. Tokens keep the service endpoint as their audience.
	ReverseProxyEndpoint string
}

// ServiceClientHealthCheckOptions are the optional parameters of
// ServiceClient.HealthCheck (none yet; nil is fine).
type ServiceClientHealthCheckOptions struct{}

// ServiceClientSendToAllOptions are the optional parameters of
// ServiceClient.SendToAll. The zero value sends to every connection with no
// time-to-live.
type ServiceClientSendToAllOptions struct {
	// Filter is an OData filter selecting the receiving connections (build it
	// with Filter); empty means no filter.
	Filter string
	// Excluded lists connection ids that do not receive the message.
	Excluded []string
	// MessageTTLSeconds is how long the service keeps the message for slow
	// connections, 0 (never expires, the default) to 300.
	MessageTTLSeconds int
}

// ServiceClientSendToUserOptions are the optional parameters of
// ServiceClient.SendToUser. The zero value sends to every connection of the
// user with no time-to-live.
type ServiceClientSendToUserOptions struct {
	// Filter is an OData filter selecting the receiving connections (build it
	// with Filter); empty means no filter.
	Filter string
	// MessageTTLSeconds is the message time-to-live, 0 (never expires, the
	// default) to 300.
	MessageTTLSeconds int
}

// ServiceClientSendToConnectionOptions are the optional parameters of
// ServiceClient.SendToConnection.
type ServiceClientSendToConnectionOptions struct {
	// MessageTTLSeconds is the message time-to-live, 0 (never expires, the
	// default) to 300.
	MessageTTLSeconds int
}

// ServiceClientCloseAllConnectionsOptions are the optional parameters of
// ServiceClient.CloseAllConnections. The zero value closes every connection
// with no reason.
type ServiceClientCloseAllConnectionsOptions struct {
	// Excluded lists connection ids that stay open.
	Excluded []string
	// Reason is sent to the clients as the close reason; empty sends none.
	Reason string
}

// ServiceClientCloseUserConnectionsOptions are the optional parameters of
// ServiceClient.CloseUserConnections.
type ServiceClientCloseUserConnectionsOptions struct {
	// Excluded lists connection ids that stay open.
	Excluded []string
	// Reason is sent to the clients as the close reason; empty sends none.
	Reason string
}

// ServiceClientCloseConnectionOptions are the optional parameters of
// ServiceClient.CloseConnection.
type ServiceClientCloseConnectionOptions struct {
	// Reason is sent to the client as the close reason; empty sends none.
	Reason string
}

// ServiceClientConnectionExistsOptions are the optional parameters of
// ServiceClient.ConnectionExists (none yet; nil is fine).
type ServiceClientConnectionExistsOptions struct{}

// ServiceClientUserExistsOptions are the optional parameters of
// ServiceClient.UserExists (none yet; nil is fine).
type ServiceClientUserExistsOptions struct{}

// ServiceClientGroupExistsOptions are the optional parameters of
// ServiceClient.GroupExists (none yet; nil is fine).
type ServiceClientGroupExistsOptions struct{}

// ServiceClientRemoveConnectionFromAllGroupsOptions are the optional
// parameters of ServiceClient.RemoveConnectionFromAllGroups (none yet; nil is
// fine).
type ServiceClientRemoveConnectionFromAllGroupsOptions struct{}

// ServiceClientRemoveUserFromAllGroupsOptions are the optional parameters of
// ServiceClient.RemoveUserFromAllGroups (none yet; nil is fine).
type ServiceClientRemoveUserFromAllGroupsOptions struct{}

// ServiceClientAddUserToGroupOptions are the optional parameters of
// ServiceClient.AddUserToGroup (none yet; nil is fine).
type ServiceClientAddUserToGroupOptions struct{}

// ServiceClientRemoveUserFromGroupOptions are the optional parameters of
// ServiceClient.RemoveUserFromGroup (none yet; nil is fine).
type ServiceClientRemoveUserFromGroupOptions struct{}

// ServiceClientAddConnectionsToGroupsOptions are the optional parameters of
// ServiceClient.AddConnectionsToGroups.
type ServiceClientAddConnectionsToGroupsOptions struct {
	// AllConnections must be true to call the operation with an empty filter,
	// which adds every connection of the hub to the groups. It exists so
	// that an empty filter (for example a variable that was never set) is an
	// error instead of a change to the whole hub. It must be false when the
	// filter is not empty.
	AllConnections bool
}

// ServiceClientRemoveConnectionsFromGroupsOptions are the optional parameters
// of ServiceClient.RemoveConnectionsFromGroups.
type ServiceClientRemoveConnectionsFromGroupsOptions struct {
	// AllConnections must be true to call the operation with an empty filter,
	// which removes every connection of the hub from the groups; see
	// ServiceClientAddConnectionsToGroupsOptions.AllConnections.
	AllConnections bool
}

// ServiceClientGrantPermissionOptions are the optional parameters of
// ServiceClient.GrantPermission.
type ServiceClientGrantPermissionOptions struct {
	// TargetName is the group the permission applies to; empty (the default)
	// means every group.
	TargetName string
}

// ServiceClientRevokePermissionOptions are the optional parameters of
// ServiceClient.RevokePermission.
type ServiceClientRevokePermissionOptions struct {
	// TargetName is the group the permission applies to; empty (the default)
	// means every group.
	TargetName string
}

// ServiceClientHasPermissionOptions are the optional parameters of
// ServiceClient.HasPermission.
type ServiceClientHasPermissionOptions struct {
	// TargetName is the group the permission applies to; empty (the default)
	// means every group.
	TargetName string
}

// ServiceClientGetClientAccessTokenOptions are the optional parameters of
// ServiceClient.GetClientAccessToken. The zero value gives an anonymous
// Web PubSub client with no roles and no groups, valid for 60 minutes.
type ServiceClientGetClientAccessTokenOptions struct {
	// UserID is the user id of the client (the token's sub claim); empty
	// means anonymous.
	UserID string
	// Roles are the client's roles, such as "webpubsub.joinLeaveGroup" or
	// "webpubsub.sendToGroup.<group>".
	Roles []string
	// Groups are the groups the client joins when it connects.
	Groups []string
	// ExpiresAfter is the token lifetime; 0 means 60 minutes. With Entra ID
	// it is rounded up to whole minutes.
	ExpiresAfter time.Duration
	// Protocol is the kind of client; empty means ClientProtocolDefault.
	Protocol ClientProtocol
}

// GroupClientSendToAllOptions are the optional parameters of
// GroupClient.SendToAll. The zero value sends to every connection in the
// group with no time-to-live.
type GroupClientSendToAllOptions struct {
	// Filter is an OData filter selecting the receiving connections (build it
	// with Filter); empty means no filter.
	Filter string
	// Excluded lists connection ids that do not receive the message.
	Excluded []string
	// MessageTTLSeconds is the message time-to-live, 0 (never expires, the
	// default) to 300.
	MessageTTLSeconds int
}

// GroupClientAddConnectionOptions are the optional parameters of
// GroupClient.AddConnection (none yet; nil is fine).
type GroupClientAddConnectionOptions struct{}

// GroupClientRemoveConnectionOptions are the optional parameters of
// GroupClient.RemoveConnection (none yet; nil is fine).
type GroupClientRemoveConnectionOptions struct{}

// GroupClientAddUserOptions are the optional parameters of GroupClient.AddUser
// (none yet; nil is fine).
type GroupClientAddUserOptions struct{}

// GroupClientRemoveUserOptions are the optional parameters of
// GroupClient.RemoveUser (none yet; nil is fine).
type GroupClientRemoveUserOptions struct{}

// GroupClientCloseAllConnectionsOptions are the optional parameters of
// GroupClient.CloseAllConnections.
type GroupClientCloseAllConnectionsOptions struct {
	// Excluded lists connection ids that stay open.
	Excluded []string
	// Reason is sent to the clients as the close reason; empty sends none.
	Reason string
}

// GroupClientExistsOptions are the optional parameters of GroupClient.Exists
// (none yet; nil is fine).
type GroupClientExistsOptions struct{}

// GroupClientListConnectionsOptions are the optional parameters of
// GroupClient.NewListConnectionsPager. The zero value lists every member,
// from the start, in pages of the service's default size.
type GroupClientListConnectionsOptions struct {
	// MaxPageSize is the most members per page, 1 to 200 (0 = service
	// default).
	MaxPageSize int
	// Top is the most members listed in total, counted from where the
	// listing starts (0 = all).
	Top int
	// ContinuationToken resumes a listing where an earlier one stopped: pass
	// the ContinuationToken of the last page received. Empty starts from the
	// beginning.
	ContinuationToken string
}
