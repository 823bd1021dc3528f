package webpubsub

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wireCase is one operation and the exact request it must put on the wire.
type wireCase struct {
	name   string
	call   func(ctx context.Context, c *ServiceClient) error
	status int // the service's success status

	method string
	path   string     // escaped path
	query  url.Values // without api-version
	ctype  string     // request Content-Type ("" = none)
	body   string
}

// wireCases covers all 25 operations of the 2024-12-01 API (some through both
// the ServiceClient and the GroupClient), with the example values of the
// spec's examples plus escaping cases.
func wireCases() []wireCase {
	noErr := func(f func(ctx context.Context, c *ServiceClient) (bool, error)) func(ctx context.Context, c *ServiceClient) error {
		return func(ctx context.Context, c *ServiceClient) error {
			ok, err := f(ctx, c)
			if err == nil && !ok {
				return errNotTrue
			}
			return err
		}
	}
	return []wireCase{
		{name: "HealthCheck", status: 200, method: "HEAD", path: "/api/health",
			call: func(ctx context.Context, c *ServiceClient) error { return errOf(c.HealthCheck(ctx, nil)) }},
		{name: "AddConnectionsToGroups", status: 200, method: "POST", path: "/api/hubs/hub1/:addToGroups",
			ctype: "application/json", body: `{"groups":["group1","group2"],"filter":"startswith(userId, 'listener-')"}`,
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.AddConnectionsToGroups(ctx, []string{"group1", "group2"}, "startswith(userId, 'listener-')", nil))
			}},
		{name: "RemoveConnectionsFromGroups", status: 200, method: "POST", path: "/api/hubs/hub1/:removeFromGroups",
			ctype: "application/json", body: `{"groups":["group1","group2"],"filter":"startswith(userId, 'listener-')"}`,
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.RemoveConnectionsFromGroups(ctx, []string{"group1", "group2"}, "startswith(userId, 'listener-')", nil))
			}},
		{name: "CloseAllConnections", status: 204, method: "POST", path: "/api/hubs/hub1/:closeConnections",
			query: url.Values{"excluded": {"c1", "c2"}, "reason": {"Close reason"}},
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.CloseAllConnections(ctx, &ServiceClientCloseAllConnectionsOptions{Excluded: []string{"c1", "c2"}, Reason: "Close reason"}))
			}},
		{name: "SendToAll/text", status: 202, method: "POST", path: "/api/hubs/hub1/:send",
			query: url.Values{"filter": {"startswith(userId, 'listener-')"}, "messageTtlSeconds": {"15"}, "excluded": {"a", "b"}},
			ctype: "text/plain", body: "Message to send",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.SendToAll(ctx, TextMessage("Message to send"), &ServiceClientSendToAllOptions{
					Filter: "startswith(userId, 'listener-')", MessageTTLSeconds: 15, Excluded: []string{"a", "b"}}))
			}},
		{name: "SendToAll/json", status: 202, method: "POST", path: "/api/hubs/hub1/:send",
			ctype: "application/json", body: `{"a":1}`,
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.SendToAll(ctx, JSONMessage(map[string]int{"a": 1}), nil))
			}},
		{name: "SendToAll/binary", status: 202, method: "POST", path: "/api/hubs/hub1/:send",
			query: url.Values{"messageTtlSeconds": {"300"}},
			ctype: "application/octet-stream", body: "\x00\x01\xff",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.SendToAll(ctx, BinaryMessage([]byte{0, 1, 0xff}), &ServiceClientSendToAllOptions{MessageTTLSeconds: 300}))
			}},
		{name: "CloseConnection", status: 204, method: "DELETE", path: "/api/hubs/hub1/connections/connection1",
			query: url.Values{"reason": {"Close reason"}},
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.CloseConnection(ctx, "connection1", &ServiceClientCloseConnectionOptions{Reason: "Close reason"}))
			}},
		{name: "ConnectionExists", status: 200, method: "HEAD", path: "/api/hubs/hub1/connections/connection1",
			call: noErr(func(ctx context.Context, c *ServiceClient) (bool, error) {
				r, err := c.ConnectionExists(ctx, "connection1", nil)
				return r.Exists, err
			})},
		{name: "SendToConnection", status: 202, method: "POST", path: "/api/hubs/hub1/connections/connection1/:send",
			query: url.Values{"messageTtlSeconds": {"15"}}, ctype: "text/plain", body: "Message to send",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.SendToConnection(ctx, "connection1", TextMessage("Message to send"), &ServiceClientSendToConnectionOptions{MessageTTLSeconds: 15}))
			}},
		{name: "RemoveConnectionFromAllGroups", status: 204, method: "DELETE", path: "/api/hubs/hub1/connections/connection1/groups",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.RemoveConnectionFromAllGroups(ctx, "connection1", nil))
			}},
		{name: "GroupExists", status: 200, method: "HEAD", path: "/api/hubs/hub1/groups/group1",
			call: noErr(func(ctx context.Context, c *ServiceClient) (bool, error) {
				r, err := c.GroupExists(ctx, "group1", nil)
				return r.Exists, err
			})},
		{name: "Group.Exists", status: 200, method: "HEAD", path: "/api/hubs/hub1/groups/group1",
			call: noErr(func(ctx context.Context, c *ServiceClient) (bool, error) {
				r, err := c.NewGroupClient("group1").Exists(ctx, nil)
				return r.Exists, err
			})},
		{name: "Group.CloseAllConnections", status: 204, method: "POST", path: "/api/hubs/hub1/groups/group1/:closeConnections",
			query: url.Values{"reason": {"Close reason"}, "excluded": {"c9"}},
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.NewGroupClient("group1").CloseAllConnections(ctx, &GroupClientCloseAllConnectionsOptions{Reason: "Close reason", Excluded: []string{"c9"}}))
			}},
		{name: "Group.SendToAll", status: 202, method: "POST", path: "/api/hubs/hub1/groups/group1/:send",
			query: url.Values{"filter": {"startswith(userId, 'listener-')"}, "messageTtlSeconds": {"15"}, "excluded": {"x"}},
			ctype: "text/plain", body: "Message to send",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.NewGroupClient("group1").SendToAll(ctx, TextMessage("Message to send"), &GroupClientSendToAllOptions{
					Filter: "startswith(userId, 'listener-')", MessageTTLSeconds: 15, Excluded: []string{"x"}}))
			}},
		{name: "Group.ListConnections", status: 200, method: "GET", path: "/api/hubs/hub1/groups/group1/connections",
			query: url.Values{"maxpagesize": {"200"}, "top": {"1000"}},
			call: func(ctx context.Context, c *ServiceClient) error {
				_, err := c.NewGroupClient("group1").NewListConnectionsPager(&GroupClientListConnectionsOptions{MaxPageSize: 200, Top: 1000}).NextPage(ctx)
				return err
			}},
		{name: "Group.RemoveConnection", status: 204, method: "DELETE", path: "/api/hubs/hub1/groups/group1/connections/connection1",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.NewGroupClient("group1").RemoveConnection(ctx, "connection1", nil))
			}},
		{name: "Group.AddConnection", status: 200, method: "PUT", path: "/api/hubs/hub1/groups/group1/connections/connection1",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.NewGroupClient("group1").AddConnection(ctx, "connection1", nil))
			}},
		{name: "RevokePermission", status: 204, method: "DELETE", path: "/api/hubs/hub1/permissions/joinLeaveGroup/connections/connection1",
			query: url.Values{"targetName": {"group1"}},
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.RevokePermission(ctx, PermissionJoinLeaveGroup, "connection1", &ServiceClientRevokePermissionOptions{TargetName: "group1"}))
			}},
		{name: "HasPermission", status: 200, method: "HEAD", path: "/api/hubs/hub1/permissions/sendToGroup/connections/connection1",
			query: url.Values{"targetName": {"group1"}},
			call: noErr(func(ctx context.Context, c *ServiceClient) (bool, error) {
				r, err := c.HasPermission(ctx, PermissionSendToGroup, "connection1", &ServiceClientHasPermissionOptions{TargetName: "group1"})
				return r.HasPermission, err
			})},
		{name: "GrantPermission", status: 200, method: "PUT", path: "/api/hubs/hub1/permissions/joinLeaveGroup/connections/connection1",
			query: url.Values{"targetName": {"group1"}},
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.GrantPermission(ctx, PermissionJoinLeaveGroup, "connection1", &ServiceClientGrantPermissionOptions{TargetName: "group1"}))
			}},
		{name: "GrantPermission/all groups", status: 200, method: "PUT", path: "/api/hubs/hub1/permissions/sendToGroup/connections/connection1",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.GrantPermission(ctx, PermissionSendToGroup, "connection1", nil))
			}},
		{name: "UserExists", status: 200, method: "HEAD", path: "/api/hubs/hub1/users/user1",
			call: noErr(func(ctx context.Context, c *ServiceClient) (bool, error) {
				r, err := c.UserExists(ctx, "user1", nil)
				return r.Exists, err
			})},
		{name: "CloseUserConnections", status: 204, method: "POST", path: "/api/hubs/hub1/users/user1/:closeConnections",
			query: url.Values{"reason": {"Close reason"}, "excluded": {"a", "b"}},
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.CloseUserConnections(ctx, "user1", &ServiceClientCloseUserConnectionsOptions{Reason: "Close reason", Excluded: []string{"a", "b"}}))
			}},
		{name: "SendToUser", status: 202, method: "POST", path: "/api/hubs/hub1/users/user1/:send",
			query: url.Values{"filter": {"startswith(userId, 'listener-')"}, "messageTtlSeconds": {"15"}},
			ctype: "application/json", body: `"Message to send"`,
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.SendToUser(ctx, "user1", RawJSONMessage([]byte(`"Message to send"`)), &ServiceClientSendToUserOptions{
					Filter: "startswith(userId, 'listener-')", MessageTTLSeconds: 15}))
			}},
		{name: "RemoveUserFromAllGroups", status: 204, method: "DELETE", path: "/api/hubs/hub1/users/user1/groups",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.RemoveUserFromAllGroups(ctx, "user1", nil))
			}},
		{name: "RemoveUserFromGroup", status: 204, method: "DELETE", path: "/api/hubs/hub1/users/user1/groups/group1",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.RemoveUserFromGroup(ctx, "user1", "group1", nil))
			}},
		{name: "Group.RemoveUser", status: 204, method: "DELETE", path: "/api/hubs/hub1/users/user1/groups/group1",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.NewGroupClient("group1").RemoveUser(ctx, "user1", nil))
			}},
		{name: "AddUserToGroup", status: 200, method: "PUT", path: "/api/hubs/hub1/users/user1/groups/group1",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.AddUserToGroup(ctx, "user1", "group1", nil))
			}},
		{name: "Group.AddUser", status: 200, method: "PUT", path: "/api/hubs/hub1/users/user1/groups/group1",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.NewGroupClient("group1").AddUser(ctx, "user1", nil))
			}},
		{name: "GetClientAccessToken/Entra only", status: -1}, // covered in token_test.go (key clients sign locally)
		// Escaping: path segments are escaped, dot segments cannot climb.
		{name: "escaping/user", status: 202, method: "POST", path: "/api/hubs/hub1/users/a%2Fb%20c%3F%23/:send",
			ctype: "text/plain", body: "x",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.SendToUser(ctx, "a/b c?#", TextMessage("x"), nil))
			}},
		{name: "escaping/group and connection", status: 200, method: "PUT", path: "/api/hubs/hub1/groups/g%2F1%25/connections/%2E%2E",
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.NewGroupClient("g/1%").AddConnection(ctx, "..", nil))
			}},
		{name: "escaping/query", status: 204, method: "POST", path: "/api/hubs/hub1/:closeConnections",
			query: url.Values{"reason": {"a&b=c d+e"}, "excluded": {"x&y"}},
			call: func(ctx context.Context, c *ServiceClient) error {
				return errOf(c.CloseAllConnections(ctx, &ServiceClientCloseAllConnectionsOptions{Reason: "a&b=c d+e", Excluded: []string{"x&y"}}))
			}},
	}
}

