package webpubsub

import (
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
)

// ClientOptions configures a ServiceClient. A nil *ClientOptions uses the
// defaults.
type ClientOptions struct {
	azcore.ClientOptions

	// ReverseProxyEndpoint, when set, is an http or https URL (such as an API
	// Management gateway) that requests are sent to instead of the service
	// endpoint. Tokens keep the service endpoint as their audience.
	ReverseProxyEndpoint string
}

// SendToAllOptions are the optional parameters of ServiceClient.SendToAll.
type SendToAllOptions struct {
	// Filter is an OData filter selecting the receiving connections; see Filter.
	Filter string
	// Excluded lists connection ids that do not receive the message.
	Excluded []string
	// MessageTTLSeconds is how long the service keeps the message for slow
	// connections, 0 (never expires, the default) to 300.
	MessageTTLSeconds int
}

// SendToUserOptions are the optional parameters of ServiceClient.SendToUser.
type SendToUserOptions struct {
	// Filter is an OData filter selecting the receiving connections.
	Filter string
	// MessageTTLSeconds is the message time-to-live, 0 (never expires) to 300.
	MessageTTLSeconds int
}

// SendToConnectionOptions are the optional parameters of
// ServiceClient.SendToConnection.
type SendToConnectionOptions struct {
	// MessageTTLSeconds is the message time-to-live, 0 (never expires) to 300.
	MessageTTLSeconds int
}

// GroupSendToAllOptions are the optional parameters of GroupClient.SendToAll.
type GroupSendToAllOptions struct {
	// Filter is an OData filter selecting the receiving connections.
	Filter string
	// Excluded lists connection ids that do not receive the message.
	Excluded []string
	// MessageTTLSeconds is the message time-to-live, 0 (never expires) to 300.
	MessageTTLSeconds int
}

// CloseAllConnectionsOptions are the optional parameters of
// ServiceClient.CloseAllConnections.
type CloseAllConnectionsOptions struct {
	// Excluded lists connection ids that stay open.
	Excluded []string
	// Reason is sent to the clients as the close reason.
	Reason string
}

// CloseUserConnectionsOptions are the optional parameters of
// ServiceClient.CloseUserConnections.
type CloseUserConnectionsOptions struct {
	// Excluded lists connection ids that stay open.
	Excluded []string
	// Reason is sent to the clients as the close reason.
	Reason string
}

// CloseConnectionOptions are the optional parameters of
// ServiceClient.CloseConnection.
type CloseConnectionOptions struct {
	// Reason is sent to the client as the close reason.
	Reason string
}

// GroupCloseAllConnectionsOptions are the optional parameters of
// GroupClient.CloseAllConnections.
type GroupCloseAllConnectionsOptions struct {
	// Excluded lists connection ids that stay open.
	Excluded []string
	// Reason is sent to the clients as the close reason.
	Reason string
}

// ConnectionExistsOptions are the optional parameters of
// ServiceClient.ConnectionExists (none yet).
type ConnectionExistsOptions struct{}

// UserExistsOptions are the optional parameters of ServiceClient.UserExists
// (none yet).
type UserExistsOptions struct{}

// GroupExistsOptions are the optional parameters of ServiceClient.GroupExists
// and GroupClient.Exists (none yet).
type GroupExistsOptions struct{}

// RemoveConnectionFromAllGroupsOptions are the optional parameters of
// ServiceClient.RemoveConnectionFromAllGroups (none yet).
type RemoveConnectionFromAllGroupsOptions struct{}

// RemoveUserFromAllGroupsOptions are the optional parameters of
// ServiceClient.RemoveUserFromAllGroups (none yet).
type RemoveUserFromAllGroupsOptions struct{}

// AddUserToGroupOptions are the optional parameters of
// ServiceClient.AddUserToGroup and GroupClient.AddUser (none yet).
type AddUserToGroupOptions struct{}

// RemoveUserFromGroupOptions are the optional parameters of
// ServiceClient.RemoveUserFromGroup and GroupClient.RemoveUser (none yet).
type RemoveUserFromGroupOptions struct{}

// AddConnectionToGroupOptions are the optional parameters of
// GroupClient.AddConnection (none yet).
type AddConnectionToGroupOptions struct{}

// RemoveConnectionFromGroupOptions are the optional parameters of
// GroupClient.RemoveConnection (none yet).
type RemoveConnectionFromGroupOptions struct{}

// AddConnectionsToGroupsOptions are the optional parameters of
// ServiceClient.AddConnectionsToGroups (none yet).
type AddConnectionsToGroupsOptions struct{}

// RemoveConnectionsFromGroupsOptions are the optional parameters of
// ServiceClient.RemoveConnectionsFromGroups (none yet).
type RemoveConnectionsFromGroupsOptions struct{}

// ListConnectionsOptions are the optional parameters of
// GroupClient.ListConnections.
type ListConnectionsOptions struct {
	// MaxPageSize is the most members per page, 1 to 200 (0 = service default).
	MaxPageSize int
	// Top is the most members listed in total (0 = all).
	Top int
}

// HealthCheckOptions are the optional parameters of ServiceClient.HealthCheck
// (none yet).
type HealthCheckOptions struct{}

// GrantPermissionOptions are the optional parameters of
// ServiceClient.GrantPermission.
type GrantPermissionOptions struct {
	// TargetName is the group the permission applies to; empty means every
	// group.
	TargetName string
}

// RevokePermissionOptions are the optional parameters of
// ServiceClient.RevokePermission.
type RevokePermissionOptions struct {
	// TargetName is the group the permission applies to; empty means every
	// group.
	TargetName string
}

// HasPermissionOptions are the optional parameters of
// ServiceClient.HasPermission.
type HasPermissionOptions struct {
	// TargetName is the group the permission applies to; empty means every
	// group.
	TargetName string
}

// ClientProtocol is the kind of client a client access token is for.
type ClientProtocol int

const (
	// ClientProtocolDefault is a Web PubSub client (a plain WebSocket or one of
	// the Web PubSub subprotocols): path /client/hubs/<hub>.
	ClientProtocolDefault ClientProtocol = iota
	// ClientProtocolMQTT is an MQTT client: path /clients/mqtt/hubs/<hub>.
	ClientProtocolMQTT
	// ClientProtocolSocketIO is a Socket.IO client: path
	// /clients/socketio/hubs/<hub>.
	ClientProtocolSocketIO
)

// GetClientAccessTokenOptions are the optional parameters of
// ServiceClient.GetClientAccessToken.
type GetClientAccessTokenOptions struct {
	// UserID is the user id of the client (the token's sub claim).
	UserID string
	// Roles are the client's roles, such as "webpubsub.joinLeaveGroup" or
	// "webpubsub.sendToGroup.<group>".
	Roles []string
	// Groups are the groups the client joins when it connects.
	Groups []string
	// ExpiresAfter is the token lifetime; 0 means 60 minutes. With Entra ID
	// it is rounded up to whole minutes.
	ExpiresAfter time.Duration
	// Protocol is the kind of client; the default is ClientProtocolDefault.
	Protocol ClientProtocol
}
