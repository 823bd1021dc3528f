package core_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

func TestJoinAndLeave(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	h := k.Hub("h")
	a, _ := register(t, k, core.ConnSpec{ID: "a", UserID: "u", Groups: []string{"g1"}})
	b, _ := register(t, k, core.ConnSpec{ID: "b"})
	require.NoError(t, h.Join(b, "g1", nil))
	require.NoError(t, h.Join(b, "g2", nil))
	assert.ElementsMatch(t, []*core.Conn{a, b}, h.Group("g1"))
	assert.Equal(t, []string{"g1", "g2"}, b.Groups())
	assert.True(t, h.HasGroup("g2"))
	assert.True(t, h.HasUser("u"))
	assert.False(t, h.HasUser("nobody"))

	h.Leave(b, "g2")
	assert.False(t, h.HasGroup("g2"), "a group exists while it has a connection")
	h.LeaveAll(a)
	assert.Equal(t, []*core.Conn{b}, h.Group("g1"))
	assert.Equal(t, []string{
		"connected a [g1]", "connected b []", "joined b g1", "joined b g2", "left b g2", "left a g1",
	}, rec.log())
}

func TestJoinKeepsTheMembershipOption(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	h := k.Hub("h")
	c, _ := register(t, k, core.ConnSpec{ID: "c"})
	require.NoError(t, h.Join(c, "g", 1))
	opt, ok := c.Option("g")
	require.True(t, ok)
	assert.Equal(t, 1, opt)
	require.NoError(t, h.Join(c, "g", nil))
	opt, _ = c.Option("g")
	assert.Equal(t, 1, opt, "a join without an option keeps the membership's")
	require.NoError(t, h.Join(c, "g", 2))
	opt, _ = c.Option("g")
	assert.Equal(t, 2, opt, "a join with an option replaces it")
	_, ok = c.Option("other")
	assert.False(t, ok)
}

func TestGroupsPerConnectionAreBounded(t *testing.T) {
	lim := core.DefaultLimits()
	lim.MaxGroupsPerConnection = 3
	k, _ := newCore(t, lim)
	h := k.Hub("h")
	c, _ := register(t, k, core.ConnSpec{ID: "c", UserID: "u"})
	for i := 0; i < 3; i++ {
		require.NoError(t, h.Join(c, fmt.Sprint("g", i), nil))
	}
	err := h.Join(c, "g3", nil)
	var tooMany *core.ErrTooManyGroups
	require.ErrorAs(t, err, &tooMany)
	assert.Contains(t, err.Error(), "already in 3 groups")
	assert.NoError(t, h.Join(c, "g0", nil), "joining a group it is in is fine")

	skipped, err := h.AddUserToGroup("u", "ug")
	require.NoError(t, err)
	assert.Equal(t, 1, skipped, "the user's connection is full")
	for i := 1; i < 3; i++ {
		_, err := h.AddUserToGroup("u", fmt.Sprint("ug", i))
		require.NoError(t, err)
	}
	_, err = h.AddUserToGroup("u", "ug3")
	assert.ErrorContains(t, err, "already added to 3 groups", "a user is bounded too")
}

func TestUserGroupsFollowTheUsersConnections(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	h := k.Hub("h")
	a, _ := register(t, k, core.ConnSpec{ID: "a", UserID: "u"})
	_, err := h.AddUserToGroup("u", "g")
	require.NoError(t, err)
	b, _ := register(t, k, core.ConnSpec{ID: "b", UserID: "u"})
	assert.ElementsMatch(t, []*core.Conn{a, b}, h.Group("g"), "a later connection of the user joins too")
	h.RemoveUserFromGroup("u", "g")
	assert.Empty(t, h.Group("g"))
	_, err = h.AddUserToGroup("u", "g2")
	require.NoError(t, err)
	h.RemoveUserFromAllGroups("u")
	c, _ := register(t, k, core.ConnSpec{ID: "c", UserID: "u"})
	assert.Empty(t, c.Groups(), "removed from every group for good")
	assert.Contains(t, rec.log(), "connected b [g]")
}

