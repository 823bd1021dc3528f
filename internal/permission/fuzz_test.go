package permission

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// fuzzGroups are the groups every compiled pattern is matched against, besides
// the fuzzed one.
var fuzzGroups = []string{"", ".", "room", "room.a", "room.a.b", "a*b", `a\b`, "héllo", "\xff", "..."}

// FuzzCompilePattern checks that CompilePattern never panics, that its
// errors are PatternErrors, and that Match agrees with an independent regular
// expression for every pattern it accepts.
func FuzzCompilePattern(f *testing.F) {
	for _, s := range []string{"room.*", "**", "a?c", `a\*.***b`, `a\\.***b`, `a\`, `a\b`, "*.*.*.*.*.*", "Ä?", "", "******"} {
		f.Add(s, "room.a")
	}
	f.Fuzz(func(t *testing.T, pattern, group string) {
		p, err := CompilePattern(pattern)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("CompilePattern(%q) error %T is not a *PatternError", pattern, err)
			}
			return
		}
		if !utf8.ValidString(pattern) {
			// The oracle needs valid UTF-8; just exercise the matcher.
			p.Match(group)
			return
		}
		re := reference(t, pattern)
		for _, g := range append(fuzzGroups, group) {
			if !utf8.ValidString(g) {
				p.Match(g)
				continue
			}
			if got, want := p.Match(g), re.MatchString(g); got != want {
				t.Fatalf("pattern %q on %q: Match %v, reference %v", pattern, g, got, want)
			}
		}
	})
}
