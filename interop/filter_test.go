package interop

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
)

// webpubsub.Filter writes the same filter as the JS SDK's odata template tag,
// including a placeholder already inside quotes, which neither quotes again.
func TestFilterMatchesJSOdataTag(t *testing.T) {
	requireNode(t)
	js := newJSService(t, testCtx(t, scriptDeadline), "", "")
	placeholder := regexp.MustCompile(`\{\d+\}`)
	cases := []struct {
		format string // placeholders {0}, {1}, ... in order, each once
		args   []any
	}{
		{"userId eq {0}", []any{"vic's"}},
		{"userId eq '{0}'", []any{"vic's"}},
		{"startswith(userId, '{0}-')", []any{"team'a"}},
		{"length(userId) gt {0} and {1}", []any{3, true}},
		{"userId eq {0} or userId eq {1}", []any{nil, "O'Neil"}},
		{"'{0}' in groups and {1} in groups", []any{"g'1", "g 2"}},
		{"userId eq {0}", []any{"' or 1 eq 1 or userId eq '"}},
		{"userId eq '{0}'", []any{"' or 1 eq 1 or userId eq '"}},
		{"userId in ({0}, {1})", []any{"a", "b"}},
		{"connectionId ne {0} and userId eq {1}", []any{"c'1", 2.5}},
	}
	for _, tc := range cases {
		t.Run(tc.format, func(t *testing.T) {
			goFilter, err := webpubsub.Filter(tc.format, tc.args...)
			require.NoError(t, err)
			var res struct{ Filter string }
			js.must(js.ctx, "odata", map[string]any{"strings": placeholder.Split(tc.format, -1), "values": tc.args}, &res)
			assert.Equal(t, res.Filter, goFilter)
		})
	}

	// Where they differ on purpose: the JS tag only looks at the character
	// before the placeholder, so a placeholder inside quotes but not right
	// after the opening quote is quoted a second time, a filter that matches
	// no one. Filter tracks the quotes of the whole format.
	t.Run("inside quotes after other text", func(t *testing.T) {
		goFilter, err := webpubsub.Filter("endswith(userId, '-{0}')", "x")
		require.NoError(t, err)
		assert.Equal(t, "endswith(userId, '-x')", goFilter)
		var res struct{ Filter string }
		js.must(js.ctx, "odata", map[string]any{"strings": []string{"endswith(userId, '-", "')"}, "values": []any{"x"}}, &res)
		assert.Equal(t, "endswith(userId, '-'x'')", res.Filter, "the JS tag's output, kept here to show the difference")
	})
}
