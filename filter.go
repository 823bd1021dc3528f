package webpubsub

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Filter builds an OData filter for the Filter options and for
// AddConnectionsToGroups/RemoveConnectionsFromGroups, writing each argument
// as a literal so that no value can change the expression. It is the Go
// counterpart of the JS SDK's odata template tag.
//
// Placeholders {0}, {1}, ... in format are replaced by the matching argument:
//   - strings (and fmt.Stringer and error values) are single-quoted with
//     inner quotes doubled (see the examples below); time.Time is a quoted
//     RFC 3339 string;
//   - integers and floats are written in decimal, bools as true/false;
//   - nil (and nil pointers) as null;
//   - named types are written like their underlying kind and pointers are
//     followed.
//
// A placeholder already inside a quoted literal of format ('{0}' or
// 'prefix-{0}') is not quoted again, only its quotes are doubled, as the JS
// odata tag does; nil is refused there. (The JS tag only looks at the text
// right before the placeholder, so it quotes 'prefix-{0}' a second time;
// Filter follows the quotes of the whole format instead. The interop tests
// compare both.) Write {{ and }} for literal braces.
//
// Filter returns an error, and no filter, when a placeholder has no argument,
// an argument is not used, an argument is a slice, array, map, struct,
// channel or function (write one placeholder per value: "userId in ({0}, {1})"),
// or format ends inside a quoted literal. Use MustFilter for formats that are
// constants of the program.
//
//	f, err := webpubsub.Filter("userId eq {0} and {1} in groups", user, group)
//	f, err := webpubsub.Filter("userId eq {0}", "O'Neil")          // userId eq 'O''Neil'
//	f, err := webpubsub.Filter("startswith(userId, '{0}-')", "vic's") // startswith(userId, 'vic''s-')
func Filter(format string, args ...any) (string, error) {
	var b strings.Builder
	b.Grow(len(format) + 16*len(args))
	used := make([]bool, len(args))
	inQuotes := false
	for i := 0; i < len(format); i++ {
		ch := format[i]
		switch {
		case ch == '{' && i+1 < len(format) && format[i+1] == '{':
			b.WriteByte('{')
			i++
		case ch == '}' && i+1 < len(format) && format[i+1] == '}':
			b.WriteByte('}')
			i++
		case ch == '{':
			end := strings.IndexByte(format[i+1:], '}')
			n, ok := -1, false
			if end >= 0 {
				n, ok = placeholderIndex(format[i+1 : i+1+end])
			}
			if !ok {
				// Not a placeholder: keep the brace and scan on after it.
				b.WriteByte('{')
				continue
			}
			if n >= len(args) {
				return "", fmt.Errorf("webpubsub: filter placeholder {%d} has no argument (%d given)", n, len(args))
			}
			lit, err := odataLiteral(args[n], inQuotes)
			if err != nil {
				return "", fmt.Errorf("webpubsub: filter argument {%d}: %w", n, err)
			}
			b.WriteString(lit)
			used[n] = true
			i += end + 1
		default:
			if ch == '\'' {
				// A doubled quote inside a literal toggles twice: still inside.
				inQuotes = !inQuotes
			}
			b.WriteByte(ch)
		}
	}
	if inQuotes {
		return "", errors.New("webpubsub: filter format ends inside a quoted string: close it with '")
	}
	for n, u := range used {
		if !u {
			return "", fmt.Errorf("webpubsub: filter argument {%d} is not used by the format", n)
		}
	}
	return b.String(), nil
}

// MustFilter is Filter for a format and arguments known to be valid (a
// constant format whose placeholders all have an argument of a supported
// type); it panics where Filter returns an error.
func MustFilter(format string, args ...any) string {
	f, err := Filter(format, args...)
	if err != nil {
		panic(err)
	}
	return f
}

// placeholderIndex parses the digits between braces.
func placeholderIndex(s string) (int, bool) {
	if s == "" || len(s) > 6 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// odataLiteral returns v as an OData literal, or, when the placeholder is
// already inside a quoted literal, as the text to put between the quotes.
// Types whose underlying kind is a string, integer, float or bool (such as a
// named `type UserID string`) are written like that kind; pointers are
// followed (nil is null).
func odataLiteral(v any, inQuotes bool) (string, error) {
	quote := func(s string) (string, error) {
		if inQuotes {
			return strings.ReplaceAll(s, "'", "''"), nil
		}
		return quoteOData(s), nil
	}
	plain := func(s string) (string, error) {
		if inQuotes {
			return strings.ReplaceAll(s, "'", "''"), nil
		}
		return s, nil
	}
	switch v := v.(type) {
	case nil:
		if inQuotes {
			return "", errors.New("nil inside a quoted string: remove the quotes around the placeholder to write null")
		}
		return "null", nil
	case string:
		return quote(v)
	case time.Time:
		return quote(v.Format(time.RFC3339Nano))
	case fmt.Stringer:
		return quote(v.String())
	case error:
		return quote(v.Error())
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		// Follow a few levels only: a pointer type can point to itself.
		for depth := 0; rv.Kind() == reflect.Pointer; depth++ {
			if rv.IsNil() {
				return odataLiteral(nil, inQuotes)
			}
			if depth == 8 {
				return "", fmt.Errorf("%T points too deep", v)
			}
			rv = rv.Elem()
		}
		return odataLiteral(rv.Interface(), inQuotes)
	case reflect.String:
		return quote(rv.String())
	case reflect.Bool:
		return plain(strconv.FormatBool(rv.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return plain(strconv.FormatInt(rv.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return plain(strconv.FormatUint(rv.Uint(), 10))
	case reflect.Float32:
		return formatFloat(rv.Float(), 32, inQuotes), nil
	case reflect.Float64:
		return formatFloat(rv.Float(), 64, inQuotes), nil
	case reflect.Slice, reflect.Array:
		return "", fmt.Errorf("%T is a list, not one value: write one placeholder per value, e.g. userId in ({0}, {1})", v)
	default:
		return "", fmt.Errorf("%T has no OData literal form: pass a string, number, bool, time.Time, fmt.Stringer or nil", v)
	}
}

// formatFloat writes f in decimal; NaN and infinities, which OData numbers
// cannot express, become quoted strings so they cannot change the expression.
func formatFloat(f float64, bits int, inQuotes bool) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		s := strconv.FormatFloat(f, 'g', -1, bits)
		if inQuotes {
			return s
		}
		return quoteOData(s)
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

// quoteOData single-quotes s, doubling the quotes inside.
func quoteOData(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
