package permission

import (
	"fmt"
	"math/bits"
	"unicode/utf8"

	"github.com/webpubsub-go/webpubsub/internal/names"
)

// Bounds of a group name pattern (Microsoft's emulator, Constants.cs:
// MaxPatternLength 1024, MaxPatternComplexity 5).
const (
	// MaxPatternLength is the longest pattern, in UTF-16 code units.
	MaxPatternLength = 1024
	// MaxWildcards is the most wildcards (*, ** and ?) one pattern may have.
	// A run of asterisks is one wildcard, "******" as much as "**"
	// (ConnectionRolePermissionsTests.ConsecutiveAsterisksCountAsOneWildcardToken).
	MaxWildcards = 5
)

// tokKind is the kind of one pattern token.
type tokKind uint8

const (
	tokLiteral tokKind = iota // one character
	tokOne                    // ?: one character other than '.'
	tokStar                   // *: any run of characters other than '.'
	tokAny                    // **: any run of characters
)

type token struct {
	kind tokKind
	r    rune // tokLiteral only
}

// maxWords is the number of 64-bit words a set of matcher states needs: one
// state per token plus the final one.
const maxWords = (MaxPatternLength + 1 + 63) / 64

// Pattern is a compiled group name pattern of a plural role
// (webpubsub.joinLeaveGroups.<pattern>, webpubsub.sendToGroups.<pattern>), as
// Microsoft's emulator defines them (Permissions/PatternTokenizer.cs,
// PatternMatcher.cs and their tests):
//
//   - "*" matches any run of characters within one dot-separated segment
//     (no "."), including the empty run;
//   - "**" (two or more asterisks) matches any run of characters, dots
//     included;
//   - "?" matches exactly one character other than ".";
//   - "\" escapes the next character, which must be "*", "?" or "\";
//   - every other character matches itself, case-sensitively.
//
// The pattern must match the whole group name: "room.*" matches "room.a" and
// "room." but not "room" or "room.a.b". Characters are Unicode code points
// (the service's .NET matcher counts UTF-16 code units, which differs only
// for "?" against a character outside the Basic Multilingual Plane).
//
// A Pattern is immutable and safe for concurrent use; Match allocates
// nothing.
type Pattern struct {
	src  string
	toks []token
}

// PatternError says why a pattern is refused; its texts follow Microsoft's
// emulator (WebPubSubNameValidator.IsValidPattern).
type PatternError struct {
	// Pattern is the refused pattern.
	Pattern string
	// Reason says what is wrong.
	Reason string
}

// Error implements error.
func (e *PatternError) Error() string {
	return fmt.Sprintf("permission: invalid group name pattern %q: %s", names.Shorten(e.Pattern), e.Reason)
}

// CompilePattern parses a group name pattern. It refuses an empty pattern,
// one longer than MaxPatternLength, a "\" before anything but "*", "?" and
// "\" or at the end, and more than MaxWildcards wildcards.
func CompilePattern(pattern string) (*Pattern, error) {
	if pattern == "" {
		return nil, &PatternError{pattern, "Pattern cannot be null or empty."}
	}
	if n := names.UTF16Len(pattern); n > MaxPatternLength {
		return nil, &PatternError{pattern, fmt.Sprintf("Pattern exceeds maximum length of %d characters.", MaxPatternLength)}
	}
	p := &Pattern{src: pattern, toks: make([]token, 0, len(pattern))}
	wildcards := 0
	for i := 0; i < len(pattern); {
		r, size := utf8.DecodeRuneInString(pattern[i:])
		switch r {
		case '\\':
			next, nsize := utf8.DecodeRuneInString(pattern[i+size:])
			if nsize == 0 {
				return nil, &PatternError{pattern, "Pattern cannot end with a single backslash."}
			}
			if next != '*' && next != '?' && next != '\\' {
				return nil, &PatternError{pattern, fmt.Sprintf("Invalid escape character at position %d: '%c' can't be escaped.", i, next)}
			}
			p.toks = append(p.toks, token{kind: tokLiteral, r: next})
			i += size + nsize
			continue
		case '?':
			p.toks = append(p.toks, token{kind: tokOne})
			wildcards++
		case '*':
			run := 1
			for i+run < len(pattern) && pattern[i+run] == '*' {
				run++
			}
			kind := tokStar
			if run > 1 {
				kind = tokAny
			}
			p.toks = append(p.toks, token{kind: kind})
			wildcards++
			i += run
			continue
		default:
			p.toks = append(p.toks, token{kind: tokLiteral, r: r})
		}
		i += size
	}
	if wildcards > MaxWildcards {
		return nil, &PatternError{pattern, fmt.Sprintf("Too many wildcards in the pattern, exceeding the maximum allowed complexity of %d.", MaxWildcards)}
	}
	return p, nil
}

// String returns the pattern's source text.
func (p *Pattern) String() string { return p.src }

// literal returns the group a pattern without wildcards stands for.
func (p *Pattern) literal() (string, bool) {
	buf := make([]byte, 0, len(p.src))
	for _, t := range p.toks {
		if t.kind != tokLiteral {
			return "", false
		}
		buf = utf8.AppendRune(buf, t.r)
	}
	return string(buf), true
}

// matchesAll reports whether the pattern is "**" (or a longer run of
// asterisks alone): every group.
func (p *Pattern) matchesAll() bool { return len(p.toks) == 1 && p.toks[0].kind == tokAny }

// stateSet is a set of matcher states: state i means "the first i tokens
// matched the input read so far".
type stateSet [maxWords]uint64

// Match reports whether group matches the whole pattern. It simulates the
// pattern's automaton over a bit set of states, so its cost is bounded by the
// group's length times the pattern's, whatever the wildcards (no
// backtracking), and it allocates nothing.
func (p *Pattern) Match(group string) bool {
	words := (len(p.toks) + 1 + 63) >> 6
	var a, b stateSet
	cur, next := a[:words], b[:words]
	cur[0] = 1
	p.close(cur)
	for _, r := range group {
		clear(next)
		live := false
		for w, word := range cur {
			for ; word != 0; word &= word - 1 {
				i := w<<6 + bits.TrailingZeros64(word)
				if i < len(p.toks) && p.step(next, i, r) {
					live = true
				}
			}
		}
		if !live {
			return false
		}
		p.close(next)
		cur, next = next, cur
	}
	end := len(p.toks)
	return cur[end>>6]&(1<<(end&63)) != 0
}

// step adds to next the states that state i reaches on r; it reports whether
// it added any.
func (p *Pattern) step(next []uint64, i int, r rune) bool {
	switch t := p.toks[i]; t.kind {
	case tokLiteral:
		if t.r != r {
			return false
		}
		add(next, i+1)
	case tokOne:
		if r == '.' {
			return false
		}
		add(next, i+1)
	case tokStar:
		if r == '.' {
			return false
		}
		add(next, i)
	default: // tokAny
		add(next, i)
	}
	return true
}

// close adds the states reachable without input: past a "*" or "**", which
// match the empty run. States are visited in order, so a chain of
// wildcards closes in one pass.
func (p *Pattern) close(s []uint64) {
	for w := range s {
		for word := s[w]; word != 0; word &= word - 1 {
			i := w<<6 + bits.TrailingZeros64(word)
			if i < len(p.toks) && (p.toks[i].kind == tokStar || p.toks[i].kind == tokAny) {
				add(s, i+1)
				if (i+1)>>6 == w {
					word |= 1 << ((i + 1) & 63) // visit the new state in this word too
				}
			}
		}
	}
}

// add adds state i to the set s.
func add(s []uint64, i int) { s[i>>6] |= 1 << (i & 63) }
