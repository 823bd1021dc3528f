package permission

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPatternMatch holds the cases of Microsoft's emulator's
// PatternMatcherTests.TestMatches, plus ours.
func TestPatternMatch(t *testing.T) {
	tests := []struct {
		pattern, group string
		want           bool
	}{
		{"ab*", "ab", true},
		{"ab*", "abcd", true},
		{"ab*", "ab.cd", false},
		{"ab*", "bcd", false},
		{"*", "", true},
		{"*", ".", false},
		{"a*c", "a123c", true},
		{"a*c", "a123cd", false},
		{"a*c", "a1.3c", false},
		{"ab**", "ab", true},
		{"ab**", "ab.cd.ef", true},
		{"**ab", "cd.ef.ab", true},
		{"**ab", "cd.ef.abc", false},
		{"**", "", true},
		{"**", "....", true},
		{"a?c", "abc", true},
		{"a?c", "a.c", false},
		{"a?c", "ac", false},
		{"a?c", "abbc", false},
		{"?", "", false},
		{"a.**.b", "a..b", true},
		{"a*.**.*b", "ab.cd.ef.ab", true},
		{"a*.**.*b", "b.cd.ef.b", false},
		{`a\*.***b`, "a*.ab", true},
		{`a\*.***b`, "aa.ab", false},
		{`a\\.***b`, `a\.ab`, true},
		{`a\\.***b`, "aa.ab", false},
		{`a\?*`, "a?bc", true},
		{`a\?*`, "abc", false},
		{"Room*", "Room1", true},
		{"Room*", "room1", false},
		{"Room**", "room.nested", false},
		{"Ä?", "äb", false},
		// ours
		{"room.*", "room.a", true},
		{"room.*", "room.", true},
		{"room.*", "room", false},
		{"room.*", "room.a.b", false},
		{"room.**", "room.a.b", true},
		{"*.*.*.*.*", "a.b.c.d.e", true},
		{"*.*.*.*.*", "a.b.c.d", false},
		{"?????", "héllo", true}, // characters, not bytes
		{"?", "😀", true},
		{"a**b**c", "a.x.b.y.c", true},
		{"a**b**c", "a.x.c.y.b", false},
		{"chat-*-room", "chat-42-room", true},
		{"x", "x", true},
		{"x", "xx", false},
		{"*x", strings.Repeat("a", 1000) + "x", true},
		{"*x", strings.Repeat("a", 1000) + ".x", false},
		{"**x**y**z**w**v", strings.Repeat("a", 2000), false}, // no backtracking blow-up
	}
	for _, tt := range tests {
		p, err := CompilePattern(tt.pattern)
		require.NoError(t, err, tt.pattern)
		assert.Equal(t, tt.want, p.Match(tt.group), "%q matches %q", tt.pattern, tt.group)
		assert.Equal(t, tt.want, reference(t, tt.pattern).MatchString(tt.group), "reference: %q matches %q", tt.pattern, tt.group)
	}
}

// TestPatternLiteral: Microsoft's TestEscapedTokensProduceLiteralValue.
func TestPatternLiteral(t *testing.T) {
	for pattern, literal := range map[string]string{
		"room": "room", `room\*`: "room*", `room\?`: "room?", `room\\`: `room\`,
	} {
		p, err := CompilePattern(pattern)
		require.NoError(t, err)
		got, ok := p.literal()
		assert.True(t, ok, pattern)
		assert.Equal(t, literal, got)
		assert.True(t, p.Match(literal))
		assert.False(t, p.Match(literal+"extra"))
		assert.False(t, p.matchesAll())
	}
	for _, pattern := range []string{"**", "******"} {
		p, err := CompilePattern(pattern)
		require.NoError(t, err)
		assert.True(t, p.matchesAll(), pattern)
		assert.True(t, p.Match("room.nested"))
		_, ok := p.literal()
		assert.False(t, ok)
	}
	p, err := CompilePattern("room*")
	require.NoError(t, err)
	_, ok := p.literal()
	assert.False(t, ok)
	assert.Equal(t, "room*", p.String())
}

func TestCompilePatternErrors(t *testing.T) {
	tests := []struct {
		pattern, reason string
	}{
		{"", "Pattern cannot be null or empty."},
		{`a\`, "Pattern cannot end with a single backslash."},
		{`a\b`, "Invalid escape character at position 1: 'b' can't be escaped."},
		{`\.`, "Invalid escape character at position 0: '.' can't be escaped."},
		{"*.*.*.*.*.*", "Too many wildcards in the pattern, exceeding the maximum allowed complexity of 5."},
		{"??????", "maximum allowed complexity of 5"},
		{"a**b**c**d**e**f**g", "maximum allowed complexity of 5"},
		{strings.Repeat("a", MaxPatternLength+1), "Pattern exceeds maximum length of 1024 characters."},
		{strings.Repeat("😀", MaxPatternLength/2+1), "maximum length of 1024"}, // UTF-16 units
	}
	for _, tt := range tests {
		p, err := CompilePattern(tt.pattern)
		assert.Nil(t, p)
		var pe *PatternError
		require.True(t, errors.As(err, &pe), "%q: %v", tt.pattern, err)
		assert.Contains(t, pe.Reason, tt.reason, tt.pattern)
		assert.Less(t, len(err.Error()), 300, "the error does not echo a long pattern")
	}
	for _, ok := range []string{"*.*.*.*.*", "******", `\*\*\*\*\*\*\*`, "a?b?c?d?e", strings.Repeat("a", MaxPatternLength)} {
		_, err := CompilePattern(ok)
		assert.NoError(t, err, ok)
	}
}

func TestPatternMatchAllocatesNothing(t *testing.T) {
	p, err := CompilePattern("room.**.x?y*")
	require.NoError(t, err)
	long, err := CompilePattern(strings.Repeat("a", 900) + "*")
	require.NoError(t, err)
	group := strings.Repeat("a", 950)
	allocs := testing.AllocsPerRun(100, func() {
		p.Match("room.a.b.xzyabc")
		long.Match(group)
	})
	assert.Zero(t, allocs)
}

// reference compiles pattern into a Go regular expression with the same
// meaning, as an independent oracle.
func reference(t testing.TB, pattern string) *regexp.Regexp {
	t.Helper()
	var b strings.Builder
	b.WriteString(`^(?s:`)
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '\\':
			i++
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		case '?':
			b.WriteString(`[^.]`)
		case '*':
			j := i
			for j+1 < len(pattern) && pattern[j+1] == '*' {
				j++
			}
			if j > i {
				b.WriteString(`.*`)
			} else {
				b.WriteString(`[^.]*`)
			}
			i = j
		default:
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		}
	}
	b.WriteString(`)$`)
	return regexp.MustCompile(b.String())
}
