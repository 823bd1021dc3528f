package trace_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/trace"
)

// FuzzRedaction checks, for any text in any field (the stream id and the
// invocation id and method a client chose too), that the access key never
// survives redaction, that the value of an AccessKey= pair never does
// either, that previews are short, valid UTF-8, and that prose (letters and
// punctuation, no "=", no key) is kept as it is.
func FuzzRedaction(f *testing.F) {
	const key = "a2V5LWZvci10aGUtZnV6emVyLTEyMzQ1Ng=="
	for _, seed := range []string{
		"hello",
		"Endpoint=http://x;AccessKey=" + key + ";Version=1.0;",
		"token eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln",
		"Authorization: Bearer abc.def",
		"key = value; code=abc&sig=def",
		"é\xff" + key[:10],
		"invalid access token: token signature is invalid",
		"s1 " + key + " #3",
	} {
		f.Add(seed)
	}
	r := trace.New(trace.Options{Capacity: 1, Secrets: []string{key}})
	f.Fuzz(func(t *testing.T, s string) {
		r.Record(trace.Event{Kind: trace.KindMessage, Reason: s, Target: s, Stream: s, InvocationID: s, Method: s, Preview: r.Preview([]byte(s))})
		snap := r.Snapshot()
		ev := snap.Events[len(snap.Events)-1]
		for _, out := range []string{ev.Reason, ev.Target, ev.Stream, ev.InvocationID, ev.Method, ev.Preview} {
			require.NotContains(t, out, key)
		}
		if p := prose(s); p != "" {
			r.Record(trace.Event{Kind: trace.KindRefused, Reason: p})
			snap := r.Snapshot()
			require.Equal(t, p, snap.Events[len(snap.Events)-1].Reason, "prose is kept")
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

// prose turns s into short words of letters separated by spaces, colons,
// commas and full stops (a sentence of an error message) that fits in
// Event.Reason, or "". Text with "eyJ", the start of every JSON Web Token,
// is not prose.
func prose(s string) string {
	if strings.Contains(s, "eyJ") {
		return ""
	}
	var b strings.Builder
	word := 0
	for _, c := range []byte(s) {
		if b.Len() >= trace.MaxReasonBytes-2 {
			break
		}
		switch {
		case c|0x20 >= 'a' && c|0x20 <= 'z' && word < 15:
			b.WriteByte(c)
			word++
		case c%4 == 0:
			b.WriteString(": ")
			word = 0
		case c%4 == 1:
			b.WriteString(", ")
			word = 0
		default:
			b.WriteByte(' ')
			word = 0
		}
	}
	if p := strings.TrimSpace(b.String()); !strings.Contains(p, "eyJ") {
		return p
	}
	return ""
}
