package observe

import (
	"context"
	"fmt"
	"log/slog"
	"unicode/utf8"
)

// Bounds of a log line: what a client chose (a path, a hub name, an id, a
// header) reaches the log cut to these, so that a request with a 1 MB path
// writes a short line.
const (
	// MaxLogValue bounds each attribute value and key, in bytes.
	MaxLogValue = 512
	// MaxLogMessage bounds a record's message (the emulator's own are far
	// shorter; net/http's error log passes lines through it too).
	MaxLogMessage = 1024
)

// Clip returns s cut to MaxLogValue bytes at a character boundary, ending
// with "…" when it was cut.
func Clip(s string) string { return clipTo(s, MaxLogValue) }

// clipTo cuts s to at most n bytes (plus the mark) at a character boundary.
func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// ClipLogger returns a logger that writes to l's handler with every
// attribute clipped (Clip): strings, errors, Stringers and any other value
// whose text is longer than MaxLogValue, in groups too. Numbers, times and
// durations pass as they are. A nil l gives nil.
func ClipLogger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return nil
	}
	return slog.New(clipHandler{h: l.Handler()})
}

// clipHandler clips every attribute before its handler sees it.
type clipHandler struct{ h slog.Handler }

func (c clipHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return c.h.Enabled(ctx, level)
}

func (c clipHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, clipTo(r.Message, MaxLogMessage), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(clipAttr(a))
		return true
	})
	return c.h.Handle(ctx, out)
}

func (c clipHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clipped := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clipped[i] = clipAttr(a)
	}
	return clipHandler{h: c.h.WithAttrs(clipped)}
}

func (c clipHandler) WithGroup(name string) slog.Handler {
	return clipHandler{h: c.h.WithGroup(Clip(name))}
}

// clipAttr returns a with its key and value clipped.
func clipAttr(a slog.Attr) slog.Attr {
	key := Clip(a.Key)
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(key, Clip(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clipped := make([]any, len(group))
		for i, g := range group {
			clipped[i] = clipAttr(g)
		}
		return slog.Group(key, clipped...)
	case slog.KindAny:
		var text string
		switch x := v.Any().(type) {
		case error:
			text = x.Error()
		case fmt.Stringer:
			text = x.String()
		default:
			text = fmt.Sprint(x)
		}
		if len(text) > MaxLogValue {
			return slog.String(key, Clip(text))
		}
		if _, isErr := v.Any().(error); isErr {
			return slog.String(key, text)
		}
	}
	return slog.Attr{Key: key, Value: v}
}
