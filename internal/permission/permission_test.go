package permission

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFromRoles(t *testing.T) {
	tests := []struct {
		name       string
		roles      []string
		p          Permission
		allowed    []string
		denied     []string
		skippedErr int
	}{
		{"all groups", []string{"webpubsub.sendToGroup"}, SendToGroup, []string{"a", "b.c", "*"}, nil, 0},
		{"other permission", []string{"webpubsub.sendToGroup"}, JoinLeaveGroup, nil, []string{"a"}, 0},
		{"one group", []string{"webpubsub.joinLeaveGroup.room"}, JoinLeaveGroup, []string{"room"}, []string{"room1", "Room", "lobby"}, 0},
		{"singular is literal", []string{"webpubsub.sendToGroup.room.*"}, SendToGroup, []string{"room.*"}, []string{"room.a"}, 0},
		{"group with dots", []string{"webpubsub.sendToGroup.a.b.c"}, SendToGroup, []string{"a.b.c"}, []string{"a"}, 0},
		{"plural pattern", []string{"webpubsub.sendToGroups.room.*"}, SendToGroup, []string{"room.a", "room."}, []string{"room.a.b", "room"}, 0},
		{"plural across dots", []string{"webpubsub.joinLeaveGroups.room.**"}, JoinLeaveGroup, []string{"room.a.b"}, []string{"lobby"}, 0},
		{"plural escape", []string{`webpubsub.sendToGroups.room\*`}, SendToGroup, []string{"room*"}, []string{"rooms"}, 0},
		{"plural all", []string{"webpubsub.sendToGroups.**"}, SendToGroup, []string{"x.y.z"}, nil, 0},
		{"case-sensitive roles", []string{"WebPubSub.SendToGroup", "webpubsub.sendtogroup"}, SendToGroup, nil, []string{"a"}, 0},
		{"other roles ignored", []string{"webpubsub.sendToGroupX", "webpubsub.sendToGroups", "admin"}, SendToGroup, nil, []string{"a", "s"}, 0},
		{"plural without dot ignored", []string{"webpubsub.joinLeaveGroups"}, JoinLeaveGroup, nil, []string{"s"}, 0},
		{"empty pattern skipped", []string{"webpubsub.sendToGroups."}, SendToGroup, nil, []string{""}, 1},
		{"invalid escape skipped", []string{`webpubsub.sendToGroups.a\b`, "webpubsub.sendToGroup.ok"}, SendToGroup, []string{"ok"}, []string{`a\b`, "ab"}, 1},
		{"too many wildcards skipped", []string{"webpubsub.sendToGroups.*.*.*.*.*.*"}, SendToGroup, nil, []string{"a.b.c.d.e.f"}, 1},
		{"invalid scoped group skipped", []string{"webpubsub.sendToGroup.   "}, SendToGroup, nil, []string{"   "}, 1},
		{"consecutive asterisks are one wildcard", []string{"webpubsub.sendToGroups.******"}, SendToGroup, []string{"room.nested"}, nil, 0},
		{"both permissions", []string{"webpubsub.sendToGroup.a", "webpubsub.joinLeaveGroup"}, JoinLeaveGroup, []string{"a", "z"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, errs := FromRoles(tt.roles)
			assert.Len(t, errs, tt.skippedErr, "%v", errs)
			for _, grp := range tt.allowed {
				assert.True(t, g.Allows(tt.p, grp), "%s allowed on %q", tt.p, grp)
			}
			for _, grp := range tt.denied {
				assert.False(t, g.Allows(tt.p, grp), "%s denied on %q", tt.p, grp)
			}
		})
	}
}

func TestFromRolesPatternLimitIsOrderIndependent(t *testing.T) {
	var roles []string
	for i := 0; i < MaxPatterns+2; i++ {
		roles = append(roles, fmt.Sprintf("webpubsub.sendToGroups.g%02d.*", i))
	}
	reversed := make([]string, len(roles))
	for i, r := range roles {
		reversed[len(roles)-1-i] = r
	}
	g1, errs1 := FromRoles(roles)
	g2, errs2 := FromRoles(reversed)
	assert.Len(t, errs1, 2)
	assert.Len(t, errs2, 2)
	for i := 0; i < MaxPatterns+2; i++ {
		grp := fmt.Sprintf("g%02d.x", i)
		assert.Equal(t, i < MaxPatterns, g1.Allows(SendToGroup, grp), grp)
		assert.Equal(t, g1.Allows(SendToGroup, grp), g2.Allows(SendToGroup, grp), grp)
	}
	assert.ErrorIs(t, errs1[0], ErrTooManyPatterns)
	assert.Contains(t, errs1[0].Error(), "g09.*")
}

