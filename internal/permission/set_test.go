package permission

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustPattern(t testing.TB, s string) *Pattern {
	t.Helper()
	p, err := CompilePattern(s)
	require.NoError(t, err)
	return p
}

func TestSetZeroAllowsNothing(t *testing.T) {
	var s Set
	assert.False(t, s.Allows("room"))
	assert.False(t, s.Allows(""))
}

// TestSetRevokeOneOfAll: revoking one group from a connection that holds the
// role for every group denies that group only.
func TestSetRevokeOneOfAll(t *testing.T) {
	var s Set
	s.GrantAll()
	require.NoError(t, s.Revoke("room"))
	assert.False(t, s.Allows("room"))
	assert.True(t, s.Allows("room-other"))
	assert.True(t, s.Allows("lobby"))
	require.NoError(t, s.Grant("room"))
	assert.True(t, s.Allows("room"))
	assert.Empty(t, s.literals, "the grant dropped the revocation instead of recording a second exception")
}

// TestSetLiteralUpdates follows Microsoft's
// GroupPermissionManagerTests.TestPureLiteralPatternUsesLiteralTransitions.
func TestSetLiteralUpdates(t *testing.T) {
	for pattern, literal := range map[string]string{"room": "room", `room\*`: "room*", `room\?`: "room?", `room\\`: `room\`} {
		var s Set
		assert.False(t, s.Allows(literal))
		require.NoError(t, s.GrantPattern(mustPattern(t, pattern)))
		assert.True(t, s.Allows(literal))
		assert.False(t, s.Allows(literal+"extra"))
		require.NoError(t, s.GrantPattern(mustPattern(t, pattern)), "a duplicate literal is a no-op")
		assert.Len(t, s.literals, 1)
		require.NoError(t, s.Revoke(literal))
		assert.False(t, s.Allows(literal))
		assert.Empty(t, s.literals, "the grant was removed, not replaced with a deny exception")
		require.NoError(t, s.Revoke(literal))
		assert.Empty(t, s.literals)
	}
}

// TestSetLiteralLimit follows TestLiteralLimitIsAtomicAndOppositeUpdateReclaimsQuota.
func TestSetLiteralLimit(t *testing.T) {
	for _, allowAll := range []bool{false, true} {
		t.Run(fmt.Sprint("allowAll=", allowAll), func(t *testing.T) {
			var s Set
			if allowAll {
				s.GrantAll()
			}
			set := func(g string, allowed bool) error {
				if allowed {
					return s.Grant(g)
				}
				return s.Revoke(g)
			}
			for i := 0; i < MaxLiterals; i++ {
				require.NoError(t, set(fmt.Sprint("room", i), !allowAll))
			}
			assert.ErrorIs(t, set("overflow", !allowAll), ErrTooManyLiterals)
			assert.Equal(t, allowAll, s.Allows("overflow"), "a refused update changes nothing")
			for i := 0; i < MaxLiterals; i++ {
				require.Equal(t, !allowAll, s.Allows(fmt.Sprint("room", i)))
			}
			require.NoError(t, set("room0", !allowAll), "a no-op at the limit succeeds")
			require.NoError(t, set("overflow", allowAll), "a no-op at the limit succeeds")
			require.NoError(t, set("room0", allowAll), "the opposite update frees a place")
			assert.Equal(t, allowAll, s.Allows("room0"))
			require.NoError(t, set("overflow", !allowAll))
			assert.Equal(t, !allowAll, s.Allows("overflow"))
			assert.ErrorIs(t, set("another", !allowAll), ErrTooManyLiterals)
		})
	}
}

// TestSetPatternLimit follows TestNineExplicitPatternsIncludeDuplicatesAndDefaultInQuota.
func TestSetPatternLimit(t *testing.T) {
	for _, duplicate := range []bool{false, true} {
		var s Set
		for i := 0; i < MaxPatterns; i++ {
			p := fmt.Sprintf("room%d*", i)
			if duplicate {
				p = "room0*"
			}
			require.NoError(t, s.GrantPattern(mustPattern(t, p)))
		}
		require.NoError(t, s.Revoke("room0x"))
		assert.ErrorIs(t, s.GrantPattern(mustPattern(t, "target*")), ErrTooManyPatterns)
		assert.ErrorIs(t, s.GrantPattern(mustPattern(t, "room0*")), ErrTooManyPatterns)
		assert.False(t, s.Allows("targetExtra"))
		assert.False(t, s.Allows("room0x"), "a refused pattern must not drop a revocation")
		assert.True(t, s.Allows("room0"))
		require.NoError(t, s.GrantPattern(mustPattern(t, "plain")), "a pattern without wildcards still fits")
		assert.True(t, s.Allows("plain"))
	}
}

// TestSetGrantAllClears follows TestGrantAllClearsLiteralsAndPatternCount.
func TestSetGrantAllClears(t *testing.T) {
	for _, reset := range []string{"", "**", "******"} {
		var s Set
		for i := 0; i < MaxPatterns; i++ {
			require.NoError(t, s.GrantPattern(mustPattern(t, "room*")))
		}
		for i := 0; i < MaxLiterals; i++ {
			require.NoError(t, s.Revoke(fmt.Sprint("room", i)))
		}
		assert.False(t, s.Allows("room0"))
		assert.False(t, s.Allows("unmatched.nested"))
		if reset == "" {
			s.GrantAll()
		} else {
			require.NoError(t, s.GrantPattern(mustPattern(t, reset)))
		}
		assert.True(t, s.Allows("room0"))
		assert.True(t, s.Allows("unmatched.nested"))
		for i := 0; i < MaxPatterns; i++ {
			require.NoError(t, s.GrantPattern(mustPattern(t, "new*")))
		}
		assert.ErrorIs(t, s.GrantPattern(mustPattern(t, "tenth*")), ErrTooManyPatterns)
		for i := 0; i < MaxLiterals; i++ {
			require.NoError(t, s.Revoke(fmt.Sprint("new", i)))
		}
		assert.ErrorIs(t, s.Revoke("overflow"), ErrTooManyLiterals)
		assert.True(t, s.Allows("overflow"))
	}
}

// TestSetPatternDropsMatchingLiterals follows
// TestAddingPatternRemovesMatchingLiteralsAndReclaimsQuota.
func TestSetPatternDropsMatchingLiterals(t *testing.T) {
	for _, allowAll := range []bool{false, true} {
		var s Set
		if allowAll {
			s.GrantAll()
		}
		set := func(g string, allowed bool) {
			t.Helper()
			if allowed {
				require.NoError(t, s.Grant(g))
			} else {
				require.NoError(t, s.Revoke(g))
			}
		}
		for i := 0; i < MaxLiterals-1; i++ {
			set(fmt.Sprint("room", i), !allowAll)
		}
		set("other", !allowAll)
		require.NoError(t, s.GrantPattern(mustPattern(t, "room*")))
		assert.True(t, s.Allows("room0"))
		assert.True(t, s.Allows("roomNew"))
		assert.Equal(t, !allowAll, s.Allows("other"), "non-matching exceptions survive")
		set("room0", true)
		set("room0", false)
		assert.False(t, s.Allows("room0"))
		set("room0", true)
		assert.True(t, s.Allows("room0"))
		set("outside", !allowAll)
		assert.Equal(t, !allowAll, s.Allows("outside"), "the pattern freed the places of the literals it matched")
	}
}