func TestRemovedConnectionJoinsNothing(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	h := k.Hub("h")
	c, _ := register(t, k, core.ConnSpec{ID: "c", Groups: []string{"g1", "g2"}})
	require.True(t, c.Remove(core.CloseReason{Kind: core.CloseNormal, Text: "bye"}))
	assert.False(t, c.Remove(core.CloseReason{Kind: core.CloseNormal, Text: "again"}), "removed once only")
	assert.False(t, h.HasGroup("g1"))
	assert.Nil(t, h.Conn("c"))
	assert.True(t, errors.Is(h.Join(c, "g3", nil), core.ErrGone))
	assert.False(t, c.Grant(core.RoleSendToGroup))
	assert.Empty(t, rec.with("left"), "a removal leaves its groups silently")
	assert.Equal(t, []string{"removed c: bye"}, rec.with("removed"))
}

func TestPermissions(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	c, _ := register(t, k, core.ConnSpec{ID: "c", Roles: []string{core.RoleSendToGroup + ".g1"}})
	assert.True(t, c.Allowed(core.RoleSendToGroup, "g1"), "scoped role")
	assert.False(t, c.Allowed(core.RoleSendToGroup, "g2"))
	assert.False(t, c.Allowed(core.RoleSendToGroup, ""), "no group: only the plain role counts")
	assert.False(t, c.Allowed(core.RoleJoinLeaveGroup, "g1"))
	require.True(t, c.Grant(core.RoleJoinLeaveGroup))
	assert.True(t, c.Allowed(core.RoleJoinLeaveGroup, "any"), "plain role")
	assert.True(t, c.Allowed(core.RoleJoinLeaveGroup, ""))
	c.Revoke(core.RoleJoinLeaveGroup)
	assert.False(t, c.Allowed(core.RoleJoinLeaveGroup, "any"))
	assert.Equal(t, []string{core.RoleSendToGroup + ".g1"}, c.Roles())

	assert.True(t, core.RolesAllow([]string{"x", core.RoleSendToGroup}, core.RoleSendToGroup, "g"))
	assert.True(t, core.RolesAllow([]string{core.RoleSendToGroup + ".g"}, core.RoleSendToGroup, "g"))
	assert.False(t, core.RolesAllow([]string{core.RoleSendToGroup + ".g"}, core.RoleSendToGroup, "h"))
	assert.Equal(t, protocol.RoleSendToGroup, core.RoleSendToGroup, "the service's role names")
	assert.Equal(t, protocol.RoleJoinLeaveGroup, core.RoleJoinLeaveGroup)
}

func TestRegisterRefusesTakenIDsAndResetHubs(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	h := k.Hub("h")
	c, l := register(t, k, core.ConnSpec{ID: "c"})
	_, err := h.Register(core.ConnSpec{ID: "c", Link: &fakeLink{}})
	assert.ErrorIs(t, err, core.ErrExists)

	k.Reset()
	assert.True(t, l.wasAborted(), "a reset aborts every socket")
	assert.False(t, c.Establish())
	_, err = h.Register(core.ConnSpec{ID: "d", Link: &fakeLink{}})
	assert.ErrorIs(t, err, core.ErrClosed, "a hub forgotten by a reset takes no connection")
	assert.NotSame(t, h, k.Hub("h"), "the hub starts afresh")
	assert.Equal(t, []string{"connected c []", "reset"}, rec.log(), "a reset removes nobody")

	k.Close()
	assert.Nil(t, k.Hub("h"))
	assert.True(t, k.Closed())
}

func TestHubNamesAndGroupNamesFollowThePolicy(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	assert.Same(t, k.Hub("Chat"), k.LookupHub(core.NormalizeHub("Chat")))
	assert.Nil(t, k.LookupHub("chat"), "hub names are case-sensitive today")
	assert.NoError(t, core.ValidateHub("chat_1"))
	assert.Error(t, core.ValidateHub("1chat"))
	assert.NoError(t, core.ValidateGroup("g"))
	assert.Error(t, core.ValidateGroup(""))
	k.Hub("b")
	k.Hub("a")
	var names []string
	for _, h := range k.Hubs() {
		names = append(names, h.Name())
	}
	assert.Equal(t, []string{"Chat", "a", "b"}, names)
}
