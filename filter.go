package webpubsub

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Filter builds an OData filter for the Filter options and for
// AddConnectionsToGroups/RemoveConnectionsFromGroups. Placeholders {0}, {1},
// ... in format are replaced by the matching argument as an OData literal:
// strings (and fmt.Stringer and error values) are single-quoted with inner
// quotes doubled, integers and floats are written in decimal, bools as
// true/false, nil (and nil pointers) as null, and time.Time as a quoted
// RFC 3339 string; named types are written like their underlying kind and
// pointers are followed. Any other value is quoted as its fmt.Sprint text.
// Write {{ and }} for literal braces. A placeholder without an argument is
// kept as written.
//
//	webpubsub.Filter("userId eq {0} and {1} in groups", user, group)
func Filter(format string, args ...any) string {
	var b strings.Builder
	b.Grow(len(format) + 16*len(args))
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
			if end < 0 {
				b.WriteString(format[i:])
				return b.String()
			}
			n, ok := placeholderIndex(format[i+1 : i+1+end])
			if !ok || n >= len(args) {
				// Not a placeholder: keep the brace and scan on after it.
				b.WriteByte('{')
				continue
			}
			b.WriteString(odataLiteral(args[n]))
			i += end + 1
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
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

// odataLiteral returns v as an OData literal. Types whose underlying kind is a
// string, integer, float or bool (such as a named `type UserID string`) are
// written like that kind; pointers are followed (nil is null).
func odataLiteral(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return quoteOData(v)
	case time.Time:
		return quoteOData(v.Format(time.RFC3339Nano))
	case fmt.Stringer:
		return quoteOData(v.String())
	case error:
		return quoteOData(v.Error())
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		// Follow a few levels only: a pointer type can point to itself.
		for depth := 0; rv.Kind() == reflect.Pointer; depth++ {
			if rv.IsNil() {
				return "null"
			}
			if depth == 8 {
				return quoteOData(fmt.Sprint(v))
			}
			rv = rv.Elem()
		}
		return odataLiteral(rv.Interface())
	case reflect.String:
		return quoteOData(rv.String())
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10)
	case reflect.Float32:
		return formatFloat(rv.Float(), 32)
	case reflect.Float64:
		return formatFloat(rv.Float(), 64)
	default:
		return quoteOData(fmt.Sprint(v))
	}
}

// formatFloat writes f in decimal; NaN and infinities, which OData numbers
// cannot express, become quoted strings so they cannot change the expression.
func formatFloat(f float64, bits int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return quoteOData(strconv.FormatFloat(f, 'g', -1, bits))
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

// quoteOData single-quotes s, doubling the quotes inside.
func quoteOData(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
