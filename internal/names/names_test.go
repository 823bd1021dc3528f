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
		{"carriage return", "a\rb", false, "line breaks"},
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