func TestGrantsRESTUpdates(t *testing.T) {
	g, errs := FromRoles([]string{"webpubsub.joinLeaveGroups.room*", "webpubsub.sendToGroup"})
	require.Empty(t, errs)
	for _, p := range []Permission{SendToGroup, JoinLeaveGroup} {
		assert.True(t, g.Allows(p, "room"))
		require.NoError(t, g.Revoke(p, "room"))
		assert.False(t, g.Allows(p, "room"), "%s revoked on room", p)
		assert.True(t, g.Allows(p, "room-other"), "%s kept on room-other", p)
	}
	require.NoError(t, g.Grant(SendToGroup, "room"))
	assert.True(t, g.Allows(SendToGroup, "room"))
	assert.False(t, g.Allows(JoinLeaveGroup, "room"))
	require.NoError(t, g.Grant(JoinLeaveGroup, "offline"))
	assert.True(t, g.Allows(JoinLeaveGroup, "offline"))
	g.GrantAll(JoinLeaveGroup)
	assert.True(t, g.Allows(JoinLeaveGroup, "room"))

	var zero Grants
	assert.False(t, zero.Allows(SendToGroup, "a"))
	require.NoError(t, zero.Grant(SendToGroup, "a"))
	assert.True(t, zero.Allows(SendToGroup, "a"))
}

func TestGrantsConcurrent(t *testing.T) {
	g, _ := FromRoles([]string{"webpubsub.sendToGroups.room.*"})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				_ = g.Revoke(SendToGroup, fmt.Sprint("room.", i))
				_ = g.Grant(JoinLeaveGroup, fmt.Sprint("g", i))
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				g.Allows(SendToGroup, fmt.Sprint("room.", i))
				g.Allows(JoinLeaveGroup, "g1")
			}
		}()
	}
	wg.Wait()
	assert.False(t, g.Allows(SendToGroup, "room.5"))
	assert.True(t, g.Allows(SendToGroup, "room.500"))
	assert.True(t, g.Allows(JoinLeaveGroup, "g199"))
}

func TestParsePermission(t *testing.T) {
	for in, want := range map[string]Permission{
		"sendToGroup": SendToGroup, "SENDTOGROUP": SendToGroup, "sendtogroup": SendToGroup, "1": SendToGroup,
		"joinLeaveGroup": JoinLeaveGroup, "JoinLeaveGroup": JoinLeaveGroup, "2": JoinLeaveGroup,
	} {
		got, err := ParsePermission(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"unknown", "0", "3", "-1", "sendToGroup,joinLeaveGroup", "", " sendToGroup", "01"} {
		_, err := ParsePermission(bad)
		assert.ErrorContains(t, err, "use sendToGroup or joinLeaveGroup", bad)
	}
	assert.Equal(t, "sendToGroup", SendToGroup.String())
	assert.Equal(t, "joinLeaveGroup", JoinLeaveGroup.String())
	assert.Equal(t, "webpubsub.sendToGroup", SendToGroup.Role())
	assert.Equal(t, "webpubsub.joinLeaveGroup", JoinLeaveGroup.Role())
	assert.Equal(t, "Permission(7)", Permission(7).String())
}

// TestParseTarget follows Microsoft's
// RestApiTests.PermissionRestContractPreservesVersionsTargetsAndMissingConnections
// (valid targets) and PermissionRestValidatesInputAndAuthentication
// (invalid ones).
func TestParseTarget(t *testing.T) {
	for _, target := range []string{"room", "*", "room.*", " room ", "a/b+你好", strings.Repeat("x", 1024)} {
		got, err := ParseTarget(SendToGroup, target)
		require.NoError(t, err, target)
		assert.Equal(t, target, got, "taken as it is")
	}
	_, err := ParseTarget(JoinLeaveGroup, "")
	assert.ErrorContains(t, err, "targetName is required for the joinLeaveGroup permission")
	for _, bad := range []string{" \t", strings.Repeat("x", 1025)} {
		_, err := ParseTarget(SendToGroup, bad)
		assert.ErrorContains(t, err, "invalid targetName", bad)
	}
}
