package upstream

import (
	"fmt"
	"net/url"
	"strings"
)

// A URL template is an absolute http or https URL with {hub} and {event}
// placeholders (any case, as in Microsoft's emulator, whose
// EventHandlerUrlTemplate matches them with IgnoreCase). Placeholders may
// fill the path and the query only: in the scheme, the user info, the host
// or the port they would let a hub name or a client-chosen event name pick
// part of the address the emulator calls; in the fragment they would be
// meaningless (it is never sent).

// maxTemplateBytes bounds a URL template.
const maxTemplateBytes = 4096

// placeholder is one {hub} or {event} of a template.
type placeholder int

const (
	placeholderHub placeholder = iota
	placeholderEvent
)

// templatePart is a literal or a placeholder of a template.
type templatePart struct {
	literal string
	// at is the byte offset of a placeholder; -1 for a literal.
	at   int
	kind placeholder
}

// splitTemplate cuts t into literals and placeholders. An unknown or
// unterminated placeholder, or a lone brace, is an error.
func splitTemplate(t string) ([]templatePart, error) {
	var parts []templatePart
	rest, off := t, 0
	for {
		i := strings.IndexAny(rest, "{}")
		if i < 0 {
			if rest != "" {
				parts = append(parts, templatePart{literal: rest, at: -1})
			}
			return parts, nil
		}
		if i > 0 {
			parts = append(parts, templatePart{literal: rest[:i], at: -1})
		}
		if rest[i] == '}' {
			return nil, fmt.Errorf("URL template %q has an unknown placeholder (a lone \"}\"); only {hub} and {event} are replaced", t)
		}
		j := strings.IndexAny(rest[i+1:], "{}")
		if j < 0 || rest[i+1+j] == '{' {
			return nil, fmt.Errorf("URL template %q has an unterminated placeholder; only {hub} and {event} are replaced", t)
		}
		name := rest[i+1 : i+1+j]
		p := templatePart{at: off + i}
		switch {
		case strings.EqualFold(name, "hub"):
			p.kind = placeholderHub
		case strings.EqualFold(name, "event"):
			p.kind = placeholderEvent
		default:
			return nil, fmt.Errorf("URL template %q has an unknown placeholder {%s}; only {hub} and {event} are replaced", t, name)
		}
		parts = append(parts, p)
		n := i + 2 + j
		rest, off = rest[n:], off+n
	}
}

// ValidateURLTemplate checks a handler's URL template: an absolute http or
// https URL once its {hub} and {event} placeholders (any case) are filled,
// with placeholders only in the path and the query, and no other
// placeholder.
func ValidateURLTemplate(t string) error {
	if t == "" {
		return fmt.Errorf("the URL template is empty; give an http or https URL such as http://127.0.0.1:8081/eventhandler/{event}")
	}
	if len(t) > maxTemplateBytes {
		return fmt.Errorf("the URL template is longer than %d bytes", maxTemplateBytes)
	}
	if strings.HasPrefix(strings.ToLower(t), "tunnel:") {
		return fmt.Errorf("tunnel:// URL templates are not supported by the emulator; give the handler's http URL")
	}
	parts, err := splitTemplate(t)
	if err != nil {
		return err
	}
	if err := checkPlaceholderPlaces(t, parts); err != nil {
		return err
	}
	u, err := url.Parse(fill(parts, "hub", "event"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("URL template %q is not an absolute http or https URL", t)
	}
	return nil
}

// checkPlaceholderPlaces refuses a placeholder before the path (scheme, user
// info, host, port) or in the fragment.
func checkPlaceholderPlaces(t string, parts []templatePart) error {
	authorityEnd := 0
	if i := strings.Index(t, "://"); i >= 0 {
		authorityEnd = len(t)
		if j := strings.IndexAny(t[i+3:], "/?#"); j >= 0 {
			authorityEnd = i + 3 + j
		}
	}
	fragment := strings.IndexByte(t, '#')
	for _, p := range parts {
		if p.at < 0 {
			continue
		}
		name := t[p.at : p.at+strings.IndexByte(t[p.at:], '}')+1]
		switch {
		case p.at < authorityEnd:
			return fmt.Errorf("URL template %q puts %s in the scheme, user info, host or port; placeholders may go only in the path and the query, so that no client can choose the upstream host", t, name)
		case fragment >= 0 && p.at > fragment:
			return fmt.Errorf("URL template %q puts %s in the fragment, which is never sent; placeholders may go only in the path and the query", t, name)
		}
	}
	return nil
}

// fill replaces the placeholders of parts by hub and event, unescaped.
func fill(parts []templatePart, hub, event string) string {
	var b strings.Builder
	for _, p := range parts {
		switch {
		case p.at < 0:
			b.WriteString(p.literal)
		case p.kind == placeholderHub:
			b.WriteString(hub)
		default:
			b.WriteString(event)
		}
	}
	return b.String()
}

// expand fills the placeholders of a template with the escaped hub and
// event names. The template was validated; an invalid one expands to
// itself, which fails later as a URL.
func expand(template, hub, event string) string {
	parts, err := splitTemplate(template)
	if err != nil {
		return template
	}
	return fill(parts, escapeData(hub), escapeData(event))
}

// hasEventPlaceholder reports whether template has an {event} placeholder.
func hasEventPlaceholder(template string) bool {
	parts, _ := splitTemplate(template)
	for _, p := range parts {
		if p.at >= 0 && p.kind == placeholderEvent {
			return true
		}
	}
	return false
}

// escapeData percent-encodes every byte of s but the unreserved characters
// of RFC 3986 (letters, digits, "-", ".", "_", "~"), as .NET's
// Uri.EscapeDataString does in Microsoft's emulator, so that a value can end
// neither a path segment nor a query value.
func escapeData(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
