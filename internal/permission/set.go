package permission

import (
	"errors"
	"fmt"
)

// Bounds of a Set (Microsoft's emulator, Constants.cs and
// GroupPermissionManager.cs).
const (
	// MaxPatterns is the most patterns a Set keeps. Microsoft's emulator
	// allows 10 rules and counts the default (all or none) as one of them
	// (GroupPermissionManagerTests.TestNineExplicitPatternsIncludeDuplicatesAndDefaultInQuota),
	// so 9 patterns; a duplicate pattern takes a place of its own.
	MaxPatterns = 9
	// MaxLiterals is the most single groups a Set records beyond its
	// patterns and its default: grants of groups the default and patterns do
	// not allow, and revocations of groups they do.
	MaxLiterals = 1000
)

// Errors of Set updates; test with errors.Is.
var (
	// ErrTooManyPatterns: the Set already holds MaxPatterns patterns.
	ErrTooManyPatterns = errors.New("permission: too many group name patterns")
	// ErrTooManyLiterals: the Set already records MaxLiterals single groups.
	// The REST API answers it with 409 Error.Connection.Conflict, as
	// Microsoft's emulator (RestApiTests.PermissionRestReturnsConflictWithoutChangingFullLiteralSet).
	ErrTooManyLiterals = errors.New("permission: too many single-group permissions")
)

// Set is the groups one permission of a connection applies to: a default
// (every group or none), up to MaxPatterns patterns that allow more groups,
// and up to MaxLiterals single groups recorded as exceptions, allowed or
// denied. A single group decides first, then the patterns, then the
// default; so revoking one group from a connection that may use every group
// denies that group only. It is GroupPermissionManager of Microsoft's
// emulator. The zero Set allows nothing.
//
// Set is not synchronized; Grants guards its Sets.
type Set struct {
	all      bool
	patterns []*Pattern
	literals map[string]bool // group: allowed (a grant) or denied (a revocation)
}

// Allows reports whether the permission applies to group. It allocates
// nothing.
func (s *Set) Allows(group string) bool {
	if v, ok := s.literals[group]; ok {
		return v
	}
	return s.rules(group)
}

// rules is what the default and the patterns say of group.
func (s *Set) rules(group string) bool {
	if s.all {
		return true
	}
	for _, p := range s.patterns {
		if p.Match(group) {
			return true
		}
	}
	return false
}

// GrantAll makes the permission apply to every group, forgetting every
// pattern and single group.
func (s *Set) GrantAll() {
	s.all = true
	s.patterns = nil
	s.literals = nil
}

// Grant makes the permission apply to group.
func (s *Set) Grant(group string) error { return s.setLiteral(group, true) }

// Revoke makes the permission not apply to group; other groups keep what
// they had.
func (s *Set) Revoke(group string) error { return s.setLiteral(group, false) }

// setLiteral records that group is allowed or denied. An exception that
// contradicts the current one is dropped rather than replaced (the default
// and patterns then decide, and say the same); one the default and patterns
// already imply is not recorded.
func (s *Set) setLiteral(group string, allowed bool) error {
	if v, ok := s.literals[group]; ok {
		if v != allowed {
			delete(s.literals, group)
		}
		return nil
	}
	if s.rules(group) == allowed {
		return nil
	}
	if len(s.literals) >= MaxLiterals {
		return fmt.Errorf("%w: at most %d", ErrTooManyLiterals, MaxLiterals)
	}
	if s.literals == nil {
		s.literals = make(map[string]bool)
	}
	s.literals[group] = allowed
	return nil
}

// GrantPattern makes the permission apply to every group p matches. A
// pattern without wildcards grants its one group; "**" grants every group.
// Single groups p matches are forgotten (they are now allowed by p).
func (s *Set) GrantPattern(p *Pattern) error {
	if lit, ok := p.literal(); ok {
		return s.Grant(lit)
	}
	if p.matchesAll() {
		s.GrantAll()
		return nil
	}
	if len(s.patterns) >= MaxPatterns {
		return fmt.Errorf("%w: at most %d", ErrTooManyPatterns, MaxPatterns)
	}
	s.patterns = append(s.patterns, p)
	for g := range s.literals {
		if p.Match(g) {
			delete(s.literals, g)
		}
	}
	return nil
}
