package webpubsub

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Invalid inputs fail with a clear error before any request is made.
func TestInvalidInputsFailBeforeAnyRequest(t *testing.T) {
	badJSON := JSONMessage(func() {}) // functions cannot be marshalled
	long := strings.Repeat("g", 1025)
	type invalidCase struct {
		name string
		call func(ctx context.Context, c *ServiceClient) error
		want string
	}
	cases := []invalidCase{
		{"TTL 301", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.SendToAll(ctx, TextMessage("x"), &ServiceClientSendToAllOptions{MessageTTLSeconds: 301}))
		}, "MessageTTLSeconds 301 is out of range"},
		{"TTL -1", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.SendToUser(ctx, "u", TextMessage("x"), &ServiceClientSendToUserOptions{MessageTTLSeconds: -1}))
		}, "MessageTTLSeconds -1 is out of range"},
		{"TTL connection", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.SendToConnection(ctx, "c", TextMessage("x"), &ServiceClientSendToConnectionOptions{MessageTTLSeconds: 1000}))
		}, "out of range"},
		{"TTL group", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.NewGroupClient("g").SendToAll(ctx, TextMessage("x"), &GroupClientSendToAllOptions{MessageTTLSeconds: 301}))
		}, "out of range"},
		{"JSON marshal error", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.SendToAll(ctx, badJSON, nil))
		}, "marshalling JSON message"},
		{"empty user id send", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.SendToUser(ctx, "", TextMessage("x"), nil))
		}, "user id must not be empty"},
		{"empty user id close", func(ctx context.Context, c *ServiceClient) error { return errOf(c.CloseUserConnections(ctx, "", nil)) }, "user id must not be empty"},
		{"empty user id exists", func(ctx context.Context, c *ServiceClient) error { _, err := c.UserExists(ctx, "", nil); return err }, "user id must not be empty"},
		{"empty user id groups", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.RemoveUserFromAllGroups(ctx, "", nil))
		}, "user id must not be empty"},
		{"empty user id add", func(ctx context.Context, c *ServiceClient) error { return errOf(c.AddUserToGroup(ctx, "", "g", nil)) }, "user id must not be empty"},
		{"empty user id remove", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.NewGroupClient("g").RemoveUser(ctx, "", nil))
		}, "user id must not be empty"},
		{"empty connection id", func(ctx context.Context, c *ServiceClient) error { return errOf(c.CloseConnection(ctx, "", nil)) }, "connection id must not be empty"},
		{"empty connection id send", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.SendToConnection(ctx, "", TextMessage("x"), nil))
		}, "connection id must not be empty"},
		{"empty connection id exists", func(ctx context.Context, c *ServiceClient) error {
			_, err := c.ConnectionExists(ctx, "", nil)
			return err
		}, "connection id must not be empty"},
		{"empty connection id groups", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.RemoveConnectionFromAllGroups(ctx, "", nil))
		}, "connection id must not be empty"},
		{"empty connection id add", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.NewGroupClient("g").AddConnection(ctx, "", nil))
		}, "connection id must not be empty"},
		{"empty connection id remove", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.NewGroupClient("g").RemoveConnection(ctx, "", nil))
		}, "connection id must not be empty"},
		{"empty excluded id", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.CloseAllConnections(ctx, &ServiceClientCloseAllConnectionsOptions{Excluded: []string{"a", ""}}))
		}, "excluded connection id 1 is empty"},
		{"empty group", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.NewGroupClient("").SendToAll(ctx, TextMessage("x"), nil))
		}, "invalid group name: must not be empty"},
		{"blank group", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.NewGroupClient("  \t").AddConnection(ctx, "c", nil))
		}, "must not be blank"},
		{"long group", func(ctx context.Context, c *ServiceClient) error { _, err := c.GroupExists(ctx, long, nil); return err }, "1025 characters"},
		{"group line break", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.NewGroupClient("a\nb").CloseAllConnections(ctx, nil))
		}, "line breaks"},
		{"group user op", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.RemoveUserFromGroup(ctx, "u", "", nil))
		}, "invalid group name"},
		{"group add user", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.NewGroupClient(" ").AddUser(ctx, "u", nil))
		}, "invalid group name"},
		{"group remove connection", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.NewGroupClient("").RemoveConnection(ctx, "c", nil))
		}, "invalid group name"},
		{"group list", func(ctx context.Context, c *ServiceClient) error {
			_, err := c.NewGroupClient("").NewListConnectionsPager(nil).NextPage(ctx)
			return err
		}, "invalid group name"},
		{"maxpagesize", func(ctx context.Context, c *ServiceClient) error {
			_, err := c.NewGroupClient("g").NewListConnectionsPager(&GroupClientListConnectionsOptions{MaxPageSize: 201}).NextPage(ctx)
			return err
		}, "MaxPageSize 201"},
		{"top", func(ctx context.Context, c *ServiceClient) error {
			_, err := c.NewGroupClient("g").NewListConnectionsPager(&GroupClientListConnectionsOptions{Top: -1}).NextPage(ctx)
			return err
		}, "Top -1"},
		{"no groups", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.AddConnectionsToGroups(ctx, nil, "", nil))
		}, "at least one group"},
		{"bad group in list", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.RemoveConnectionsFromGroups(ctx, []string{"ok", " "}, "", nil))
		}, "must not be blank"},
		{"unknown permission grant", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.GrantPermission(ctx, Permission("admin"), "c", nil))
		}, `unknown permission "admin"`},
		{"unknown permission revoke", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.RevokePermission(ctx, "", "c", nil))
		}, "unknown permission"},
		{"unknown permission check", func(ctx context.Context, c *ServiceClient) error {
			_, err := c.HasPermission(ctx, "SendToGroup", "c", nil)
			return err
		}, "unknown permission"},
		{"permission empty connection", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.GrantPermission(ctx, PermissionSendToGroup, "", nil))
		}, "connection id must not be empty"},
		{"permission bad target", func(ctx context.Context, c *ServiceClient) error {
			return errOf(c.GrantPermission(ctx, PermissionSendToGroup, "c", &ServiceClientGrantPermissionOptions{TargetName: " "}))
		}, "TargetName"},
		{"token negative lifetime", func(ctx context.Context, c *ServiceClient) error {
			_, err := c.GetClientAccessToken(ctx, &ServiceClientGetClientAccessTokenOptions{ExpiresAfter: -time.Second})
			return err
		}, "must not be negative"},
		{"token bad group", func(ctx context.Context, c *ServiceClient) error {
			_, err := c.GetClientAccessToken(ctx, &ServiceClientGetClientAccessTokenOptions{Groups: []string{""}})
			return err
		}, "invalid group name"},
		{"token empty role", func(ctx context.Context, c *ServiceClient) error {
			_, err := c.GetClientAccessToken(ctx, &ServiceClientGetClientAccessTokenOptions{Roles: []string{""}})
			return err
		}, "role 0 is empty"},
		{"token unknown protocol", func(ctx context.Context, c *ServiceClient) error {
			_, err := c.GetClientAccessToken(ctx, &ServiceClientGetClientAccessTokenOptions{Protocol: "mqtt5"})
			return err
		}, `unknown client protocol "mqtt5"`},
	}
	ts := newTestServer(t, reply{status: 202})
	c := ts.keyClient("hub1")
	if strconv.IntSize == 64 { // a 32-bit int cannot exceed the service's int32 maximum
		top := int64(math.MaxInt32) + 1
		cases = append(cases, invalidCase{"top above int32", func(ctx context.Context, c *ServiceClient) error {
			_, err := c.NewGroupClient("g").NewListConnectionsPager(&GroupClientListConnectionsOptions{Top: int(top)}).NextPage(ctx)
			return err
		}, "Top 2147483648 is out of range"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(context.Background(), c)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "webpubsub: "), "errors name the package: %v", err)
		})
	}
	assert.Empty(t, ts.requests(), "no invalid call may reach the server")
}

