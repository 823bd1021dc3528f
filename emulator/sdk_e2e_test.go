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
func sdkClient(t *testing.T, svc *webpubsub.ServiceClient, subprotocol string, o *webpubsub.GetClientAccessTokenOptions) (*wsClient, string) {
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

	require.NoError(t, svc.HealthCheck(ctx, nil))

	alice, aliceID := sdkClient(t, svc, protocol.JSON, &webpubsub.GetClientAccessTokenOptions{UserID: "alice", Roles: []string{protocol.RoleSendToGroup}, Groups: []string{"lobby"}})
	bob, bobID := sdkClient(t, svc, protocol.JSON, &webpubsub.GetClientAccessTokenOptions{UserID: "bob"})
	raw, _ := sdkClient(t, svc, "", &webpubsub.GetClientAccessTokenOptions{UserID: "raw"})

	// Sends.
	require.NoError(t, svc.SendToAll(ctx, webpubsub.TextMessage("all"), nil))
	assert.Equal(t, "all", alice.serverText())
	assert.Equal(t, "all", bob.serverText())
	_, data := raw.read()
	assert.Equal(t, "all", string(data))
	require.NoError(t, svc.SendToAll(ctx, webpubsub.TextMessage("not alice"), &webpubsub.SendToAllOptions{Excluded: []string{aliceID}, Filter: webpubsub.Filter("userId ne {0}", "raw")}))
	assert.Equal(t, "not alice", bob.serverText())
	require.NoError(t, svc.SendToUser(ctx, "bob", webpubsub.JSONMessage(map[string]int{"n": 1}), &webpubsub.SendToUserOptions{MessageTTLSeconds: 10}))
	m := bob.next().(protocol.ServerDataMessage)
	assert.Equal(t, protocol.DataTypeJSON, m.Data.Type)
	assert.JSONEq(t, `{"n":1}`, string(m.Data.Data))
	require.NoError(t, svc.SendToConnection(ctx, aliceID, webpubsub.BinaryMessage([]byte{1, 2}), nil))
	m = alice.next().(protocol.ServerDataMessage)
	assert.Equal(t, protocol.DataTypeBinary, m.Data.Type)
	assert.Equal(t, []byte{1, 2}, m.Data.Data)

	// Groups.
	lobby := svc.Group("lobby")
	require.NoError(t, lobby.AddConnection(ctx, bobID, nil))
	ok, err := lobby.Exists(ctx, nil)
	require.NoError(t, err)
	assert.True(t, ok)
	require.NoError(t, lobby.SendToAll(ctx, webpubsub.TextMessage("lobby"), &webpubsub.GroupSendToAllOptions{Excluded: []string{aliceID}}))
	assert.Equal(t, "lobby", bob.serverText())
	var members []string
	pager := lobby.ListConnections(&webpubsub.ListConnectionsOptions{MaxPageSize: 1})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		for _, v := range page.Value {
			members = append(members, v.ConnectionID)
		}
	}
	assert.ElementsMatch(t, []string{aliceID, bobID}, members)
	require.NoError(t, lobby.RemoveConnection(ctx, bobID, nil))
	require.NoError(t, lobby.AddUser(ctx, "bob", nil))
	require.NoError(t, lobby.RemoveUser(ctx, "bob", nil))
	require.NoError(t, svc.AddUserToGroup(ctx, "bob", "vip", nil))
	ok, err = svc.GroupExists(ctx, "vip", nil)
	require.NoError(t, err)
	assert.True(t, ok)
	require.NoError(t, svc.RemoveUserFromGroup(ctx, "bob", "vip", nil))
	require.NoError(t, svc.RemoveUserFromAllGroups(ctx, "bob", nil))
	require.NoError(t, svc.AddConnectionsToGroups(ctx, []string{"g1", "g2"}, webpubsub.Filter("userId eq {0}", "bob"), nil))
	ok, err = svc.GroupExists(ctx, "g2", nil)
	require.NoError(t, err)
	assert.True(t, ok)
	require.NoError(t, svc.RemoveConnectionsFromGroups(ctx, []string{"g1", "g2"}, "", nil))
	require.NoError(t, svc.RemoveConnectionFromAllGroups(ctx, aliceID, nil))
	ok, err = lobby.Exists(ctx, nil)
	require.NoError(t, err)
	assert.False(t, ok)

	// Permissions: bob may join "room" only after the grant.
	bob.send(protocol.JoinGroupMessage{Group: "room", AckID: ackID(1)})
	assert.Equal(t, protocol.ErrorForbidden, bob.ack(1).Error.Name)
	require.NoError(t, svc.GrantPermission(ctx, webpubsub.PermissionJoinLeaveGroup, bobID, &webpubsub.GrantPermissionOptions{TargetName: "room"}))
	has, err := svc.HasPermission(ctx, webpubsub.PermissionJoinLeaveGroup, bobID, &webpubsub.HasPermissionOptions{TargetName: "room"})
	require.NoError(t, err)
	assert.True(t, has)
	bob.send(protocol.JoinGroupMessage{Group: "room", AckID: ackID(2)})
	assert.True(t, bob.ack(2).Success)
	require.NoError(t, svc.RevokePermission(ctx, webpubsub.PermissionJoinLeaveGroup, bobID, &webpubsub.RevokePermissionOptions{TargetName: "room"}))
	has, err = svc.HasPermission(ctx, webpubsub.PermissionJoinLeaveGroup, bobID, &webpubsub.HasPermissionOptions{TargetName: "room"})
	require.NoError(t, err)
	assert.False(t, has)
	err = svc.GrantPermission(ctx, webpubsub.PermissionSendToGroup, "conn1", nil)
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re), "got %v", err)
	assert.Equal(t, http.StatusNotFound, re.StatusCode)
	assert.Equal(t, "Info.Connection.NotExisted", re.ErrorCode)

	// Existence and closing.
	ok, err = svc.ConnectionExists(ctx, aliceID, nil)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = svc.UserExists(ctx, "alice", nil)
	require.NoError(t, err)
	assert.True(t, ok)
	require.NoError(t, svc.CloseConnection(ctx, aliceID, &webpubsub.CloseConnectionOptions{Reason: "done"}))
	assert.Equal(t, "done", alice.next().(protocol.DisconnectedMessage).Message)
	ok, err = svc.ConnectionExists(ctx, aliceID, nil)
	require.NoError(t, err)
	assert.False(t, ok)
	require.NoError(t, svc.CloseUserConnections(ctx, "raw", nil))
	assert.Error(t, raw.closeErr())
	require.NoError(t, svc.AddUserToGroup(ctx, "bob", "last", nil))
	require.NoError(t, svc.Group("last").CloseAllConnections(ctx, &webpubsub.GroupCloseAllConnectionsOptions{Reason: "group closed"}))
	assert.Equal(t, "group closed", bob.next().(protocol.DisconnectedMessage).Message)
	require.NoError(t, svc.CloseAllConnections(ctx, nil))
	ok, err = svc.UserExists(ctx, "bob", nil)
	require.NoError(t, err)
	assert.False(t, ok)
}
