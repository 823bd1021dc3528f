package upstream

import (
	"net/http"
	"testing"
	"unicode/utf8"
)

// FuzzStateHeader checks that any ce-connectionState answer header is
// either refused or kept exactly as it came (the state is opaque), within
// MaxStateBytes and fit to be sent back as a header.
func FuzzStateHeader(f *testing.F) {
	for _, s := range []string{"e30=", "eyJhIjoxfQ==", "bnVsbA==", "W10=", "!!", "", "eyJhIjo=", "initial", `{"a":1}`, "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		h := http.Header{}
		h["Ce-Connectionstate"] = []string{value}
		v, set, err := stateHeader(h)
		if err != nil {
			if v != "" || set {
				t.Fatalf("refused header kept as %q", v)
			}
			return
		}
		if !set || v != value {
			t.Fatalf("state %q kept as %q (set %v)", value, v, set)
		}
		if len(v) > MaxStateBytes {
			t.Fatalf("kept a state of %d bytes", len(v))
		}
		if !headerValueOK(v) {
			t.Fatalf("kept state %q cannot be sent back", v)
		}
	})
}

// FuzzReason checks that any error answer body becomes a short, valid,
// single-line reason.
func FuzzReason(f *testing.F) {
	for _, s := range []string{"", "go away\n", "\xff\xfe bad utf8", "a\r\nb\tc"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := reason(body)
		if !utf8.ValidString(r) {
			t.Fatalf("reason %q is not valid UTF-8", r)
		}
		if len(r) > maxReasonBytes+len("...") {
			t.Fatalf("reason is %d bytes long", len(r))
		}
		for _, c := range r {
			if c == '\n' || c == '\r' {
				t.Fatalf("reason %q spans lines", r)
			}
		}
	})
}