var errNotTrue = assert.AnError

func TestEveryOperationWireRequest(t *testing.T) {
	for _, tc := range wireCases() {
		if tc.status < 0 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			body := ""
			if tc.method == "GET" {
				body = `{"value":[]}`
			}
			ts := newTestServer(t, reply{status: tc.status, body: body})
			c := ts.keyClient("hub1")
			require.NoError(t, tc.call(context.Background(), c))

			r := ts.only()
			assert.Equal(t, tc.method, r.Method)
			assert.Equal(t, tc.path, r.EscapedPath)
			want := url.Values{"api-version": {"2024-12-01"}}
			for k, v := range tc.query {
				want[k] = v
			}
			assert.Equal(t, map[string][]string(want), r.Query)
			assert.Equal(t, tc.ctype, r.ContentType)
			assert.Equal(t, tc.body, string(r.Body))
			assert.Equal(t, "application/json", r.Accept)
			assert.True(t, strings.HasPrefix(r.UserAgent, "azsdk-go-webpubsub/"+moduleVersion+" "), "azcore telemetry: %q", r.UserAgent)
			requireRequestJWT(t, r, testKey, ts.URL())
		})
	}
}

func TestRepeatedQueryKeys(t *testing.T) {
	ts := newTestServer(t, reply{status: 202})
	c := ts.keyClient("hub1")
	require.NoError(t, errOf(c.SendToAll(context.Background(), TextMessage("m"), &ServiceClientSendToAllOptions{Excluded: []string{"a", "b", "c"}})))
	r := ts.only()
	// The raw query repeats the key rather than joining the values.
	assert.Contains(t, r.RequestURI, "excluded=a&excluded=b&excluded=c")
	assert.Contains(t, r.RequestURI, "api-version=2024-12-01")
}

