// Package names holds the one definition of the service's name rules: hubs,
// groups, user ids, connection ids and user event names, used by the SDKs,
// the event handler, the emulator, its settings file and the CLI alike.
//
// Sources: the REST API specification (api-version 2024-12-01, rest-api.md
// section 2) for hubs, groups and the REST path parameters; Microsoft's
// emulator (WebPubSubNameValidator.cs), which applies the same hub and group
// rules and adds the event name rule. Lengths count UTF-16 code units, as the
// service (a .NET program: string.Length) counts them.
package names

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// hubPattern is the spec's hub name pattern, also WebPubSubNameValidator's
// HubNamePattern.
var hubPattern = regexp.MustCompile("^[A-Za-z][A-Za-z0-9_`,.[\\]]{0,127}$")

// eventPattern is the user event name pattern of Microsoft's emulator
// (WebPubSubNameValidator.IsValidEventName: ^[a-z][a-z0-9_.-]{0,127}$ with
// RegexOptions.IgnoreCase).
var eventPattern = regexp.MustCompile("^[A-Za-z][A-Za-z0-9_.-]{0,127}$")

// Bounds of names, in UTF-16 code units.
const (
	// MaxHubLength is the longest hub name (the spec's pattern).
	MaxHubLength = 128
	// MaxGroupLength is the longest group name the service accepts (the
	// spec's maxLength 1024; WebPubSubNameValidator.MaximumGroupNameLength).
	MaxGroupLength = 1024
	// MaxEventLength is the longest user event name.
	MaxEventLength = 128
	// MaxUserIDLength is the longest user id accepted. The service documents
	// no bound (the spec only says minLength 1 for the REST path); this one
	// keeps a user id within what a URL path segment and the ce-userId
	// header of every upstream event comfortably carry.
	MaxUserIDLength = 1024
	// MaxConnectionIDLength is the longest connection id accepted where a
	// caller names one (REST paths, reconnection). The service assigns
	// connection ids; the emulator's have 22 characters and the service's
	// are of the same order, so anything longer names no connection.
	MaxConnectionIDLength = 256
)

// ValidateHub reports whether hub is a valid hub name: a letter followed by up to
// 127 letters, digits or the characters _ ` , . [ ].
func ValidateHub(hub string) error {
	if hub == "" {
		return fmt.Errorf("invalid hub name: must not be empty")
	}
	if !hubPattern.MatchString(hub) {
		return fmt.Errorf("invalid hub name %q: must start with a letter and contain only letters, digits and _`,.[] (at most %d characters)", Shorten(hub), MaxHubLength)
	}
	return nil
}

// NormalizeHub returns the canonical form of a hub name: hub names are
// case-insensitive and the service lower-cases them on REST calls and client
// connects, and sends the lower-cased name to event handlers as ce-hub
// (Microsoft's emulator: hub.ToLowerInvariant() at every entry point; an
// azure-sdk-for-js issue reports ce-hub arriving lower-cased from the service).
// Every entry point (REST path, client URL, settings file, CLI) should
// normalize before it looks a hub up. It does not validate: see ParseHub.
func NormalizeHub(hub string) string {
	for i := 0; i < len(hub); i++ {
		if c := hub[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(hub)
		}
	}
	return hub // already lower case: no allocation
}

// ParseHub validates hub and returns its canonical (lower-case) form.
func ParseHub(hub string) (string, error) {
	if err := ValidateHub(hub); err != nil {
		return "", err
	}
	return NormalizeHub(hub), nil
}

// ValidateGroup reports whether group is a valid group name: 1 to 1024
// UTF-16 code units, not only white space, and without a line feed (the spec's
// pattern ^(?!\s+$).+$, whose "." is .NET's and so matches anything but
// "\n"). Microsoft's emulator checks the same bounds
// (WebPubSubNameValidator.IsValidGroupName).
func ValidateGroup(group string) error {
	n := UTF16Len(group)
	switch {
	case n == 0:
		return fmt.Errorf("invalid group name: must not be empty")
	case n > MaxGroupLength:
		return fmt.Errorf("invalid group name: %d characters, at most %d allowed", n, MaxGroupLength)
	case strings.TrimSpace(group) == "":
		return fmt.Errorf("invalid group name: must not be blank")
	case strings.Contains(group, "\n"):
		return fmt.Errorf("invalid group name %q: must not contain line breaks", Shorten(group))
	}
	return nil
}

// ValidateEventName reports whether name is a valid user event name: a letter
// followed by up to 127 letters, digits or the characters _ . -, in either
// case (Microsoft's emulator refuses other event frames as invalid
// messages). The system event names (connect, connected, disconnected) pass
// too: whether a client may send them is the caller's rule.
func ValidateEventName(name string) error {
	if name == "" {
		return fmt.Errorf("invalid event name: must not be empty")
	}
	if !eventPattern.MatchString(name) {
		return fmt.Errorf("invalid event name %q: must start with a letter and contain only letters, digits and _.- (at most %d characters)", Shorten(name), MaxEventLength)
	}
	return nil
}

// ValidateUserID reports whether id is a valid user id where one is
// required (a REST path, a token's sub when present): 1 to MaxUserIDLength
// UTF-16 code units and no control character (it travels in the ce-userId
// header, where a line break would end the header).
func ValidateUserID(id string) error {
	return validateID("user id", id, MaxUserIDLength)
}

// ValidateConnectionID reports whether id can name a connection: 1 to
// MaxConnectionIDLength UTF-16 code units and no control character.
func ValidateConnectionID(id string) error {
	return validateID("connection id", id, MaxConnectionIDLength)
}

func validateID(what, id string, max int) error {
	n := UTF16Len(id)
	switch {
	case n == 0:
		return fmt.Errorf("invalid %s: must not be empty", what)
	case n > max:
		return fmt.Errorf("invalid %s: %d characters, at most %d allowed", what, n, max)
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("invalid %s %q: must not contain control characters", what, Shorten(id))
		}
	}
	return nil
}

// UTF16Len returns the length of s in UTF-16 code units, as .NET counts a
// string (an invalid UTF-8 byte counts as one replacement character): the
// unit of the service's length limits.
func UTF16Len(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			n = 0
			for _, r := range s {
				n += utf16.RuneLen(r)
			}
			return n
		}
	}
	return n
}

// Shorten returns s cut to 64 bytes, at a character boundary, with "..."
// when it was longer: what an error message quotes of a client's input.
func Shorten(s string) string {
	if len(s) <= 64 {
		return s
	}
	cut := 64
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
