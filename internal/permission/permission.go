// Package permission holds a connection's group permissions as the service
// defines them: the roles of its token (or of the connect handler's answer),
// and the grants and revocations of the REST API.
//
// Roles (client-protocol.md; Microsoft's emulator, Permissions/*.cs and
// ConnectionRolePermissionsTests.cs):
//
//   - webpubsub.joinLeaveGroup, webpubsub.sendToGroup: every group;
//   - webpubsub.joinLeaveGroup.<group>, webpubsub.sendToGroup.<group>: that
//     one group, literally (a "*" in it is a character, not a wildcard);
//   - webpubsub.joinLeaveGroups.<pattern>, webpubsub.sendToGroups.<pattern>
//     (plural): every group the pattern matches (see Pattern).
//
// Roles are case-sensitive; other roles are ignored. A Grants is safe for
// concurrent use, and checking a permission allocates nothing.
package permission

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/webpubsub-go/webpubsub/internal/names"
)

// Permission is a permission of the REST API's Grant/Revoke/CheckPermission.
// Its values are those of Microsoft's emulator (ConnectionRoleAction.cs), which
// the REST API also accepts as numbers.
type Permission int

// Permissions.
const (
	// SendToGroup lets a connection send to a group.
	SendToGroup Permission = 1
	// JoinLeaveGroup lets a connection join and leave a group.
	JoinLeaveGroup Permission = 2
)

// Roles that give a permission on every group (the service's role names;
// internal/protocol has the same constants). They are defined here, not
// taken from internal/protocol, so that the emulator's protocol-neutral core
// can hold permissions without depending on a wire format.
const (
	RoleJoinLeaveGroup = "webpubsub.joinLeaveGroup"
	RoleSendToGroup    = "webpubsub.sendToGroup"
)

// Role prefixes of the plural roles, which take a pattern after the dot.
const (
	RoleJoinLeaveGroups = "webpubsub.joinLeaveGroups."
	RoleSendToGroups    = "webpubsub.sendToGroups."
)

// String returns the permission's REST name ("sendToGroup", "joinLeaveGroup").
func (p Permission) String() string {
	switch p {
	case SendToGroup:
		return "sendToGroup"
	case JoinLeaveGroup:
		return "joinLeaveGroup"
	}
	return fmt.Sprintf("Permission(%d)", int(p))
}

// Role returns the role that grants p for every group.
func (p Permission) Role() string {
	if p == SendToGroup {
		return RoleSendToGroup
	}
	return RoleJoinLeaveGroup
}

// ParsePermission reads the {permission} of a REST path: the names
// sendToGroup and joinLeaveGroup in any case, or their numbers 1 and 2, as
// Microsoft's emulator binds them (RestApiTests.Permissions: "SENDTOGROUP",
// "1" and "2" are accepted; "0", "3", "-1", "unknown" and
// "sendToGroup,joinLeaveGroup" are a 400).
func ParsePermission(s string) (Permission, error) {
	switch {
	case strings.EqualFold(s, "sendToGroup"), s == "1":
		return SendToGroup, nil
	case strings.EqualFold(s, "joinLeaveGroup"), s == "2":
		return JoinLeaveGroup, nil
	}
	return 0, fmt.Errorf("unknown permission %q: use sendToGroup or joinLeaveGroup", names.Shorten(s))
}

// ParseTarget checks the targetName query parameter of a permission
// request. Both permissions apply to a group, so targetName is required and
// must be a valid group name (names.ValidateGroup), taken as it is (no
// trimming, no patterns: "room.*" is the group of that name). Microsoft's
// emulator answers 400 for a missing, empty, blank or over-long targetName
// (RestApiTests.PermissionRestValidatesInputAndAuthentication).
func ParseTarget(p Permission, targetName string) (string, error) {
	if targetName == "" {
		return "", fmt.Errorf("targetName is required for the %s permission: name the group", p)
	}
	if err := names.ValidateGroup(targetName); err != nil {
		return "", fmt.Errorf("invalid targetName: %w", err)
	}
	return targetName, nil
}

// Grants are a connection's group permissions. The zero Grants allows
// nothing; it is safe for concurrent use.
type Grants struct {
	mu         sync.RWMutex
	send, join Set
}

// FromRoles returns the permissions roles give. Roles that cannot apply (an
// invalid pattern, a scoped role with an invalid group name, a pattern beyond
// MaxPatterns) are skipped and reported, one error each, for the log: the
// service does not refuse the connection for them. Roles are applied in
// sorted order, as Microsoft's emulator does, so which patterns are skipped
// does not depend on the order the token lists them.
func FromRoles(roles []string) (*Grants, []error) {
	g := &Grants{}
	sorted := slices.Clone(roles)
	slices.Sort(sorted)
	var errs []error
	for _, r := range sorted {
		for _, p := range []Permission{SendToGroup, JoinLeaveGroup} {
			if err := g.set(p).applyRole(r, p); err != nil {
				errs = append(errs, fmt.Errorf("role %q skipped: %w", names.Shorten(r), err))
			}
		}
	}
	return g, errs
}

// applyRole applies role to s if it is one of p's roles.
func (s *Set) applyRole(role string, p Permission) error {
	plural := RoleSendToGroups
	if p == JoinLeaveGroup {
		plural = RoleJoinLeaveGroups
	}
	if pattern, ok := strings.CutPrefix(role, plural); ok {
		compiled, err := CompilePattern(pattern)
		if err != nil {
			return err
		}
		return s.GrantPattern(compiled)
	}
	rest, ok := strings.CutPrefix(role, p.Role())
	switch {
	case !ok:
		return nil
	case rest == "":
		s.GrantAll()
		return nil
	case rest[0] != '.':
		return nil // another role, e.g. webpubsub.sendToGroupX
	}
	group := rest[1:]
	if err := names.ValidateGroup(group); err != nil {
		return err
	}
	return s.Grant(group)
}

// set returns the Set of p.
func (g *Grants) set(p Permission) *Set {
	if p == SendToGroup {
		return &g.send
	}
	return &g.join
}

// Allows reports whether the connection has permission p on group.
func (g *Grants) Allows(p Permission, group string) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.set(p).Allows(group)
}

// Grant gives the connection permission p on group (the REST API's
// GrantPermission). It fails with ErrTooManyLiterals at the bound.
func (g *Grants) Grant(p Permission, group string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.set(p).Grant(group)
}

// Revoke takes permission p on group from the connection (the REST API's
// RevokePermission); a connection that holds p for every group keeps it for
// the others. It fails with ErrTooManyLiterals at the bound.
func (g *Grants) Revoke(p Permission, group string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.set(p).Revoke(group)
}

// GrantAll gives the connection permission p on every group.
func (g *Grants) GrantAll(p Permission) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.set(p).GrantAll()
}
