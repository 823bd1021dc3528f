package odata

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// Connections the match table is evaluated against.
var (
	alice  = Connection{ConnectionID: "c-alice", UserID: "alice", Groups: []string{"group1", "admins"}, Protocol: "json.reliable.webpubsub.azure.v1"}
	bob    = Connection{ConnectionID: "c-bob", UserID: "bob", Groups: []string{"group2"}, Protocol: "protobuf.webpubsub.azure.v1"}
	anon   = Connection{ConnectionID: "c-anon"}
	oneil  = Connection{ConnectionID: "c-oneil", UserID: "O'Neil", Groups: []string{"group1"}}
	upper  = Connection{ConnectionID: "C-UP", UserID: "USER1"}
	spaced = Connection{ConnectionID: "c-sp", UserID: " user1 "}
	dashed = Connection{ConnectionID: "123", UserID: "user-ab-de", Groups: []string{"g1", "g2", "g3"}}
	uni    = Connection{ConnectionID: "c-u", UserID: "ü😀x"} // 1 + 2 + 1 UTF-16 units
)

var allConns = map[string]Connection{
	"alice": alice, "bob": bob, "anon": anon, "oneil": oneil,
	"upper": upper, "spaced": spaced, "dashed": dashed, "unicode": uni,
}

func TestMatchTable(t *testing.T) {
	tests := []struct {
		filter string
		match  []string // names in allConns that match; all others must not
	}{
		// identifiers, case-insensitive
		{"userId eq 'alice'", []string{"alice"}},
		{"USERID eq 'alice'", []string{"alice"}},
		{"UserId EQ 'alice'", []string{"alice"}},
		{"connectionId eq 'c-bob'", []string{"bob"}},
		{"ConnectionID ne 'c-bob'", []string{"alice", "anon", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"userId eq 'ALICE'", nil}, // values compare ordinally
		// null
		{"userId eq null", []string{"anon"}},
		{"null eq userId", []string{"anon"}},
		{"userId ne null", []string{"alice", "bob", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"userId eq ''", nil},
		{"null eq null", []string{"alice", "bob", "anon", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"userId gt null", nil},
		// escaping
		{"userId eq 'O''Neil'", []string{"oneil"}},
		{"userId in ('O''Neil', 'bob')", []string{"oneil", "bob"}},
		// boolean literals and logic
		{"true", []string{"alice", "bob", "anon", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"false", nil},
		{"not true", nil},
		{"not not true", []string{"alice", "bob", "anon", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"userId eq 'alice' or userId eq 'bob'", []string{"alice", "bob"}},
		{"userId eq 'alice' and connectionId eq 'c-bob'", nil},
		{"userId eq 'alice' and connectionId ne '123'", []string{"alice"}},
		{"userId eq 'alice' and (not ('group1' in groups))", nil},
		{"userId eq 'bob' and (not ('group1' in groups))", []string{"bob"}},
		{"not ('group1' in groups)", []string{"bob", "anon", "upper", "spaced", "dashed", "unicode"}},
		// precedence: and binds tighter than or
		{"userId eq 'bob' or userId eq 'alice' and false", []string{"bob"}},
		{"(userId eq 'bob' or userId eq 'alice') and false", nil},
		{"false and true or true", []string{"alice", "bob", "anon", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"((((userId eq 'alice'))))", []string{"alice"}},
		{"true eq (userId eq 'alice')", []string{"alice"}},
		{"startswith(userId, 'a') eq true", []string{"alice"}},
		// in
		{"'group1' in groups", []string{"alice", "oneil"}},
		{"'group1' in (groups)", []string{"alice", "oneil"}},
		{"'Group1' in groups", nil},
		{"'group1' in groups or 'group2' in groups or 'g3' in groups", []string{"alice", "bob", "oneil", "dashed"}},
		{"userId in ('alice', 'bob')", []string{"alice", "bob"}},
		{"userId in ('alice')", []string{"alice"}},
		{"userId in (null)", []string{"anon"}},
		{"userId in ('alice', 'bob', 'carol') and 'group1' in groups", []string{"alice"}},
		{"userId in groups", nil},
		{"connectionId in ('x1','x2','x3','x4','x5','x6','x7','x8','123','c-bob')", []string{"dashed", "bob"}},
		{"userId in ('x1','x2','x3','x4','x5','x6','x7','x8',null)", []string{"anon"}},
		{"userId in ('x1','x2','x3','x4','x5','x6','x7','x8',connectionId)", nil},
		{"userId in (connectionId, 'bob')", []string{"bob"}},
		{"length(userId) in (3, 5)", []string{"alice", "bob", "upper"}},
		// comparisons: strings ordinal, numbers numeric
		{"userId gt 'b'", []string{"bob", "dashed", "unicode"}},
		{"userId lt 'b'", []string{"alice", "oneil", "upper", "spaced"}},
		{"userId ge 'bob'", []string{"bob", "dashed", "unicode"}},
		{"userId le 'bob'", []string{"alice", "bob", "oneil", "upper", "spaced"}},
		{"length(userId) gt 9", []string{"dashed"}},
		{"length(userId) ge 10", []string{"dashed"}},
		{"length(userId) lt 4", []string{"bob"}},
		{"length(userId) le 3", []string{"bob"}},
		{"length(userId) eq 5", []string{"alice", "upper"}},
		{"length(userId) gt 10 or length(userId) le 3", []string{"bob"}},
		{"length(userId) le 10 and length(userId) gt 5", []string{"oneil", "spaced", "dashed"}},
		{"length(userId) gt +9", []string{"dashed"}},
		{"length(userId) gt -1", []string{"alice", "bob", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"10 lt length(userId) or 2 gt 1", []string{"alice", "bob", "anon", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"length(userId) eq null", []string{"anon"}},
		{"length(userId) eq 4", []string{"unicode"}},
		{"length(groups) gt 1", []string{"alice", "dashed"}},
		{"length(groups) eq 0", []string{"anon", "upper", "spaced", "unicode"}},
		{"length('abc') eq 3", []string{"alice", "bob", "anon", "oneil", "upper", "spaced", "dashed", "unicode"}},
		// string functions
		{"startswith(userId, 'user')", []string{"dashed"}},
		{"endswith(userId, 'de')", []string{"dashed"}},
		{"not endswith(userId, 'e')", []string{"bob", "anon", "oneil", "upper", "spaced", "unicode"}},
		{"contains(userId, 'ab')", []string{"dashed"}},
		{"contains(userId, '')", []string{"alice", "bob", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"startswith(userId, null)", nil},
		{"tolower(userId) eq 'user1'", []string{"upper"}},
		{"toupper(userId) eq 'ALICE'", []string{"alice"}},
		{"toupper(userId) eq null", []string{"anon"}},
		{"trim(userId) eq 'user1'", []string{"spaced"}},
		{"substring(userId, 5, 2) eq 'ab'", []string{"dashed"}},
		{"substring(userId, 5) eq 'ab-de'", []string{"dashed"}},
		{"substring(userId, 0, 100) eq userId", []string{"anon", "alice", "bob", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"substring(userId, 100) eq ''", []string{"alice", "bob", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"substring(userId, 1, 2) eq '😀'", []string{"unicode"}},
		{"substring(userId, 3) eq 'x'", []string{"unicode"}},
		{"substring(userId, 1, 0) eq ''", []string{"alice", "bob", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"indexof(userId, '-ab-') ge 0", []string{"dashed"}},
		{"indexof(userId, 'ab') eq 5", []string{"dashed"}},
		{"indexof(userId, 'x') eq 3", []string{"unicode"}},
		{"indexof(userId, 'zzz') eq -1", []string{"alice", "bob", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"concat(userId, '!') eq 'bob!'", []string{"bob"}},
		{"concat(userId, connectionId) eq 'c-anon'", []string{"anon"}},
		{"concat(null, null) eq null", []string{"alice", "bob", "anon", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"STARTSWITH(tolower(userId), 'user') and length(trim(userId)) eq 5", []string{"upper"}},
		{"startswith(tolower(trim(userId)), 'user') and length(trim(userId)) eq 5", []string{"upper", "spaced"}},
		{"userId eq 'user1' or (not (startswith(userId,'user2')))", []string{"alice", "bob", "anon", "oneil", "upper", "spaced", "dashed", "unicode"}},
		// whitespace
		{"  userId\teq\r\n'bob'  ", []string{"bob"}},
		// protocol: the subprotocol; none (a simple WebSocket) is null
		{"protocol eq 'json.reliable.webpubsub.azure.v1'", []string{"alice"}},
		{"Protocol ne null", []string{"alice", "bob"}},
		{"startswith(protocol, 'protobuf.')", []string{"bob"}},
		{"protocol eq null and userId ne null", []string{"oneil", "upper", "spaced", "dashed", "unicode"}},
		// in binds tighter than not, as in the service's parser
		{"not 'group1' in groups", []string{"bob", "anon", "upper", "spaced", "dashed", "unicode"}},
		{"userId in ()", nil},
		{"not (userId in ())", []string{"alice", "bob", "anon", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"userId in ('alice',, 'bob',)", []string{"alice", "bob"}}, // empty items are skipped, as the service does
		{"userId in ( 'Doe, John' , concat('b', 'ob') )", []string{"bob"}},
		{"userId in ('O''Brien, Jane', 'alice')", []string{"alice"}},
		// substring takes integer expressions
		{"substring(userId, indexof(userId, '-')) eq '-ab-de'", []string{"dashed"}},
		{"substring(userId, -1) eq userId", []string{"alice", "bob", "anon", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"substring(userId, 1, -2) eq ''", []string{"alice", "bob", "oneil", "upper", "spaced", "dashed", "unicode"}},
		{"substring(userId, null) eq null", []string{"alice", "bob", "anon", "oneil", "upper", "spaced", "dashed", "unicode"}},
		// a negative number may have a space after its minus, as in the service
		{"indexof(userId, 'zzz') eq - 1", []string{"alice", "bob", "oneil", "upper", "spaced", "dashed", "unicode"}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := Parse(tt.filter)
			require.NoError(t, err)
			want := map[string]bool{}
			for _, name := range tt.match {
				_, ok := allConns[name]
				require.True(t, ok, "bad test: unknown connection %q", name)
				want[name] = true
			}
			for name, c := range allConns {
				assert.Equal(t, want[name], f.Match(c), "connection %s", name)
			}
		})
	}
}

func TestEscapedQuoteLikeFilterHelper(t *testing.T) {
	// The public Filter helper quotes values with single quotes and doubles
	// quotes inside; the parser must read them back exactly.
	for _, user := range []string{"O'Neil", "'", "''", "a''b'", "it's 'quoted'"} {
		filter := "userId eq '" + strings.ReplaceAll(user, "'", "''") + "'"
		f, err := Parse(filter)
		require.NoError(t, err, filter)
		assert.True(t, f.Match(Connection{UserID: user}), filter)
		assert.False(t, f.Match(Connection{UserID: user + "x"}), filter)
	}
	f, err := Parse("userId eq 'O''Neil'")
	require.NoError(t, err)
	assert.True(t, f.Match(Connection{UserID: "O'Neil"}))
	assert.False(t, f.Match(Connection{UserID: "O''Neil"}))
}

func TestNilFilterMatchesAll(t *testing.T) {
	var f *Filter
	assert.True(t, f.Match(alice))
	assert.True(t, f.Match(Connection{}))
	assert.Equal(t, "", f.String())
}

func TestStringReturnsSource(t *testing.T) {
	const src = "userId eq 'a'"
	f, err := Parse(src)
	require.NoError(t, err)
	assert.Equal(t, src, f.String())
}

func TestMaxDepthAccepted(t *testing.T) {
	// MaxDepth counts the top level, so MaxDepth-1 parentheses fit.
	n := MaxDepth - 1
	filter := strings.Repeat("(", n) + "true" + strings.Repeat(")", n)
	f, err := Parse(filter)
	require.NoError(t, err)
	assert.True(t, f.Match(anon))

	f, err = Parse(strings.Repeat("not ", MaxDepth-2) + "true")
	require.NoError(t, err)
	assert.True(t, f.Match(anon)) // an even number of nots

	f, err = Parse(strings.Repeat("tolower(", n) + "userId" + strings.Repeat(")", n) + " eq 'alice'")
	require.NoError(t, err)
	assert.True(t, f.Match(alice))
}

func TestLongestFilterAccepted(t *testing.T) {
	filter := "userId eq '" + strings.Repeat("a", MaxLength-len("userId eq ''")) + "'"
	require.Len(t, filter, MaxLength)
	f, err := Parse(filter)
	require.NoError(t, err)
	assert.True(t, f.Match(Connection{UserID: strings.Repeat("a", MaxLength-12)}))
}

func TestConcurrentMatch(t *testing.T) {
	defer goleak.VerifyNone(t)
	f, err := Parse("'group1' in groups and userId in ('alice','bob','x1','x2','x3','x4','x5','x6','x7')")
	require.NoError(t, err)
	done := make(chan bool, 4)
	for range 4 {
		go func() {
			ok := true
			for range 1000 {
				ok = ok && f.Match(alice) && !f.Match(bob)
			}
			done <- ok
		}()
	}
	for range 4 {
		assert.True(t, <-done)
	}
}
