package webpubsub

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
	type loop *loop
	var self loop
	self = &self
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
		{"{0}", []any{[]int{1}}, "'[1]'"},
		{"{{0}} {0}", []any{"x"}, "{0} 'x'"},
		{"{2} {x} {} {-1} {+0} {0", []any{"a"}, "{2} {x} {} {-1} {+0} {0"},
		{"no placeholders", nil, "no placeholders"},
		{"unicode {0}", []any{"é'ü"}, "unicode 'é''ü'"},
		{"{0} {1} {2} {3} {4}", []any{namedString("O'N"), namedInt(-4), namedUint(9), namedFloat(0.5), namedBool(true)}, "'O''N' -4 9 0.5 true"},
		{"{0} {1} {2} {3}", []any{&str, &num, (*string)(nil), &stringer{}}, "'a''b' 42 null 'it''s'"},
		{"{0}", []any{time.Second}, "'1s'"},
		{"{0}", []any{self}, "'" + fmt.Sprint(self) + "'"},
	}
	for _, tc := range cases {
		t.Run(tc.format, func(t *testing.T) {
			assert.Equal(t, tc.want, Filter(tc.format, tc.args...))
		})
	}
}

func FuzzFilter(f *testing.F) {
	f.Add("userId eq {0}", "O'Neil")
	f.Add("{{0}} {0} {1} {", "'")
	f.Add("}}{0}{{", "")
	f.Fuzz(func(t *testing.T, format, arg string) {
		out := Filter(format, arg)
		// Only {0} placeholders are replaced; every one of them becomes the
		// quoted argument, so a lone argument always appears quoted.
		if strings.Contains(format, "{0}") && !strings.Contains(format, "{{") && !strings.Contains(format, "}}") {
			if !strings.Contains(out, "'"+strings.ReplaceAll(arg, "'", "''")+"'") {
				t.Fatalf("Filter(%q, %q) = %q lost the quoted argument", format, arg, out)
			}
		}
		// The quoted literal of arg never has an odd run of quotes inside.
		lit := odataLiteral(arg)
		inner := lit[1 : len(lit)-1]
		if strings.Count(strings.ReplaceAll(inner, "''", ""), "'") != 0 {
			t.Fatalf("literal %q has an unescaped quote", lit)
		}
	})
}
