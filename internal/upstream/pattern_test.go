package upstream_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

func TestMatchEventPattern(t *testing.T) {
	cases := []struct {
		pattern, name string
		want          bool
	}{
		// Microsoft's emulator: UpstreamUserEventTests.RoutesUserEventsSeparatelyFromSystemEvents.
		{"*", "room.message", true},
		{"join, ROOM.*", "room.message", true},
		{"room.*", "room.message.more", false},
		{"room.**", "room.message.more", true},
		{"room.?", "room.a", true},
		{"room.?", "room..", false},
		{"CONNECTED", "connected", true},
		{"", "connected", false},
		// The rest of WildcardPattern's rules.
		{"room.*", "room.", true},
		{"room.*", "room", false},
		{"*.message", "room.message", true},
		{"*.message", "a.room.message", false},
		{"**.message", "a.room.message", true},
		{"***", "a.b.c", true},
		{"a*b", "axxb", true},
		{"a*b", "ax.xb", false},
		{"a**b", "ax.xb", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a?c", "a.c", false},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{`a\?`, "a?", true},
		{`a\\`, `a\`, true},
		{`a\x`, "ax", false}, // an invalid entry never matches
		{" a , b ", "B", true},
		{"a,b", "c", false},
		{"Room.*", "ROOM.MESSAGE", true},
		{"x,*", "anything.at.all", true},
		{"message", "message2", false},
		{"*message", "my-message", true},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, upstream.MatchEventPattern(tc.pattern, tc.name), "pattern %q, event %q", tc.pattern, tc.name)
	}
}

func TestValidateEventPattern(t *testing.T) {
	for _, ok := range []string{"", "*", " * ", "a,b", "room.*", "room.**", "room.?", `a\*b`, "join, ROOM.*", strings.Repeat("a", upstream.MaxPatternEntryChars)} {
		assert.NoError(t, upstream.ValidateEventPattern(ok), ok)
	}
	bad := map[string]string{
		"a,,b":    "empty event name",
		"a b":     "not an event name or glob",
		"{event}": "not an event name or glob",
		"a/b":     "not an event name or glob",
		`a\b`:     `"\" must be followed by "*", "?" or "\"`,
		`a\`:      `"\" must be followed`,
		strings.Repeat("a", upstream.MaxPatternEntryChars+1): "at most 1024 allowed",
	}
	for p, want := range bad {
		assert.ErrorContains(t, upstream.ValidateEventPattern(p), want, p)
	}
	_, err := upstream.New(upstream.Config{Origin: "o", Handlers: []upstream.Handler{{URLTemplate: "http://h/", UserEventPattern: "a,,b"}}})
	assert.ErrorContains(t, err, "empty event name", "New validates patterns")
}

// Globs route events in the invoker too.
func TestHandlersRouteByGlob(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{
		{URLTemplate: srv.URL + "/rooms/{event}", UserEventPattern: "room.*"},
		{URLTemplate: srv.URL + "/deep/{event}", UserEventPattern: "room.**"},
	}})
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	require.NoError(t, err)
	for _, ev := range []string{"Room.Message", "room.message.more", "other"} {
		_, err := s.UserEvent(context.Background(), ev, protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")})
		require.NoError(t, err)
	}
	var paths []string
	for _, r := range rec.requests() {
		if r.method == http.MethodPost {
			paths = append(paths, r.path)
		}
	}
	assert.Equal(t, []string{"/rooms/Room.Message", "/deep/room.message.more"}, paths, "no handler takes \"other\"")
}

func BenchmarkMatchEventPattern(b *testing.B) {
	name := strings.Repeat("a.", 63) + "b"
	for b.Loop() {
		upstream.MatchEventPattern("x, y, a.**.?", name)
	}
}
