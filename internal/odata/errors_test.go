package odata

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		filter string
		offset int
		msg    string // substring of the error message
	}{
		{"", 0, "empty filter"},
		{"   ", 0, "empty filter"},
		{"(userId eq 'a'", 14, "expected ')'"},
		{"userId eq 'a')", 13, "expected an operator or end of filter, found ')'"},
		{"userId eq 'a", 10, "unterminated string literal"},
		{"userId eq 'a''", 10, "unterminated string literal"},
		{"userId eq", 9, "expected an expression, found end of filter"},
		{"userId eq eq 'a'", 13, "expected an operator or end of filter, found string 'a'"}, // the second eq is an identifier, as in the service's parser
		{"userId", 0, "filter must be a boolean expression, found a string"},
		{"groups", 0, "filter must be a boolean expression, found a collection"},
		{"length(userId)", 0, "found a number"},
		{"'a'", 0, "found a string"},
		{"null", 0, "found a null"},
		{"nickname eq 'a'", 0, "unknown identifier 'nickname'"},
		{"userId eq \"a\"", 10, "unexpected character '\"'"},
		{"userId eq 'a' && true", 14, "unexpected character '&'"},
		{"userId eq 1.5", 10, "only integers are supported"},
		{"length(userId) eq 12abc", 20, "expected an operator or end of filter, found 'abc'"},
		{"length(userId) eq 99999999999999999999", 18, "only integers are supported"},
		{"length(userId) eq 1e3", 18, "only integers are supported"},
		{"length(userId) eq 10L", 18, "only integers are supported"},
		{"userId eq 'a' userId eq 'b'", 14, "expected an operator or end of filter, found 'userId'"},
		{"userId like 'a'", 7, "expected an operator or end of filter, found 'like'"},
		// type errors
		{"userId eq groups", 7, "cannot compare a collection"},
		{"groups eq 'a'", 7, "cannot compare a collection"},
		{"userId eq 1", 7, "cannot compare a string with a number"},
		{"length(userId) eq 'a'", 15, "cannot compare a number with a string"},
		{"userId eq true", 7, "cannot compare a string with a boolean"},
		{"true gt false", 5, "does not apply to booleans"},
		{"userId and true", 0, "operand of 'and' must be boolean, found a string"},
		{"true and userId", 9, "operand of 'and' must be boolean, found a string"},
		{"true or 1", 8, "operand of 'or' must be boolean, found a number"},
		{"not userId", 4, "operand of 'not' must be boolean, found a string"},
		{"not length(userId) gt 5", 4, "operand of 'not' must be boolean, found a number"},
		{"'a' in userId", 7, "right operand of 'in' must be a parenthesized list or a collection, found a string"},
		{"groups in ('a')", 0, "left operand of 'in' must be a single value"},
		{"userId in ('a', 1)", 16, "cannot compare a string with a number"},
		{"userId in ('a', groups)", 16, "cannot compare a collection"},
		{"userId in ('a' 'b')", 15, "expected an operator or end of filter, found string 'b'"},
		{"userId in ('a',", 10, "unbalanced parentheses in the list of 'in'"},
		{"userId in ('a', )x", 17, "expected an operator or end of filter, found 'x'"},
		{"1 in groups", 2, "'in groups' needs a string on the left, found a number"},
		{"true in groups", 5, "'in groups' needs a string on the left, found a boolean"},
		// functions
		{"startswith userId", 11, "expected an operator or end of filter, found 'userId'"},
		{"startswith (userId, 'a')", 11, "expected an operator or end of filter, found '('"}, // a call's "(" follows its name directly
		{"startswith(userId)", 0, "function startswith takes 2 arguments, found 1"},
		{"startswith(userId, 'a', 'b')", 0, "takes 2 arguments, found 3"},
		{"length(userId, 'a')", 0, "function length takes 1 argument, found 2"},
		{"substring(userId)", 0, "takes 2 or 3 arguments, found 1"},
		{"length()", 0, "function length takes 1 argument, found 0"},
		{"nosuch(userId)", 0, "unknown function 'nosuch'"},
		{"startswith(userId 'a')", 18, "expected ',' or ')' in arguments of startswith"},
		{"startswith(groups, 'a')", 11, "argument of startswith must be a string, found a collection"},
		{"endswith(userId, 1)", 17, "argument of endswith must be a string, found a number"},
		{"tolower(groups) eq 'a'", 8, "argument of tolower must be a string"},
		{"length(length(userId)) eq 1", 7, "argument of length must be a string or a collection, found a number"},
		{"substring(userId, connectionId) eq 'a'", 18, "arguments 2 and 3 of substring must be integers, found a string"},
		{"substring(userId, 1, true) eq 'a'", 21, "must be integers, found a boolean"},
		{"indexof(userId, groups) eq 1", 16, "argument of indexof must be a string"},
		{"concat(userId, 1) eq 'a'", 15, "argument of concat must be a string"},
		// limits
		{strings.Repeat("(", MaxDepth) + "true" + strings.Repeat(")", MaxDepth), MaxDepth, "nested deeper than 64 levels"},
		{strings.Repeat("not ", MaxDepth) + "true", 4 * MaxDepth, "nested deeper than 64 levels"},
		{strings.Repeat("length(", 100) + "userId" + strings.Repeat(")", 100) + " eq 1", 7 * MaxDepth, "nested deeper than 64 levels"},
		{"userId in " + strings.Repeat("(", 200), 10, "unbalanced parentheses"},
		{"userId in " + strings.Repeat("(", 70) + "'a'" + strings.Repeat(")", 70), 10 + MaxDepth, "nested deeper than 64 levels"},
		// operators the language lacks
		{"length(userId) add 1 eq 2", 15, "operator 'add' is not supported"},
		{"'a' has groups", 4, "operator 'has' is not supported"},
		{"-length(userId) eq 1", 0, "'-' applies only to number literals"},
		{"userId eq 'a' = true", 14, "expected an operator or end of filter, found '='"},
		{"userId eq '" + strings.Repeat("a", MaxLength) + "'", MaxLength, "at most 4096 allowed"},
	}
	for _, tt := range tests {
		name := tt.filter
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			f, err := Parse(tt.filter)
			require.Error(t, err)
			assert.Nil(t, f)
			var se *SyntaxError
			require.True(t, errors.As(err, &se), "error %T is not a *SyntaxError", err)
			assert.Contains(t, se.Msg, tt.msg)
			assert.Equal(t, tt.offset, se.Offset, "offset; error: %v", err)
			assert.True(t, strings.HasPrefix(err.Error(), "odata: at "), err.Error())
		})
	}
}

