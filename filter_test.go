package webpubsub

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/odata"
)

type stringer struct{}

type (
	namedString string
	namedInt    int
	namedUint   uint16
	namedFloat  float32
	namedBool   bool
)

func (stringer) String() string { return "it's" }

func TestFilter(t *testing.T) {
	ts := time.Date(2024, 12, 1, 10, 0, 0, 0, time.UTC)
	str, num := "a'b", 42
	cases := []struct {
		format string
		args   []any
		want   string
	}{
		{"userId eq {0} and {1} in groups", []any{"user1", "group1"}, "userId eq 'user1' and 'group1' in groups"},
		{"userId eq {0}", []any{"O'Neil"}, "userId eq 'O''Neil'"},
		{"userId eq {0}", []any{"' or 1 eq 1 or userId eq '"}, "userId eq ''' or 1 eq 1 or userId eq '''"},
		{"length(userId) gt {0} and {1} and {2}", []any{3, true, false}, "length(userId) gt 3 and true and false"},
		{"{0} {1} {2} {3} {4}", []any{int8(-1), uint64(math.MaxUint64), 1.5, float32(0.25), int64(-9)}, "-1 18446744073709551615 1.5 0.25 -9"},
		{"{0} {1} {2} {3} {4}", []any{int16(2), int32(3), uint(4), uint8(5), uint16(6)}, "2 3 4 5 6"},
		{"{0}", []any{uint32(7)}, "7"},
		{"userId eq {0}", []any{nil}, "userId eq null"},
		{"{1} {0} {1}", []any{"a", "b"}, "'b' 'a' 'b'"},
		{"{0}", []any{stringer{}}, "'it''s'"},
		{"{0}", []any{errors.New("x'y")}, "'x''y'"},
		{"{0}", []any{ts}, "'2024-12-01T10:00:00Z'"},
		{"{0} {1}", []any{math.NaN(), math.Inf(1)}, "'NaN' '+Inf'"},
		{"{{0}} {0}", []any{"x"}, "{0} 'x'"},
		{"{x} {} {-1} {+0} {0", nil, "{x} {} {-1} {+0} {0"},
		{"no placeholders", nil, "no placeholders"},
		{"unicode {0}", []any{"é'ü"}, "unicode 'é''ü'"},
		{"{0} {1} {2} {3} {4}", []any{namedString("O'N"), namedInt(-4), namedUint(9), namedFloat(0.5), namedBool(true)}, "'O''N' -4 9 0.5 true"},
		{"{0} {1} {2} {3}", []any{&str, &num, (*string)(nil), &stringer{}}, "'a''b' 42 null 'it''s'"},
		{"{0}", []any{time.Second}, "'1s'"},

		// A placeholder already inside quotes is not quoted again (the JS
		// odata tag does the same); its quotes are still doubled.
		{"userId eq '{0}'", []any{"vic's"}, "userId eq 'vic''s'"},
		{"startswith(userId, '{0}-')", []any{"team'a"}, "startswith(userId, 'team''a-')"},
		{"userId eq '{0}'", []any{"' or 1 eq 1 or userId eq '"}, "userId eq ''' or 1 eq 1 or userId eq '''"},
		{"'{0}' in groups and userId eq {1}", []any{"g'1", "u"}, "'g''1' in groups and userId eq 'u'"},
		{"userId eq 'it''s {0}' or userId eq {0}", []any{"x"}, "userId eq 'it''s x' or userId eq 'x'"},
		{"userId eq '{0}{1}'", []any{7, true}, "userId eq '7true'"},
		{"userId eq '{0}'", []any{namedString("n'")}, "userId eq 'n'''"},
		{"userId eq '{{0}}'", nil, "userId eq '{0}'"},
	}
	for _, tc := range cases {
		t.Run(tc.format, func(t *testing.T) {
			got, err := Filter(tc.format, tc.args...)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.want, MustFilter(tc.format, tc.args...))
		})
	}
}

