package trace

import (
	"reflect"
	"strings"
	"unicode/utf8"
)

// This file bounds what the recorder keeps: every string of an event is cut
// to its limit after redaction and copied into one allocation of its own, so
// that a kept event never holds on to a larger string it was cut from (a
// hub name sliced out of a 1 MB request path would otherwise keep the whole
// path alive).

// lookahead is how far past a cut the text is scrubbed before it is cut, so
// that a secret that starts before the cut is recognised whole.
const lookahead = 1024

// Fixed sizes used to estimate what an event or a row holds.
var (
	eventOverhead = int(reflect.TypeOf(Event{}).Size())
	connOverhead  = int(reflect.TypeOf(Connection{}).Size())
	stringHeader  = int(reflect.TypeOf("").Size())
)

// bound scrubs and cuts every string of ev and gives ev its own copies.
func (r *redactor) bound(ev *Event) {
	fields := [...]struct {
		p *string
		n int
	}{
		{&ev.Hub, MaxFieldBytes}, {&ev.ConnectionID, MaxFieldBytes}, {&ev.UserID, MaxFieldBytes},
		{&ev.Subprotocol, MaxFieldBytes}, {&ev.Group, MaxFieldBytes}, {&ev.Source, MaxFieldBytes},
		{&ev.Target, MaxFieldBytes}, {&ev.Stream, MaxFieldBytes}, {&ev.InvocationID, MaxFieldBytes},
		{&ev.Event, MaxFieldBytes}, {&ev.ContentType, MaxFieldBytes}, {&ev.Method, MaxFieldBytes},
		{&ev.Path, MaxPathBytes}, {&ev.Reason, MaxReasonBytes}, {&ev.Preview, PreviewBytes + len("…")},
	}
	ev.Groups = r.list(ev.Groups, MaxGroups)
	ev.Recipients = r.list(ev.Recipients, MaxRecipients)
	// On the stack (no append, which escape analysis takes for a leak):
	// every non-empty string field and list entry.
	var all [len(fields) + MaxGroups + MaxRecipients]*string
	k := 0
	for _, f := range fields {
		if *f.p != "" {
			*f.p = r.field(*f.p, f.n)
			all[k] = f.p
			k++
		}
	}
	for i := range ev.Groups {
		all[k] = &ev.Groups[i]
		k++
	}
	for i := range ev.Recipients {
		all[k] = &ev.Recipients[i]
		k++
	}
	own(all[:k])
}

// list returns a new slice with at most n entries of in, each scrubbed and
// cut to MaxFieldBytes; nil for an empty list.
func (r *redactor) list(in []string, n int) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, min(len(in), n))
	for i := range out {
		out[i] = r.field(in[i], MaxFieldBytes)
	}
	return out
}

// field scrubs s and cuts it to n bytes. Only the first n+lookahead bytes
// are looked at, so a huge string costs no more than a short one.
func (r *redactor) field(s string, n int) string {
	if s == "" {
		return s
	}
	return truncate(r.String(truncate(s, n+lookahead)), n)
}

// own replaces the strings behind ptrs with substrings of one new string
// (one allocation), so that none of them shares memory with its source.
func own(ptrs []*string) {
	total := 0
	for _, p := range ptrs {
		total += len(*p)
	}
	if total == 0 {
		return
	}
	var b strings.Builder
	b.Grow(total)
	for _, p := range ptrs {
		b.WriteString(*p)
	}
	all := b.String()
	off := 0
	for _, p := range ptrs {
		n := len(*p)
		*p = all[off : off+n]
		off += n
	}
}

// eventBytes estimates the memory an event holds in the recorder.
func eventBytes(ev *Event) int {
	n := eventOverhead
	for _, s := range []string{ev.Hub, ev.ConnectionID, ev.UserID, ev.Subprotocol, ev.Group, ev.Source,
		ev.Target, ev.Stream, ev.InvocationID, ev.Event, ev.ContentType, ev.Method, ev.Path, ev.Reason, ev.Preview} {
		n += len(s)
	}
	n += listBytes(ev.Groups) + listBytes(ev.Recipients)
	if ev.AckID != nil {
		n += 8
	}
	return n
}

// connBytes estimates the memory a connection row holds.
func connBytes(c *Connection) int {
	return connOverhead + len(c.Hub) + len(c.ConnectionID) + len(c.UserID) + len(c.Subprotocol) +
		len(c.Reason) + listBytes(c.Groups)
}

func listBytes(list []string) int {
	n := cap(list) * stringHeader
	for _, s := range list {
		n += len(s)
	}
	return n
}

// truncate cuts s to at most n bytes at a rune boundary, marking the cut
// with "…". The result may share memory with s: callers that keep it copy it.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