func TestTTLBoundsAreAccepted(t *testing.T) {
	ts := newTestServer(t, reply{status: 202})
	c := ts.keyClient("hub1")
	for _, ttl := range []int{0, 1, 300} {
		require.NoError(t, errOf(c.SendToAll(context.Background(), TextMessage("x"), &ServiceClientSendToAllOptions{MessageTTLSeconds: ttl})))
	}
	reqs := ts.requests()
	require.Len(t, reqs, 3)
	assert.NotContains(t, reqs[0].Query, "messageTtlSeconds", "0 is the service default and is not sent")
	assert.Equal(t, []string{"1"}, reqs[1].Query["messageTtlSeconds"])
	assert.Equal(t, []string{"300"}, reqs[2].Query["messageTtlSeconds"])
}

func TestGroupNameLimits(t *testing.T) {
	ts := newTestServer(t, reply{status: 200})
	c := ts.keyClient("hub1")
	max := strings.Repeat("é", 1024) // 1024 characters, 2048 bytes
	resp, err := c.GroupExists(context.Background(), max, nil)
	require.NoError(t, err)
	assert.True(t, resp.Exists)
	r := ts.only()
	assert.True(t, strings.HasPrefix(r.EscapedPath, "/api/hubs/hub1/groups/%C3%A9%C3%A9"))
}
