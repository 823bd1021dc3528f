package trace_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/trace"
)

// FuzzRedaction checks, for any text, that the access key never survives
// redaction, that the value of an AccessKey= pair never does either, and
// that previews are short, valid UTF-8.
func FuzzRedaction(f *testing.F) {
	const key = "a2V5LWZvci10aGUtZnV6emVyLTEyMzQ1Ng=="
	for _, seed := range []string{
		"hello",
		"Endpoint=http://x;AccessKey=" + key + ";Version=1.0;",
		"token eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln",
		"Authorization: Bearer abc.def",
		"key = value; code=abc&sig=def",
		"é\xff" + key[:10],
	} {
		f.Add(seed)
	}
	r := trace.New(trace.Options{Capacity: 1, Secrets: []string{key}})
	f.Fuzz(func(t *testing.T, s string) {
		r.Record(trace.Event{Kind: trace.KindMessage, Reason: s, Target: s, Preview: r.Preview([]byte(s))})
		snap := r.Snapshot()
		ev := snap.Events[len(snap.Events)-1]
		for _, out := range []string{ev.Reason, ev.Target, ev.Preview} {
			require.NotContains(t, out, key)
		}
		require.True(t, utf8.ValidString(ev.Preview))
		require.LessOrEqual(t, len(ev.Preview), trace.PreviewBytes+len("…"))
		if i := strings.Index(s, "AccessKey="); i >= 0 {
			v := s[i+len("AccessKey="):]
			if j := strings.IndexAny(v, ";& \t\r\n\"',"); j >= 0 {
				v = v[:j]
			}
			if len(v) >= 8 && !strings.Contains(trace.Redacted, v) {
				require.NotContains(t, ev.Target, "AccessKey="+v)
			}
		}
	})
}
