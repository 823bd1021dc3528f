package odata

import (
	"fmt"
	"strconv"
	"strings"
)

// tokenKind classifies a token.
type tokenKind int

const (
	tokEOF    tokenKind = iota
	tokWord             // keyword, identifier or function name
	tokString           // single-quoted string literal (value unescaped)
	tokNumber           // integer literal
	tokLParen
	tokRParen
	tokComma
)

// token is one lexical unit of a filter.
type token struct {
	kind tokenKind
	pos  int    // byte offset of the token's first character
	text string // source text (words), unescaped value (strings)
	num  int64  // value of a number
}

// describe returns a short description of t for error messages.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of filter"
	case tokString:
		return "string " + quoteShort(t.text)
	case tokNumber:
		return "number " + strconv.FormatInt(t.num, 10)
	case tokLParen:
		return "'('"
	case tokRParen:
		return "')'"
	case tokComma:
		return "','"
	default:
		return quoteShort(t.text)
	}
}

// quoteShort quotes s for an error message, shortening long values.
func quoteShort(s string) string {
	const max = 32
	if len(s) > max {
		cut := max
		for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "..."
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// isWordStart reports whether b can start a word.
func isWordStart(b byte) bool {
	return b == '_' || ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z')
}

// isWordPart reports whether b can continue a word.
func isWordPart(b byte) bool { return isWordStart(b) || isDigit(b) }

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

// lex splits src into tokens, ending with a tokEOF token.
func lex(src string) ([]token, error) {
	toks := make([]token, 0, len(src)/4+2)
	i := 0
	for i < len(src) {
		b := src[i]
		switch {
		case isSpace(b):
			i++
		case b == '(':
			toks = append(toks, token{kind: tokLParen, pos: i})
			i++
		case b == ')':
			toks = append(toks, token{kind: tokRParen, pos: i})
			i++
		case b == ',':
			toks = append(toks, token{kind: tokComma, pos: i})
			i++
		case b == '\'':
			s, next, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokString, pos: i, text: s})
			i = next
		case isDigit(b) || ((b == '-' || b == '+') && i+1 < len(src) && isDigit(src[i+1])):
			t, next, err := lexNumber(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i = next
		case isWordStart(b):
			start := i
			for i < len(src) && isWordPart(src[i]) {
				i++
			}
			toks = append(toks, token{kind: tokWord, pos: start, text: src[start:i]})
		default:
			return nil, &SyntaxError{Offset: i, Msg: fmt.Sprintf("unexpected character %q", rune(src[i]))}
		}
	}
	return append(toks, token{kind: tokEOF, pos: len(src)}), nil
}

// lexString reads the single-quoted string starting at src[start] and returns
// its value (with doubled quotes undoubled) and the offset after it.
func lexString(src string, start int) (string, int, error) {
	var sb strings.Builder
	i := start + 1
	from := i
	for i < len(src) {
		if src[i] != '\'' {
			i++
			continue
		}
		if i+1 < len(src) && src[i+1] == '\'' {
			sb.WriteString(src[from : i+1])
			i += 2
			from = i
			continue
		}
		if sb.Len() == 0 {
			return src[from:i], i + 1, nil
		}
		sb.WriteString(src[from:i])
		return sb.String(), i + 1, nil
	}
	return "", 0, &SyntaxError{Offset: start, Msg: "unterminated string literal"}
}

// lexNumber reads the integer literal (with optional sign) at src[start].
func lexNumber(src string, start int) (token, int, error) {
	i := start
	if src[i] == '-' || src[i] == '+' {
		i++
	}
	for i < len(src) && isDigit(src[i]) {
		i++
	}
	if i < len(src) && (src[i] == '.' || isWordStart(src[i])) {
		return token{}, 0, &SyntaxError{Offset: start, Msg: "invalid number: only integers are supported"}
	}
	n, err := strconv.ParseInt(src[start:i], 10, 64)
	if err != nil {
		return token{}, 0, &SyntaxError{Offset: start, Msg: "number out of range"}
	}
	return token{kind: tokNumber, pos: start, num: n}, i, nil
}
