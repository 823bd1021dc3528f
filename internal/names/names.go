// Package names validates the hub and group names of the Web PubSub REST API
// (api-version 2024-12-01).
package names

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// hubPattern is the spec's hub name pattern.
var hubPattern = regexp.MustCompile("^[A-Za-z][A-Za-z0-9_`,.[\\]]{0,127}$")

// MaxGroupLength is the longest group name the service accepts, in characters.
const MaxGroupLength = 1024

// ValidateHub reports whether hub is a valid hub name: a letter followed by up to
// 127 letters, digits or the characters _ ` , . [ ].
func ValidateHub(hub string) error {
	if hub == "" {
		return fmt.Errorf("invalid hub name: must not be empty")
	}
	if !hubPattern.MatchString(hub) {
		return fmt.Errorf("invalid hub name %q: must start with a letter and contain only letters, digits and _`,.[] (at most 128 characters)", truncate(hub))
	}
	return nil
}

// ValidateGroup reports whether group is a valid group name: 1 to 1024
// characters, not only white space, and without line breaks.
func ValidateGroup(group string) error {
	n := utf8.RuneCountInString(group)
	switch {
	case n == 0:
		return fmt.Errorf("invalid group name: must not be empty")
	case n > MaxGroupLength:
		return fmt.Errorf("invalid group name: %d characters, at most %d allowed", n, MaxGroupLength)
	case strings.TrimSpace(group) == "":
		return fmt.Errorf("invalid group name: must not be blank")
	case strings.ContainsAny(group, "\r\n"):
		return fmt.Errorf("invalid group name %q: must not contain line breaks", truncate(group))
	}
	return nil
}

func truncate(s string) string {
	if len(s) <= 64 {
		return s
	}
	return s[:64] + "..."
}
