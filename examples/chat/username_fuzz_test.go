package main

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzUserName checks that every name userName accepts is one the page can
// show: trimmed, valid UTF-8, at most maxUserNameLen printable characters.
func FuzzUserName(f *testing.F) {
	for _, s := range []string{"alice", "  bob ", "", "\x00", "a\nb", "\xff", strings.Repeat("é", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name, err := userName(raw)
		if err != nil {
			if name != "" {
				t.Fatalf("userName(%q) returned %q with error %v", raw, name, err)
			}
			return
		}
		switch {
		case name == "" || name != strings.TrimSpace(name):
			t.Fatalf("userName(%q) = %q: empty or not trimmed", raw, name)
		case name != strings.TrimSpace(raw):
			t.Fatalf("userName(%q) = %q: changed more than the surrounding space", raw, name)
		case !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxUserNameLen:
			t.Fatalf("userName(%q) = %q: invalid UTF-8 or too long", raw, name)
		case strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
			t.Fatalf("userName(%q) = %q: unprintable character", raw, name)
		}
	})
}
