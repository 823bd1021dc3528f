package upstream

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxPatternEntryChars bounds one entry of an event pattern, in characters,
// as Microsoft's emulator bounds a WildcardPattern.
const MaxPatternEntryChars = 1024

// globToken is one element of a compiled glob.
type globToken struct {
	kind byte // 'l' literal, '?' one non-dot character, '*' run without dots, 'D' any run
	r    rune
}

// compileGlob parses one pattern entry.
func compileGlob(entry string) ([]globToken, error) {
	if n := utf8.RuneCountInString(entry); n > MaxPatternEntryChars {
		return nil, fmt.Errorf("%d characters, at most %d allowed", n, MaxPatternEntryChars)
	}
	var toks []globToken
	rs := []rune(entry)
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '?':
			toks = append(toks, globToken{kind: '?'})
		case '\\':
			if i+1 == len(rs) || (rs[i+1] != '*' && rs[i+1] != '?' && rs[i+1] != '\\') {
				return nil, fmt.Errorf(`"\" must be followed by "*", "?" or "\"`)
			}
			i++
			toks = append(toks, globToken{kind: 'l', r: rs[i]})
		case '*':
			j := i
			for j+1 < len(rs) && rs[j+1] == '*' {
				j++
			}
			kind := byte('*')
			if j > i {
				kind = 'D'
			}
			toks = append(toks, globToken{kind: kind})
			i = j
		default:
			toks = append(toks, globToken{kind: 'l', r: rs[i]})
		}
	}
	return toks, nil
}

// matchGlob reports whether toks match all of name, ignoring case. It keeps
// one row of the classic dynamic programme: O(len(toks) * len(name)) time.
func matchGlob(toks []globToken, name string) bool {
	in := []rune(name)
	// cur[j]: the tokens so far match in[:j].
	cur := make([]bool, len(in)+1)
	next := make([]bool, len(in)+1)
	cur[0] = true
	for _, t := range toks {
		clear(next)
		for j := 0; j <= len(in); j++ {
			switch t.kind {
			case '*', 'D':
				// Match empty, or extend a match of this token by one rune.
				next[j] = cur[j] || (j > 0 && next[j-1] && (t.kind == 'D' || in[j-1] != '.'))
			case '?':
				next[j] = j > 0 && cur[j-1] && in[j-1] != '.'
			default:
				next[j] = j > 0 && cur[j-1] && foldEqual(t.r, in[j-1])
			}
		}
		cur, next = next, cur
	}
	return cur[len(in)]
}

// foldEqual compares two runes ignoring case.
func foldEqual(a, b rune) bool {
	return a == b || unicode.ToUpper(a) == unicode.ToUpper(b)
}

// ValidateEventPattern checks a user event pattern: "", "*" or a
// comma-separated list of names and globs (see MatchEventPattern). Empty entries, spaces inside an entry, braces, slashes and bad
// escapes are refused: no event name can hold them.
func ValidateEventPattern(p string) error {
	if s := strings.TrimSpace(p); s == "" || s == "*" {
		return nil
	}
	for _, entry := range strings.Split(p, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return fmt.Errorf("pattern %q has an empty event name", p)
		}
		if strings.ContainsAny(entry, "{}/ \t") {
			return fmt.Errorf("pattern %q: %q is not an event name or glob; use \"*\", names, or globs such as \"room.*\" (one segment), \"room.**\" (any segments) and \"?\" (one character), separated by commas", p, entry)
		}
		if _, err := compileGlob(entry); err != nil {
			return fmt.Errorf("pattern %q: entry %q: %w", p, entry, err)
		}
	}
	return nil
}

// MatchEventPattern reports whether the user event pattern p selects the
// event name; invalid entries never match. A pattern is "*" (every event),
// "" (none) or a comma-separated list of globs, as Microsoft's emulator
// reads EventPattern (WildcardPattern, matched ignoring case):
//
//   - "*" within an entry matches any run of characters but ".", so that
//     "room.*" takes "room.message" and not "room.message.more";
//   - "**" (two or more "*") matches any run of characters, dots included;
//   - "?" matches one character but ".";
//   - "\*", "\?" and "\\" match "*", "?" and "\";
//   - an entry that is exactly "*" matches every event, dots included (the
//     service's documented "*"; Microsoft's emulator's test
//     RoutesUserEventsSeparatelyFromSystemEvents routes "room.message" to
//     a handler whose pattern is "*").
//
// Entries are trimmed of spaces and compared ignoring case.
func MatchEventPattern(p, name string) bool {
	for _, entry := range strings.Split(p, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if entry == "*" {
			return true
		}
		toks, err := compileGlob(entry)
		if err == nil && matchGlob(toks, name) {
			return true
		}
	}
	return false
}
