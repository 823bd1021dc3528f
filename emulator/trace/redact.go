package trace

import (
	"regexp"
	"strings"
)

// Redacted replaces a secret in an event.
const Redacted = "[redacted]"

// jwtPattern matches what looks like a JSON Web Token, also cut short: a
// header and the start of a payload are enough.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){0,2}`)

// bearerPattern matches "Bearer" and the word after it; bearerPrefix the
// "Bearer " part.
var (
	bearerPattern = regexp.MustCompile(`(?i)bearer\s+[^\s"',;]+`)
	bearerPrefix  = regexp.MustCompile(`(?i)^bearer\s+`)
)

// secretNames are names whose value, after "=" or ":", is redacted: keys of
// connection strings and query parameters that carry credentials. A name
// also matches as the end of a longer one ("MyAccessKey", "x_token");
// shortNames match only whole, so that "zipcode=" or "monkey:" stay.
var (
	secretNames = []string{"accesskey", "access_token", "reconnection_token", "token", "secret", "password"}
	shortNames  = []string{"key", "code", "sig"}
)

// redactor scrubs secrets from events.
type redactor struct {
	secrets []string
}

func newRedactor(secrets []string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		if len(s) >= 4 { // shorter strings would blank out ordinary text
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// String returns s without secrets.
func (r *redactor) String(s string) string {
	if s == "" {
		return s
	}
	for _, k := range r.secrets {
		if strings.Contains(s, k) {
			s = strings.ReplaceAll(s, k, Redacted)
		}
	}
	if strings.Contains(s, "eyJ") {
		s = jwtPattern.ReplaceAllString(s, Redacted)
	}
	if containsFold(s, "bearer") {
		s = bearerPattern.ReplaceAllStringFunc(s, redactBearer)
	}
	if strings.ContainsAny(s, "=:") {
		s = redactNamedValues(s)
	}
	return s
}

// redactBearer redacts the credential of "Bearer <credential>" unless it is
// an ordinary word ("the bearer of").
func redactBearer(m string) string {
	n := len(bearerPrefix.FindString(m))
	if !looksLikeSecret(m[n:]) {
		return m
	}
	return m[:n] + Redacted
}

// looksLikeSecret reports whether a value after "Bearer" or "name:" could be
// a credential rather than a word of prose: a credential is long or holds
// something other than letters (digits, ".", "-", "_", "+", "/", "=")
// before the punctuation that may end a word.
// "invalid access token: token signature is invalid" keeps its words.
func looksLikeSecret(v string) bool {
	v = strings.TrimRight(v, ".:!?)") // the punctuation that ends a word
	if len(v) >= 16 {
		return true
	}
	for i := 0; i < len(v); i++ {
		if c := v[i] | 0x20; c < 'a' || c > 'z' {
			return true
		}
	}
	return false
}

// redactNamedValues replaces the value of every "name=value" or
// "name: value" whose name is one of secretNames. After "=" any value is
// redacted; after ":", which prose uses too, only one that looksLikeSecret.
func redactNamedValues(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '=' && s[i] != ':' {
			continue
		}
		// The name ends before optional spaces.
		j := i
		for j > 0 && s[j-1] == ' ' {
			j--
		}
		k := j
		for k > 0 && isNameByte(s[k-1]) {
			k--
		}
		if !isSecretName(s[k:j]) {
			continue
		}
		// The value starts after optional spaces and ends at a separator.
		v := i + 1
		for v < len(s) && s[v] == ' ' {
			v++
		}
		end := v
		for end < len(s) && !strings.ContainsRune(";& \t\r\n\"',", rune(s[end])) {
			end++
		}
		if end == v || (s[i] == ':' && !looksLikeSecret(s[v:end])) {
			continue
		}
		b.WriteString(s[last:v])
		b.WriteString(Redacted)
		last = end
		i = end - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isSecretName(name string) bool {
	for _, n := range shortNames {
		if strings.EqualFold(name, n) {
			return true
		}
	}
	for _, n := range secretNames {
		if len(name) >= len(n) && strings.EqualFold(name[len(name)-len(n):], n) {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains sub, ignoring ASCII case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if (s[i]|0x20) == sub[0] && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// Preview returns the beginning of a text payload for Event.Preview:
// scrubbed of secrets first, then cut to PreviewBytes at a character
// boundary ("…" marks a cut).
func (r *Recorder) Preview(data []byte) string {
	n := min(len(data), PreviewBytes+lookahead)
	s := strings.ToValidUTF8(string(data[:n]), "\uFFFD")
	return truncate(r.red.String(s), PreviewBytes)
}
