package odata

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServiceMessages checks the message the service answers for a refused
// filter: rest-api.md section 1 ("invalid filter", position 14), the cases of
// Microsoft's emulator's ODataFilterExecutorTests, issue #26's
// "userId lt 1", and Microsoft.OData's parser and lexer positions for the
// other syntax errors (0-based, UTF-16, where the parser gave up).
func TestServiceMessages(t *testing.T) {
	tests := []struct{ filter, want string }{
		// rest-api.md: "invalid" is taken as a property, "filter" as an unknown operator
		{"invalid filter", "Invalid syntax for 'invalid filter': Syntax error at position 14 in 'invalid filter'. (Parameter 'filter')"},
		// ODataFilterExecutorTests.ValidateInvalidFilterMatchesRuntimeError
		{"( not 'a' )", "Invalid syntax for 'not 'a'': Type 'string', expect 'bool'. (Parameter 'filter')"},
		{"userId lt 1", "Invalid syntax for 'userId lt 1': Type 'string', expect 'int'. (Parameter 'filter')"},
		{"invalid(ab,c)", "Invalid syntax for 'invalid(ab,c)': Token 'invalid(ab,c)' is not supported. (Parameter 'filter')"},
		{"ab eq 1", "Invalid syntax for 'ab eq 1': Token 'ab' is not supported. (Parameter 'filter')"},
		// syntax errors: Microsoft.OData's words and positions
		{"userId eq 'a')", "Invalid syntax for 'userId eq 'a')': Syntax error at position 14 in 'userId eq 'a')'. (Parameter 'filter')"},
		{"userId like 'a'", "Invalid syntax for 'userId like 'a'': Syntax error at position 11 in 'userId like 'a''. (Parameter 'filter')"},
		{"userId eq", "Invalid syntax for 'userId eq': Expression expected at position 9 in 'userId eq'. (Parameter 'filter')"},
		{"userId eq )", "Invalid syntax for 'userId eq )': Expression expected at position 10 in 'userId eq )'. (Parameter 'filter')"},
		{"   ", "Invalid syntax for '   ': Expression expected at position 3 in '   '. (Parameter 'filter')"},
		{"(userId eq 'a'", "Invalid syntax for '(userId eq 'a'': ')' or operator expected at position 14 in '(userId eq 'a''. (Parameter 'filter')"},
		{"(userId eq 'a' 'b')", "Invalid syntax for '(userId eq 'a' 'b')': ')' or operator expected at position 15 in '(userId eq 'a' 'b')'. (Parameter 'filter')"},
		{"startswith(userId 'a')", "Invalid syntax for 'startswith(userId 'a')': ')' or ',' expected at position 18 in 'startswith(userId 'a')'. (Parameter 'filter')"},
		{"userId eq 'a", "Invalid syntax for 'userId eq 'a': There is an unterminated string literal at position 12 in 'userId eq 'a'. (Parameter 'filter')"},
		{"userId eq 'a' && true", "Invalid syntax for 'userId eq 'a' && true': Syntax error: character '&' is not valid at position 14 in 'userId eq 'a' && true'. (Parameter 'filter')"},
		{"userId eq \"a\"", "Invalid syntax for 'userId eq \"a\"': Syntax error: character '\"' is not valid at position 10 in 'userId eq \"a\"'. (Parameter 'filter')"},
		{"userId eq 'a' = 'b'", "Invalid syntax for 'userId eq 'a' = 'b'': Syntax error at position 15 in 'userId eq 'a' = 'b''. (Parameter 'filter')"},
		{"userId in ('a'", "Invalid syntax for 'userId in ('a'': Found an unbalanced bracket expression. (Parameter 'filter')"},
		{strings.Repeat("(", MaxDepth) + "true" + strings.Repeat(")", MaxDepth),
			"Invalid syntax for '" + strings.Repeat("(", MaxDepth) + "true" + strings.Repeat(")", MaxDepth) + "': Recursion depth exceeded allowed limit. (Parameter 'filter')"},
		// positions count UTF-16 code units: "😀" is two
		{"userId eq '😀' x", "Invalid syntax for 'userId eq '😀' x': Syntax error at position 16 in 'userId eq '😀' x'. (Parameter 'filter')"},
		{"'é' eq", "Invalid syntax for ''é' eq': Expression expected at position 6 in ''é' eq'. (Parameter 'filter')"},
		// a list item is parsed as a filter of its own, as the service does
		{"userId in ('a' 'b')", "Invalid syntax for 'userId in ('a' 'b')': Syntax error at position 7 in ''a' 'b''. (Parameter 'filter')"},
		// type errors name the operator that needed another type
		{"userId", "Invalid syntax for 'userId': Type 'string', expect 'bool'. (Parameter 'filter')"},
		{"length(userId) gt 'a'", "Invalid syntax for 'length(userId) gt 'a'': Type 'string', expect 'int'. (Parameter 'filter')"},
		{"true gt false", "Invalid syntax for 'True gt False': Type 'bool', expect 'int'. (Parameter 'filter')"},
		{"true and 1", "Invalid syntax for 'True and 1': Type 'int', expect 'bool'. (Parameter 'filter')"},
		{"userId eq 'a' and length(userId)", "Invalid syntax for '(userId eq 'a') and length(userId)': Type 'int', expect 'bool'. (Parameter 'filter')"},
		{"not length(userId) gt 5", "Invalid syntax for 'not length(userId)': Type 'int', expect 'bool'. (Parameter 'filter')"},
		{"tolower(1) eq 'a'", "Invalid syntax for 'tolower(1)': Type 'int', expect 'string'. (Parameter 'filter')"},
		{"substring(userId,'1') eq 'a'", "Invalid syntax for 'substring(userId,'1')': Type 'string', expect 'int'. (Parameter 'filter')"},
		// unknown tokens are named by the nearest binary operator, in or call
		{"nickname", "Invalid syntax for 'nickname': Token 'nickname' is not supported. (Parameter 'filter')"},
		{"not nickname", "Invalid syntax for 'not nickname': Token 'nickname' is not supported. (Parameter 'filter')"},
		{"not nickname and true", "Invalid syntax for '(not nickname) and True': Token 'nickname' is not supported. (Parameter 'filter')"},
		{"'a' in (nickname)", "Invalid syntax for ''a' in (nickname)': Token 'nickname' is not supported. (Parameter 'filter')"},
		{"tolower(nickname) eq 'a'", "Invalid syntax for 'tolower(nickname)': Token 'nickname' is not supported. (Parameter 'filter')"},
		{"userId eq 1.5", "Invalid syntax for 'userId eq 1.5': Token '1.5' is not supported. (Parameter 'filter')"},
		{"length()", "Invalid syntax for 'length()': Invalid token 'length()'. (Parameter 'filter')"},
		{"startswith(userId) eq true", "Invalid syntax for 'startswith(userId)': Invalid token 'startswith(userId)'. (Parameter 'filter')"},
		{"length(1) eq 1", "Invalid syntax for 'length(1)': Invalid token 'length(1)'. (Parameter 'filter')"},
		// operators the language lacks name the filter
		{"length(userId) add 1 eq 2", "Invalid syntax for 'length(userId) add 1 eq 2': Token 'BinaryOperator' is not supported. (Parameter 'filter')"},
		{"-length(userId) eq -1", "Invalid syntax for '-length(userId) eq -1': Token 'UnaryOperator' is not supported. (Parameter 'filter')"},
		{"'a' has groups", "Invalid syntax for ''a' has groups': Token 'BinaryOperator' is not supported. (Parameter 'filter')"},
	}
	for _, tt := range tests {
		name := tt.filter
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tt.filter)
			require.Error(t, err)
			var se *SyntaxError
			require.True(t, errors.As(err, &se))
			assert.Equal(t, tt.want, se.ServiceMessage())
			assert.Equal(t, tt.want, ServiceMessage(err))
			assert.True(t, strings.HasPrefix(err.Error(), "odata: at "), "Error keeps our words: %s", err)
		})
	}
	assert.Equal(t, "", ServiceMessage(errors.New("other")))
	assert.Equal(t, "", ServiceMessage(nil))
}

// TestServicePositions checks the positions of the common syntax errors
// against filters of growing prefixes, so that an off-by-one shows.
func TestServicePositions(t *testing.T) {
	for _, pad := range []int{0, 1, 7} {
		p := strings.Repeat(" ", pad)
		_, err := Parse(p + "invalid filter")
		assert.Contains(t, ServiceMessage(err), fmt.Sprintf("Syntax error at position %d in", 14+pad))
		_, err = Parse(p + "userId eq")
		assert.Contains(t, ServiceMessage(err), fmt.Sprintf("Expression expected at position %d in", 9+pad))
	}
}
