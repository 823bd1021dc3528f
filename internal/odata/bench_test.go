package odata

import (
	"fmt"
	"strings"
	"testing"
)

// benchFilters are representative filters for the Match and Parse benchmarks.
var benchFilters = []struct{ name, filter string }{
	{"eq", "userId eq 'user42'"},
	{"groups_or", "'group1' in groups or 'group2' in groups or 'group3' in groups"},
	{"in_list_20", "userId in (" + quotedUsers(20) + ") and 'group1' in groups"},
	{"functions", "startswith(userId, 'user') and length(userId) gt 3 and not endswith(userId, 'milk')"},
	{"tolower", "tolower(userId) eq 'user42'"},
}

func quotedUsers(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("'user%d'", i*3)
	}
	return strings.Join(parts, ",")
}

func BenchmarkMatch(b *testing.B) {
	c := Connection{ConnectionID: "conn-abc", UserID: "user42", Groups: []string{"g0", "g1", "g2", "group2"}}
	for _, bf := range benchFilters {
		f, err := Parse(bf.filter)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bf.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.Match(c)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	for _, bf := range benchFilters {
		b.Run(bf.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(bf.filter); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
