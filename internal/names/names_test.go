package names

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateHub(t *testing.T) {
	tests := []struct {
		hub   string
		valid bool
	}{
		// from the spec's pattern ^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$
		{"hub1", true},
		{"a[b]", true},
		{"h`,.", true},
		{"a", true},
		{"Z_9", true},
		{"chat.room[1],x`y", true},
		{"a" + strings.Repeat("b", 127), true}, // 128 characters
		{"1hub", false},
		{"h-b", false},
		{"", false},
		{"a" + strings.Repeat("b", 128), false}, // 129 characters
		{"_hub", false},
		{"hub name", false},
		{"hub/x", false},
		{"hub\n", false},
		{"hüb", false},
		{"hub?x", false},
		{"hub%20", false},
	}
	for _, tt := range tests {
		t.Run(tt.hub, func(t *testing.T) {
			err := ValidateHub(tt.hub)
			if tt.valid {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "invalid hub name"), err.Error())
		})
	}
}

func TestValidateHubErrorTruncatesLongNames(t *testing.T) {
	err := ValidateHub("1" + strings.Repeat("x", 1000))
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 250)
	assert.Contains(t, err.Error(), "...")
}

func TestValidateGroup(t *testing.T) {
	tests := []struct {
		name  string
		group string
		valid bool
		msg   string
	}{
		{"simple", "group1", true, ""},
		{"one char", "g", true, ""},
		{"inner spaces", " a b ", true, ""},
		{"symbols", "a/b?c#d%e&f", true, ""},
		{"unicode", "группа-😀", true, ""},
		{"1024 chars", strings.Repeat("g", 1024), true, ""},
		{"1024 multibyte chars", strings.Repeat("é", 1024), true, ""},
		{"1025 chars", strings.Repeat("g", 1025), false, "1025 characters, at most 1024"},
		{"1025 multibyte chars", strings.Repeat("é", 1025), false, "at most 1024"},
		{"empty", "", false, "must not be empty"},
		{"blank", "   ", false, "must not be blank"},
		{"tabs", "\t \t", false, "must not be blank"},
		{"line feed", "a\nb", false, "line breaks"},
		// The spec's pattern is .NET's: "." matches a carriage return.
		{"carriage return", "a\rb", true, ""},
		// Lengths are UTF-16 code units, as .NET counts them.
		{"512 astral chars", strings.Repeat("😀", 512), true, ""},
		{"513 astral chars", strings.Repeat("😀", 513), false, "1026 characters, at most 1024"},
		{"blank unicode", "\u00a0\u2003\u3000", false, "must not be blank"},
		{"trailing newline", "group\n", false, "line breaks"},
		{"only newline", "\n", false, "blank"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateGroup(tt.group)
			if tt.valid {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "invalid group name"), err.Error())
			assert.Less(t, len(err.Error()), 250, "error must not echo a long name")
		})
	}
}

func TestMaxGroupLength(t *testing.T) {
	assert.Equal(t, 1024, MaxGroupLength)
}

func TestNormalizeHub(t *testing.T) {
	assert.Equal(t, "chat", NormalizeHub("CHAT"))
	assert.Equal(t, "chat.room[1]", NormalizeHub("Chat.Room[1]"))
	assert.Equal(t, "chat", NormalizeHub("chat"))
	assert.Equal(t, "", NormalizeHub(""))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = NormalizeHub("already_lower") }), "a lower-case hub is returned as is")

	h, err := ParseHub("MyHub")
	require.NoError(t, err)
	assert.Equal(t, "myhub", h)
	_, err = ParseHub("_chat")
	assert.ErrorContains(t, err, "must start with a letter")
}

func TestValidateEventName(t *testing.T) {
	tests := []struct {
		name  string
		valid bool
	}{
		// Microsoft's emulator: ^[a-z][a-z0-9_.-]{0,127}$, case-insensitive.
		{"message", true},
		{"Message", true},
		{"a", true},
		{"order.created", true},
		{"order-created_v2", true},
		{"A" + strings.Repeat("b", 127), true},
		{"A" + strings.Repeat("b", 128), false},
		{"", false},
		{"1event", false},
		{"_event", false},
		{".event", false},
		{"ev ent", false},
		{"ev/ent", false},
		{"évent", false},
		{"event\n", false},
	}
	for _, tt := range tests {
		err := ValidateEventName(tt.name)
		if tt.valid {
			assert.NoError(t, err, tt.name)
			continue
		}
		require.Error(t, err, tt.name)
		assert.True(t, strings.HasPrefix(err.Error(), "invalid event name"), err.Error())
	}
}

func TestValidateIDs(t *testing.T) {
	assert.NoError(t, ValidateUserID("user-1@example.com"))
	assert.NoError(t, ValidateUserID("用户 1"))
	assert.NoError(t, ValidateUserID(strings.Repeat("u", MaxUserIDLength)))
	assert.ErrorContains(t, ValidateUserID(""), "invalid user id: must not be empty")
	assert.ErrorContains(t, ValidateUserID(strings.Repeat("u", MaxUserIDLength+1)), "1025 characters, at most 1024")
	assert.ErrorContains(t, ValidateUserID("a\r\nX-Injected: 1"), "control characters")
	assert.ErrorContains(t, ValidateUserID("a\x00"), "control characters")

	assert.NoError(t, ValidateConnectionID("c1"))
	assert.NoError(t, ValidateConnectionID(strings.Repeat("c", MaxConnectionIDLength)))
	assert.ErrorContains(t, ValidateConnectionID(strings.Repeat("c", MaxConnectionIDLength+1)), "at most 256")
	assert.ErrorContains(t, ValidateConnectionID(""), "invalid connection id")
	assert.ErrorContains(t, ValidateConnectionID("c\x7f"), "control characters")
}

func TestTruncateKeepsUTF8(t *testing.T) {
	err := ValidateHub("1" + strings.Repeat("é", 100))
	require.Error(t, err)
	assert.Equal(t, strings.ToValidUTF8(err.Error(), "?"), err.Error())
}