// The review's example: "vic's" inside quotes used to be quoted a second
// time, a filter that silently matches no one. Now it is a
// filter that matches vic's connections, as the emulator's OData engine
// (the service's grammar) evaluates it.
func TestFilterInsideQuotesMatches(t *testing.T) {
	for _, format := range []string{"userId eq '{0}'", "userId eq {0}"} {
		f, err := Filter(format, "vic's")
		require.NoError(t, err)
		parsed, err := odata.Parse(f)
		require.NoError(t, err, "filter %q", f)
		assert.True(t, parsed.Match(odata.Connection{ConnectionID: "c1", UserID: "vic's"}), "filter %q", f)
		assert.False(t, parsed.Match(odata.Connection{ConnectionID: "c2", UserID: "vic"}), "filter %q", f)
	}
	// An injection attempt stays one string literal.
	f, err := Filter("userId eq '{0}'", "' or userId ne 'x")
	require.NoError(t, err)
	parsed, err := odata.Parse(f)
	require.NoError(t, err)
	assert.False(t, parsed.Match(odata.Connection{ConnectionID: "c1", UserID: "anyone"}))
}

func TestFilterErrors(t *testing.T) {
	type loop *loop
	var self loop
	self = &self
	cases := []struct {
		name   string
		format string
		args   []any
		want   string
	}{
		{"missing argument", "userId eq {0}", nil, "placeholder {0} has no argument (0 given)"},
		{"missing second argument", "userId eq {0} or userId eq {1}", []any{"a"}, "placeholder {1} has no argument (1 given)"},
		{"unused argument", "userId eq {0}", []any{"a", "b"}, "argument {1} is not used"},
		{"arguments without placeholders", "userId eq 'a'", []any{"a"}, "argument {0} is not used"},
		{"slice", "userId in {0}", []any{[]string{"a", "b"}}, "[]string is a list"},
		{"array", "userId in {0}", []any{[2]int{1, 2}}, "[2]int is a list"},
		{"byte slice", "userId eq {0}", []any{[]byte("a")}, "[]uint8 is a list"},
		{"map", "userId eq {0}", []any{map[string]int{}}, "has no OData literal form"},
		{"struct", "userId eq {0}", []any{struct{ A int }{1}}, "has no OData literal form"},
		{"func", "userId eq {0}", []any{func() {}}, "has no OData literal form"},
		{"nil inside quotes", "userId eq '{0}'", []any{nil}, "nil inside a quoted string"},
		{"nil pointer inside quotes", "userId eq '{0}'", []any{(*string)(nil)}, "nil inside a quoted string"},
		{"unterminated quote", "userId eq '{0}", []any{"a"}, "ends inside a quoted string"},
		{"self pointer", "{0}", []any{self}, "points too deep"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Filter(tc.format, tc.args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Empty(t, got, "no filter comes back with an error")
			assert.PanicsWithError(t, err.Error(), func() { MustFilter(tc.format, tc.args...) })
		})
	}
}

func FuzzFilter(f *testing.F) {
	f.Add("userId eq {0}", "O'Neil")
	f.Add("userId eq '{0}'", "vic's")
	f.Add("{{0}} {0} {1} {", "'")
	f.Add("}}{0}{{", "")
	f.Fuzz(func(t *testing.T, format, arg string) {
		out, err := Filter(format, arg)
		if err != nil {
			return
		}
		// With no error the argument was used, and each use is the argument
		// with its quotes doubled.
		if !strings.Contains(out, strings.ReplaceAll(arg, "'", "''")) {
			t.Fatalf("Filter(%q, %q) = %q lost the argument", format, arg, out)
		}
		// Quotes stay balanced: the result never ends inside a string.
		if strings.Count(out, "'")%2 != 0 {
			t.Fatalf("Filter(%q, %q) = %q has unbalanced quotes", format, arg, out)
		}
	})
}
