package permission

import (
	"strings"
	"testing"
)

// BenchmarkAllows measures the permission checks of a joinGroup or
// sendToGroup frame: a role for every group, a literal, a pattern, and the
// worst case of nine patterns none of which matches.
func BenchmarkAllows(b *testing.B) {
	var nine []string
	for _, p := range []string{"a*", "b*", "c*", "d.**", "e?f", "g*h*", "i**j", "k", "l*.m*"} {
		nine = append(nine, "webpubsub.sendToGroups."+p)
	}
	cases := []struct {
		name  string
		roles []string
		group string
	}{
		{"all", []string{"webpubsub.sendToGroup"}, "room.42"},
		{"literal", []string{"webpubsub.sendToGroup.room.42"}, "room.42"},
		{"pattern", []string{"webpubsub.sendToGroups.room.*"}, "room.42"},
		{"pattern_long_group", []string{"webpubsub.sendToGroups.room.**"}, "room." + strings.Repeat("x", 200)},
		{"nine_patterns_miss", nine, "zzz.zzzzzz"},
	}
	for _, c := range cases {
		g, errs := FromRoles(c.roles)
		if len(errs) > 0 {
			b.Fatal(errs)
		}
		if !g.Allows(SendToGroup, c.group) && c.name != "nine_patterns_miss" {
			b.Fatalf("%s: not allowed", c.name)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g.Allows(SendToGroup, c.group)
			}
		})
	}
}

func BenchmarkCompilePattern(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CompilePattern("chat.*.room-??.**"); err != nil {
			b.Fatal(err)
		}
	}
}
