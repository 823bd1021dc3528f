package emulator_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// sdkClient connects through a token from the service client.
func sdkClient(t *testing.T, svc *webpubsub.ServiceClient, subprotocol string, o *webpubsub.ServiceClientGetClientAccessTokenOptions) (*wsClient, string) {
	t.Helper()
	tok, err := svc.GetClientAccessToken(t.Context(), o)
	require.NoError(t, err)
	c := dial(t, tok.URL, subprotocol)
	if subprotocol == "" {
		return c, ""
	}
	return c, c.connected().ConnectionID
}

func TestServiceClientEndToEnd(t *testing.T) {
	e := start(t, emulator.Options{})
	svc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "chat", nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	require.NoError(t, errOf(svc.HealthCheck(ctx, nil)))

	alice, aliceID := sdkClient(t, svc, protocol.JSON, &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "alice", Roles: []string{protocol.RoleSendToGroup}, Groups: []string{"lobby"}})
	bob, bobID := sdkClient(t, svc, protocol.JSON, &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "bob"})
	raw, _ := sdkClient(t, svc, "", &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "raw"})

	// Sends.
	require.NoError(t, errOf(svc.SendToAll(ctx, webpubsub.TextMessage("all"), nil)))
	assert.Equal(t, "all", alice.serverText())
	assert.Equal(t, "all", bob.serverText())
	_, data := raw.read()
	assert.Equal(t, "all", string(data))
	require.NoError(t, errOf(svc.SendToAll(ctx, webpubsub.TextMessage("not alice"), &webpubsub.ServiceClientSendToAllOptions{Excluded: []string{aliceID}, Filter: webpubsub.MustFilter("userId ne {0}", "raw")})))
	assert.Equal(t, "not alice", bob.serverText())
	require.NoError(t, errOf(svc.SendToUser(ctx, "bob", webpubsub.JSONMessage(map[string]int{"n": 1}), &webpubsub.ServiceClientSendToUserOptions{MessageTTLSeconds: 10})))
	m := bob.next().(protocol.ServerDataMessage)
	assert.Equal(t, protocol.DataTypeJSON, m.Data.Type)
	assert.JSONEq(t, `{"n":1}`, string(m.Data.Data))
	require.NoError(t, errOf(svc.SendToConnection(ctx, aliceID, webpubsub.BinaryMessage([]byte{1, 2}), nil)))
	m = alice.next().(protocol.ServerDataMessage)
	assert.Equal(t, protocol.DataTypeBinary, m.Data.Type)
	assert.Equal(t, []byte{1, 2}, m.Data.Data)

	// Groups.
	lobby := svc.NewGroupClient("lobby")
	require.NoError(t, errOf(lobby.AddConnection(ctx, bobID, nil)))
	if r, err := lobby.Exists(ctx, nil); assert.NoError(t, err) {
		assert.True(t, r.Exists)
	}
	require.NoError(t, errOf(lobby.SendToAll(ctx, webpubsub.TextMessage("lobby"), &webpubsub.GroupClientSendToAllOptions{Excluded: []string{aliceID}})))
	assert.Equal(t, "lobby", bob.groupText("lobby"))
	var members []string
	pager := lobby.NewListConnectionsPager(&webpubsub.GroupClientListConnectionsOptions{MaxPageSize: 1})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		for _, v := range page.Value {
			members = append(members, v.ConnectionID)
		}
	}
	assert.ElementsMatch(t, []string{aliceID, bobID}, members)
	require.NoError(t, errOf(lobby.RemoveConnection(ctx, bobID, nil)))
	require.NoError(t, errOf(lobby.AddUser(ctx, "bob", nil)))
	require.NoError(t, errOf(lobby.RemoveUser(ctx, "bob", nil)))
	require.NoError(t, errOf(svc.AddUserToGroup(ctx, "bob", "vip", nil)))
	if r, err := svc.GroupExists(ctx, "vip", nil); assert.NoError(t, err) {
		assert.True(t, r.Exists)
	}
	require.NoError(t, errOf(svc.RemoveUserFromGroup(ctx, "bob", "vip", nil)))
	require.NoError(t, errOf(svc.RemoveUserFromAllGroups(ctx, "bob", nil)))
	require.NoError(t, errOf(svc.AddConnectionsToGroups(ctx, []string{"g1", "g2"}, webpubsub.MustFilter("userId eq {0}", "bob"), nil)))
	if r, err := svc.GroupExists(ctx, "g2", nil); assert.NoError(t, err) {
		assert.True(t, r.Exists)
	}
	require.NoError(t, errOf(svc.RemoveConnectionsFromGroups(ctx, []string{"g1", "g2"}, "", &webpubsub.ServiceClientRemoveConnectionsFromGroupsOptions{AllConnections: true})))
	require.NoError(t, errOf(svc.RemoveConnectionFromAllGroups(ctx, aliceID, nil)))
	if r, err := lobby.Exists(ctx, nil); assert.NoError(t, err) {
		assert.False(t, r.Exists)
	}

	// Permissions: bob may join "room" only after the grant.
	bob.send(protocol.JoinGroupMessage{Group: "room", AckID: ackID(1)})
	assert.Equal(t, protocol.ErrorForbidden, bob.ack(1).Error.Name)
	require.NoError(t, errOf(svc.GrantPermission(ctx, webpubsub.PermissionJoinLeaveGroup, bobID, &webpubsub.ServiceClientGrantPermissionOptions{TargetName: "room"})))
	if r, err := svc.HasPermission(ctx, webpubsub.PermissionJoinLeaveGroup, bobID, &webpubsub.ServiceClientHasPermissionOptions{TargetName: "room"}); assert.NoError(t, err) {
		assert.True(t, r.HasPermission)
	}
	bob.send(protocol.JoinGroupMessage{Group: "room", AckID: ackID(2)})
	assert.True(t, bob.ack(2).Success)
	require.NoError(t, errOf(svc.RevokePermission(ctx, webpubsub.PermissionJoinLeaveGroup, bobID, &webpubsub.ServiceClientRevokePermissionOptions{TargetName: "room"})))
	if r, err := svc.HasPermission(ctx, webpubsub.PermissionJoinLeaveGroup, bobID, &webpubsub.ServiceClientHasPermissionOptions{TargetName: "room"}); assert.NoError(t, err) {
		assert.False(t, r.HasPermission)
	}
	_, err = svc.GrantPermission(ctx, webpubsub.PermissionSendToGroup, "conn1", &webpubsub.ServiceClientGrantPermissionOptions{TargetName: "room"})
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re), "got %v", err)
	assert.Equal(t, http.StatusNotFound, re.StatusCode)
	assert.Equal(t, "Info.Connection.NotExisted", re.ErrorCode)

	// Existence and closing.
	if r, err := svc.ConnectionExists(ctx, aliceID, nil); assert.NoError(t, err) {
		assert.True(t, r.Exists)
	}
	if r, err := svc.UserExists(ctx, "alice", nil); assert.NoError(t, err) {
		assert.True(t, r.Exists)
	}
	require.NoError(t, errOf(svc.CloseConnection(ctx, aliceID, &webpubsub.ServiceClientCloseConnectionOptions{Reason: "done"})))
	assert.Equal(t, "Application server closed the connection. Reason: done", alice.next().(protocol.DisconnectedMessage).Message)
	if r, err := svc.ConnectionExists(ctx, aliceID, nil); assert.NoError(t, err) {
		assert.False(t, r.Exists)
	}
	require.NoError(t, errOf(svc.CloseUserConnections(ctx, "raw", nil)))
	assert.Error(t, raw.closeErr())
	require.NoError(t, errOf(svc.AddUserToGroup(ctx, "bob", "last", nil)))
	require.NoError(t, errOf(svc.NewGroupClient("last").CloseAllConnections(ctx, &webpubsub.GroupClientCloseAllConnectionsOptions{Reason: "group closed"})))
	assert.Equal(t, "Application server closed the connection. Reason: group closed", bob.next().(protocol.DisconnectedMessage).Message)
	require.NoError(t, errOf(svc.CloseAllConnections(ctx, nil)))
	if r, err := svc.UserExists(ctx, "bob", nil); assert.NoError(t, err) {
		assert.False(t, r.Exists)
	}
}