func TestSyntaxErrorFormat(t *testing.T) {
	_, err := Parse("(userId eq 'user1'")
	require.Error(t, err)
	assert.EqualError(t, err, "odata: at 18: expected ')', found end of filter")
}

func TestErrorQuotesLongTokensShortened(t *testing.T) {
	long := strings.Repeat("x", 500)
	_, err := Parse("userId eq 'a' '" + long + "'")
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 150, "message should not echo the whole token")
	assert.Contains(t, err.Error(), "...")

	// Cut inside a multi-byte rune must still produce valid UTF-8.
	_, err = Parse("userId eq 'a' '" + "a" + strings.Repeat("é", 40) + "'")
	require.Error(t, err)
	assert.True(t, strings.ToValidUTF8(err.Error(), "?") == err.Error(), "invalid UTF-8 in %q", err.Error())
}

func TestLongListWithinLimitParses(t *testing.T) {
	// Long flat chains do not count as nesting.
	var sb strings.Builder
	sb.WriteString("'g0' in groups")
	for i := 1; sb.Len() < MaxLength-20; i++ {
		sb.WriteString(" or 'g' in groups")
	}
	f, err := Parse(sb.String())
	require.NoError(t, err)
	assert.True(t, f.Match(Connection{Groups: []string{"g"}}))
	assert.False(t, f.Match(Connection{Groups: []string{"h"}}))
}