func TestAllOperationsCovered(t *testing.T) {
	// The 25 operationIds of rest-api.md §3 map to these cases.
	ops := map[string][]string{
		"HealthApi_GetServiceStatus": {"HealthCheck"}, "AddConnectionsToGroups": {"AddConnectionsToGroups"},
		"CloseAllConnections": {"CloseAllConnections"}, "GenerateClientToken": {"GetClientAccessToken/Entra only"},
		"RemoveConnectionsFromGroups": {"RemoveConnectionsFromGroups"}, "SendToAll": {"SendToAll/text"},
		"CloseConnection": {"CloseConnection"}, "ConnectionExists": {"ConnectionExists"},
		"SendToConnection": {"SendToConnection"}, "RemoveConnectionFromAllGroups": {"RemoveConnectionFromAllGroups"},
		"GroupExists": {"GroupExists"}, "CloseGroupConnections": {"Group.CloseAllConnections"},
		"SendToGroup": {"Group.SendToAll"}, "ListConnectionsInGroup": {"Group.ListConnections"},
		"RemoveConnectionFromGroup": {"Group.RemoveConnection"}, "AddConnectionToGroup": {"Group.AddConnection"},
		"RevokePermission": {"RevokePermission"}, "CheckPermission": {"HasPermission"},
		"GrantPermission": {"GrantPermission"}, "UserExists": {"UserExists"},
		"CloseUserConnections": {"CloseUserConnections"}, "SendToUser": {"SendToUser"},
		"RemoveUserFromAllGroups": {"RemoveUserFromAllGroups"}, "RemoveUserFromGroup": {"RemoveUserFromGroup", "Group.RemoveUser"},
		"AddUserToGroup": {"AddUserToGroup", "Group.AddUser"},
	}
	require.Len(t, ops, 25)
	names := map[string]bool{}
	for _, tc := range wireCases() {
		names[tc.name] = true
	}
	for op, cases := range ops {
		for _, n := range cases {
			assert.True(t, names[n], "operation %s has no wire case %q", op, n)
		}
	}
}

