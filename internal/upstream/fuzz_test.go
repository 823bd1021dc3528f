package upstream

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
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

// FuzzEventPattern checks the glob matcher against a regular expression
// built from the same rules (ASCII, as event names are): "*" is [^.]*,
// "**" is .*, "?" is [^.], "\x" is x; an entry that is exactly "*" matches
// everything.
func FuzzEventPattern(f *testing.F) {
	for _, s := range [][2]string{{"room.*", "room.message"}, {"room.**", "a.b"}, {"a?c", "abc"}, {`a\*`, "a*"}, {"*", "x.y"}, {"A*b,c", "ab"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if len(pattern) > 64 || len(name) > 64 || !isASCII(pattern) || !isASCII(name) {
			return
		}
		got := MatchEventPattern(pattern, name)
		want := false
		for _, entry := range strings.Split(pattern, ",") {
			entry = strings.TrimSpace(entry)
			if entry == "*" {
				want = true
				break
			}
			if re, ok := globRegexp(entry); ok && re.MatchString(name) {
				want = true
				break
			}
		}
		if got != want {
			t.Fatalf("MatchEventPattern(%q, %q) = %v, want %v", pattern, name, got, want)
		}
		if ValidateEventPattern(pattern) == nil && strings.TrimSpace(pattern) != "" && strings.TrimSpace(pattern) != "*" {
			for _, entry := range strings.Split(pattern, ",") {
				if _, err := compileGlob(strings.TrimSpace(entry)); err != nil {
					t.Fatalf("valid pattern %q has an entry that does not compile: %v", pattern, err)
				}
			}
		}
	})
}

// globRegexp translates one pattern entry; ok is false for an entry that
// is empty or has a bad escape (which never matches).
func globRegexp(entry string) (*regexp.Regexp, bool) {
	if entry == "" {
		return nil, false
	}
	var b strings.Builder
	b.WriteString(`(?is)\A`)
	for i := 0; i < len(entry); i++ {
		switch c := entry[i]; c {
		case '?':
			b.WriteString(`[^.]`)
		case '*':
			j := i
			for j+1 < len(entry) && entry[j+1] == '*' {
				j++
			}
			if j > i {
				b.WriteString(`.*`)
			} else {
				b.WriteString(`[^.]*`)
			}
			i = j
		case '\\':
			if i+1 == len(entry) || !strings.ContainsRune(`*?\`, rune(entry[i+1])) {
				return nil, false
			}
			i++
			b.WriteString(regexp.QuoteMeta(entry[i : i+1]))
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String()), true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// FuzzURLTemplate checks the promise of template validation: whatever hub
// and event names fill a valid template, the scheme, host and port of the
// URL called stay those of the template.
func FuzzURLTemplate(f *testing.F) {
	for _, s := range [][3]string{
		{"http://h:1/{hub}/{event}?e={EVENT}", "chat", "a/b?c#d"},
		{"https://u:p@h/x{event}", "hub", "@evil.example"},
		{"http://{event}.h/", "x", "y"},
		{"http://h/{hub}", "a:b@c", "e"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, tmpl, hub, event string) {
		if ValidateURLTemplate(tmpl) != nil {
			return
		}
		parts, err := splitTemplate(tmpl)
		if err != nil {
			t.Fatalf("valid template %q does not split: %v", tmpl, err)
		}
		base, err := url.Parse(fill(parts, "hub", "event"))
		if err != nil {
			t.Fatalf("valid template %q does not parse: %v", tmpl, err)
		}
		u, err := url.Parse(expand(tmpl, hub, event))
		if err != nil {
			t.Fatalf("template %q with %q, %q gives an invalid URL: %v", tmpl, hub, event, err)
		}
		if u.Scheme != base.Scheme || u.Host != base.Host || u.User.String() != base.User.String() {
			t.Fatalf("template %q with %q, %q calls %s://%s, not %s://%s", tmpl, hub, event, u.Scheme, u.Host, base.Scheme, base.Host)
		}
	})
}
