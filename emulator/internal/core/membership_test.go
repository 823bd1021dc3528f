package core_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/permission"
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
	assert.ErrorIs(t, c.Grant(permission.SendToGroup, "g"), core.ErrGone)
	assert.ErrorIs(t, c.Revoke(permission.SendToGroup, "g"), core.ErrGone)
	assert.Empty(t, rec.with("left"), "a removal leaves its groups silently")
	assert.Equal(t, []string{"removed c: bye"}, rec.with("removed"))
}

func TestPermissions(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	c, _ := register(t, k, core.ConnSpec{ID: "c", Roles: []string{core.RoleSendToGroup + ".g1", "webpubsub.joinLeaveGroups.room.*"}})
	assert.True(t, c.Allowed(core.RoleSendToGroup, "g1"), "scoped role")
	assert.False(t, c.Allowed(core.RoleSendToGroup, "g2"))
	assert.True(t, c.Allowed(core.RoleJoinLeaveGroup, "room.a"), "plural role: a pattern")
	assert.False(t, c.Allowed(core.RoleJoinLeaveGroup, "room.a.b"))
	assert.False(t, c.Allowed(core.RoleJoinLeaveGroup, "g1"))
	assert.False(t, c.Allowed("webpubsub.other", "g1"), "not a role of Allowed")

	require.NoError(t, c.Grant(permission.JoinLeaveGroup, "g1"))
	assert.True(t, c.Allowed(core.RoleJoinLeaveGroup, "g1"))
	assert.True(t, c.Permits(permission.JoinLeaveGroup, "g1"))
	require.NoError(t, c.Revoke(permission.JoinLeaveGroup, "room.a"))
	assert.False(t, c.Allowed(core.RoleJoinLeaveGroup, "room.a"), "revoking one group of a pattern denies that group")
	assert.True(t, c.Allowed(core.RoleJoinLeaveGroup, "room.b"), "and only that group")

	all, _ := register(t, k, core.ConnSpec{ID: "all", Roles: []string{core.RoleSendToGroup}})
	require.NoError(t, all.Revoke(permission.SendToGroup, "g1"))
	assert.False(t, all.Permits(permission.SendToGroup, "g1"), "revoking one group of the role for all groups")
	assert.True(t, all.Permits(permission.SendToGroup, "g2"), "keeps the others")

	grants, _ := permission.FromRoles(nil)
	grants.GrantAll(permission.SendToGroup)
	given, _ := register(t, k, core.ConnSpec{ID: "given", Roles: []string{core.RoleJoinLeaveGroup}, Grants: grants})
	assert.True(t, given.Allowed(core.RoleSendToGroup, "any"), "Grants win over Roles")
	assert.False(t, given.Allowed(core.RoleJoinLeaveGroup, "any"))

	assert.True(t, core.RolesAllow([]string{"x", core.RoleSendToGroup}, core.RoleSendToGroup, "g"))
	assert.True(t, core.RolesAllow([]string{core.RoleSendToGroup + ".g"}, core.RoleSendToGroup, "g"))
	assert.False(t, core.RolesAllow([]string{core.RoleSendToGroup + ".g"}, core.RoleSendToGroup, "h"))
	assert.True(t, core.RolesAllow([]string{"webpubsub.sendToGroups.r*"}, core.RoleSendToGroup, "room"))
	assert.False(t, core.RolesAllow([]string{core.RoleSendToGroup}, "webpubsub.other", "g"))
	assert.Equal(t, protocol.RoleSendToGroup, core.RoleSendToGroup, "the service's role names")
	assert.Equal(t, protocol.RoleJoinLeaveGroup, core.RoleJoinLeaveGroup)
}

func TestGrantsStopAtTheirBound(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	c, _ := register(t, k, core.ConnSpec{ID: "c"})
	for i := range permission.MaxLiterals {
		require.NoError(t, c.Grant(permission.SendToGroup, fmt.Sprintf("room%d", i)))
	}
	assert.ErrorIs(t, c.Grant(permission.SendToGroup, "overflow"), permission.ErrTooManyLiterals)
	assert.False(t, c.Permits(permission.SendToGroup, "overflow"), "a refused grant changes nothing")
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

func TestHubNamesAreCaseInsensitive(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	h := k.Hub("Chat")
	assert.Equal(t, "chat", h.Name(), "a hub is known by its lower-case name")
	assert.Same(t, h, k.Hub("CHAT"))
	assert.Same(t, h, k.LookupHub("chat"))
	assert.Same(t, h, k.LookupHub(core.NormalizeHub("cHaT")))
	name, err := core.ParseHub("Chat_1")
	require.NoError(t, err)
	assert.Equal(t, "chat_1", name)
	_, err = core.ParseHub("1chat")
	assert.Error(t, err)
	assert.NoError(t, core.ValidateHub("chat_1"))
	assert.Error(t, core.ValidateHub("1chat"))
	assert.NoError(t, core.ValidateGroup("g"))
	assert.Error(t, core.ValidateGroup(""))
	k.Hub("b")
	k.Hub("A")
	var names []string
	for _, h := range k.Hubs() {
		names = append(names, h.Name())
	}
	assert.Equal(t, []string{"a", "b", "chat"}, names)
}