func TestExistsMaps404ToFalse(t *testing.T) {
	calls := map[string]func(ctx context.Context, c *ServiceClient) (bool, error){
		"ConnectionExists": func(ctx context.Context, c *ServiceClient) (bool, error) {
			r, err := c.ConnectionExists(ctx, "c1", nil)
			return r.Exists, err
		},
		"UserExists": func(ctx context.Context, c *ServiceClient) (bool, error) {
			r, err := c.UserExists(ctx, "u1", nil)
			return r.Exists, err
		},
		"GroupExists": func(ctx context.Context, c *ServiceClient) (bool, error) {
			r, err := c.GroupExists(ctx, "g1", nil)
			return r.Exists, err
		},
		"HasPermission": func(ctx context.Context, c *ServiceClient) (bool, error) {
			r, err := c.HasPermission(ctx, PermissionJoinLeaveGroup, "c1", nil)
			return r.HasPermission, err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, reply{status: 404, header: map[string]string{"x-ms-error-code": "Info.Connection.NotExisted"}})
			ok, err := call(context.Background(), ts.keyClient("hub1"))
			require.NoError(t, err)
			assert.False(t, ok)
			ts2 := newTestServer(t, reply{status: 200})
			ok, err = call(context.Background(), ts2.keyClient("hub1"))
			require.NoError(t, err)
			assert.True(t, ok)
		})
	}
}

func TestClientAccessorsAndEndpointNormalisation(t *testing.T) {
	ts := newTestServer(t)
	c, err := NewServiceClientFromConnectionString("Endpoint="+ts.URL()+"/;AccessKey="+testKey, "Hub_1", nil)
	require.NoError(t, err)
	assert.Equal(t, "Hub_1", c.Hub())
	assert.Equal(t, ts.URL(), c.Endpoint())
	assert.Equal(t, "g", c.NewGroupClient("g").Name())
}

func TestAPIVersionOverride(t *testing.T) {
	ts := newTestServer(t, reply{status: 202})
	opts := ts.testOptions()
	opts.APIVersion = "2024-01-01"
	c, err := NewServiceClientFromConnectionString("Endpoint="+ts.URL()+";AccessKey="+testKey, "hub1", opts)
	require.NoError(t, err)
	require.NoError(t, errOf(c.SendToAll(context.Background(), TextMessage("x"), &ServiceClientSendToAllOptions{Excluded: []string{"a"}})))
	r := ts.only()
	assert.Equal(t, []string{"2024-01-01"}, r.Query["api-version"])
	assert.Equal(t, []string{"a"}, r.Query["excluded"])
	requireRequestJWT(t, r, testKey, ts.URL()) // the token is signed for the final URL
}
