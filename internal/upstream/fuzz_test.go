package upstream

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzParseState checks that any ce-connectionState answer header is either
// refused or kept as a base64 JSON object (or dropped when empty).
func FuzzParseState(f *testing.F) {
	for _, s := range []string{"e30=", "eyJhIjoxfQ==", "bnVsbA==", "W10=", "!!", "", "eyJhIjo="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		v, err := parseState(header)
		if err != nil {
			if v != "" {
				t.Fatalf("refused header kept as %q", v)
			}
			return
		}
		if v == "" {
			return
		}
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			t.Fatalf("kept state is not base64: %v", err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil || len(m) == 0 {
			t.Fatalf("kept state is not a non-empty JSON object: %v", err)
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