// A group listing stopped after one page resumes, with a new pager, from that
// page's ContinuationToken, and the two listings together hold every member
// once. A filter written by webpubsub.Filter with a quote in the value
// reaches the right connection.
func TestServiceClientResumesListingAndFilters(t *testing.T) {
	e := start(t, emulator.Options{})
	svc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "chat", nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	var all []string
	var clients []*wsClient
	for _, user := range []string{"vic's", "ann", "bob", "cat"} {
		c, id := sdkClient(t, svc, protocol.JSON, &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: user, Groups: []string{"room"}})
		all = append(all, id)
		clients = append(clients, c)
	}

	first := svc.NewGroupClient("room").NewListConnectionsPager(&webpubsub.GroupClientListConnectionsOptions{MaxPageSize: 1})
	page, err := first.NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, page.Value, 1)
	require.NotEmpty(t, page.ContinuationToken)
	seen := []string{page.Value[0].ConnectionID}

	resumed := svc.NewGroupClient("room").NewListConnectionsPager(&webpubsub.GroupClientListConnectionsOptions{
		MaxPageSize: 2, ContinuationToken: page.ContinuationToken})
	for resumed.More() {
		page, err := resumed.NextPage(ctx)
		require.NoError(t, err)
		for _, m := range page.Value {
			seen = append(seen, m.ConnectionID)
		}
	}
	assert.ElementsMatch(t, all, seen)

	// The quote inside the quoted literal is escaped once, so vic's (and only
	// vic's) connection receives the message.
	f, err := webpubsub.Filter("userId eq '{0}'", "vic's")
	require.NoError(t, err)
	require.NoError(t, errOf(svc.NewGroupClient("room").SendToAll(ctx, webpubsub.TextMessage("for vic"), &webpubsub.GroupClientSendToAllOptions{Filter: f})))
	assert.Equal(t, "for vic", clients[0].groupText("room"))
	require.NoError(t, errOf(svc.SendToAll(ctx, webpubsub.TextMessage("for all"), nil)))
	for _, c := range clients[1:] {
		assert.Equal(t, "for all", c.serverText(), "the others did not receive the filtered message first")
	}
}

// errOf returns the error of an SDK operation, dropping its response.
func errOf[T any](_ T, err error) error { return err }
