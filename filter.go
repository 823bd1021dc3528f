package webpubsub

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Filter builds an OData filter for the Filter options and for
// AddConnectionsToGroups/RemoveConnectionsFromGroups. Placeholders {0}, {1},
// ... in format are replaced by the matching argument as an OData literal:
// strings (and fmt.Stringer values) are single-quoted with inner quotes
// doubled, integers and floats are written in decimal, bools as true/false,
// nil as null, and time.Time as a quoted RFC 3339 string. Write {{ and }} for
// literal braces. A placeholder without an argument is kept as written.
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

// odataLiteral returns v as an OData literal.
func odataLiteral(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return quoteOData(v)
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.FormatInt(int64(v), 10)
	case int8:
		return strconv.FormatInt(int64(v), 10)
	case int16:
		return strconv.FormatInt(int64(v), 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint:
		return strconv.FormatUint(uint64(v), 10)
	case uint8:
		return strconv.FormatUint(uint64(v), 10)
	case uint16:
		return strconv.FormatUint(uint64(v), 10)
	case uint32:
		return strconv.FormatUint(uint64(v), 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float32:
		return formatFloat(float64(v), 32)
	case float64:
		return formatFloat(v, 64)
	case time.Time:
		return quoteOData(v.Format(time.RFC3339Nano))
	case fmt.Stringer:
		return quoteOData(v.String())
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
