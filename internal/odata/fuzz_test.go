package odata

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// fuzzConns are the connections every fuzzed filter is matched against.
var fuzzConns = []Connection{
	{},
	alice, bob, anon, oneil, upper, spaced, dashed, uni,
	{ConnectionID: "\xff\xfe", UserID: "\xc3", Groups: []string{"", "\x00"}},
	{ConnectionID: "c", Protocol: "json.webpubsub.azure.v1"},
}

// positionRE finds the positions the service's messages report.
var positionRE = regexp.MustCompile(`at position (\d+) in '`)

// checkServiceMessage fails unless msg is a well-formed service message for
// filter s: "Invalid syntax for '...': ... (Parameter 'filter')", every
// reported position within the text it names.
func checkServiceMessage(t *testing.T, s, msg string) {
	t.Helper()
	if !strings.HasPrefix(msg, "Invalid syntax for '") || !strings.HasSuffix(msg, ". (Parameter 'filter')") {
		t.Fatalf("Parse(%q): malformed service message %q", s, msg)
	}
	for _, m := range positionRE.FindAllStringSubmatchIndex(msg, -1) {
		pos, _ := strconv.Atoi(msg[m[2]:m[3]])
		if pos > utf16Index(s, len(s)) {
			t.Fatalf("Parse(%q): position %d beyond the filter in %q", s, pos, msg)
		}
	}
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
		"invalid filter",
		"userId in ('a', concat('b','c'), null) and not 'g' in groups",
		"protocol eq 'json.webpubsub.azure.v1' or length(userId) add 1 eq -2",
		"substring(userId, indexof(userId, 'x'), 2) eq 'ab'",
		"userId eq 1.5e3 or x eq 'é😀'",
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
			checkServiceMessage(t, s, se.ServiceMessage())
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
