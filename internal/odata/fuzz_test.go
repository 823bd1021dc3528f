package odata

import (
	"errors"
	"testing"
)

// fuzzConns are the connections every fuzzed filter is matched against.
var fuzzConns = []Connection{
	{},
	alice, bob, anon, oneil, upper, spaced, dashed, unicode,
	{ConnectionID: "\xff\xfe", UserID: "\xc3", Groups: []string{"", "\x00"}},
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"userId eq 'user1'",
		"userId eq 'O''Neil'",
		"'group1' in groups and not (userId in ('a','b'))",
		"length(userId) gt 3 or substring(userId, 1, 2) eq 'ab'",
		"startswith(tolower(userId), 'a') and indexof(connectionId, '-') ge 0",
		"concat(trim(userId), 'x') ne null",
		"((((true))))",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T is not a *SyntaxError", s, err)
			}
			if se.Offset < 0 || se.Offset > len(s) && se.Offset != MaxLength {
				t.Fatalf("Parse(%q) error offset %d outside the filter", s, se.Offset)
			}
			if flt != nil {
				t.Fatalf("Parse(%q) returned a filter with an error", s)
			}
			return
		}
		results := make([]bool, len(fuzzConns))
		for i, c := range fuzzConns {
			results[i] = flt.Match(c)
		}
		// Negating the filter must negate every result.
		neg, err := Parse("not (" + s + ")")
		if err != nil {
			return // may exceed the length or depth limit
		}
		for i, c := range fuzzConns {
			if neg.Match(c) == results[i] {
				t.Fatalf("not (%s) and %s agree (%v) on connection %+v", s, s, results[i], c)
			}
		}
	})
}
