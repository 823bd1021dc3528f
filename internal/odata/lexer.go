package odata

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind classifies a token.
type tokenKind int

const (
	tokEOF    tokenKind = iota
	tokWord             // keyword, identifier or function name
	tokString           // single-quoted string literal (value unescaped)
	tokNumber           // integer literal
	tokOddNum           // a number the filter language does not support (1.5, 1e3, 10L, too large)
	tokLParen
	tokRParen
	tokComma
	tokMinus // a '-' not followed by a digit
	tokOther // a character the service's lexer reads but no filter can use (= / . : * ? { [ @)
	tokError // a character no filter may contain, or an unterminated string
)

// token is one lexical unit of a filter.
type token struct {
	kind  tokenKind
	pos   int    // byte offset of the token's first character
	end   int    // byte offset after the token
	text  string // source text (words, numbers, other), unescaped value (strings)
	num   int64  // value of a number
	space bool   // white space precedes the token
	err   *lexError
}

// lexError is a lexical error, reported when the parser reaches its token, as
// the service's lexer (Microsoft.OData's ExpressionLexer, which reads tokens as
// the parser asks for them) reports it.
type lexError struct {
	msg    string // ours
	reason string // the service's (ExpressionLexer's) words
}

// describe returns a short description of t for error messages.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of filter"
	case tokString:
		return "string " + quoteShort(t.text)
	case tokNumber, tokOddNum:
		return "number " + t.text
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

// isWordStart reports whether r can start a word: a letter or '_' (the
// service's lexer also takes '$' and letter numbers, which name nothing
// here).
func isWordStart(r rune) bool { return r == '_' || r == '$' || unicode.IsLetter(r) }

// isWordPart reports whether r can continue a word.
func isWordPart(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// lex splits src into tokens, ending with a tokEOF token. A character no
// filter may contain ends the list with a tokError token.
func lex(src string) []token {
	toks := make([]token, 0, len(src)/4+2)
	i := 0
	for {
		start := i
		for i < len(src) {
			r, size := utf8.DecodeRuneInString(src[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += size
		}
		if i == len(src) {
			return append(toks, token{kind: tokEOF, pos: i, end: i, space: i > start})
		}
		t := lexToken(src, i)
		t.space = i > start
		toks = append(toks, t)
		if t.kind == tokError {
			return toks
		}
		i = t.end
	}
}

// lexToken reads the token at src[i], which is not white space.
func lexToken(src string, i int) token {
	b := src[i]
	switch {
	case b == '(':
		return token{kind: tokLParen, pos: i, end: i + 1, text: "("}
	case b == ')':
		return token{kind: tokRParen, pos: i, end: i + 1, text: ")"}
	case b == ',':
		return token{kind: tokComma, pos: i, end: i + 1, text: ","}
	case b == '\'':
		return lexString(src, i)
	case isDigit(b) || ((b == '-' || b == '+') && i+1 < len(src) && isDigit(src[i+1])):
		return lexNumber(src, i)
	case b == '-':
		return token{kind: tokMinus, pos: i, end: i + 1, text: "-"}
	case strings.IndexByte("=/.:*?{[@", b) >= 0:
		return token{kind: tokOther, pos: i, end: i + 1, text: src[i : i+1]}
	}
	r, size := utf8.DecodeRuneInString(src[i:])
	if isWordStart(r) {
		j := i + size
		for j < len(src) {
			r, size := utf8.DecodeRuneInString(src[j:])
			if !isWordPart(r) {
				break
			}
			j += size
		}
		return token{kind: tokWord, pos: i, end: j, text: src[i:j]}
	}
	return token{kind: tokError, pos: i, end: i + size, err: &lexError{
		msg:    "unexpected character " + strconv.QuoteRune(r),
		reason: "Syntax error: character '" + string(r) + "' is not valid at position " + strconv.Itoa(utf16Index(src, i)) + " in '" + src + "'.",
	}}
}

// lexString reads the single-quoted string starting at src[start]: its value
// (with doubled quotes undoubled) and the offset after it.
func lexString(src string, start int) token {
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
		t := token{kind: tokString, pos: start, end: i + 1, text: src[from:i]}
		if sb.Len() > 0 {
			sb.WriteString(src[from:i])
			t.text = sb.String()
		}
		return t
	}
	return token{kind: tokError, pos: start, end: len(src), err: &lexError{
		msg:    "unterminated string literal",
		reason: "There is an unterminated string literal at position " + strconv.Itoa(utf16Index(src, len(src))) + " in '" + src + "'.",
	}}
}

// lexNumber reads the number (with an optional sign) at src[start], as the
// service's lexer delimits it: digits, then optionally a fraction, an
// exponent and a type suffix (M, D, F, L). Only an integer that fits an
// int64 is a tokNumber; the others are tokOddNum, which the checker refuses
// as the service does ("Token '1.5' is not supported.").
func lexNumber(src string, start int) token {
	i := start + 1
	digits := func() {
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	digits()
	odd := false
	if i+1 < len(src) && src[i] == '.' && isDigit(src[i+1]) {
		i++
		digits()
		odd = true
	}
	if i+1 < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigit(src[j]) {
			i = j
			digits()
			odd = true
		}
	}
	if i < len(src) && strings.IndexByte("mMdDfFlL", src[i]) >= 0 {
		i++
		odd = true
	}
	t := token{kind: tokNumber, pos: start, end: i, text: src[start:i]}
	n, err := strconv.ParseInt(t.text, 10, 64)
	if odd || err != nil {
		t.kind = tokOddNum
	}
	t.num = n
	return t
}

// utf16Index returns the UTF-16 index of byte offset off in src: the
// positions the service reports are .NET string indexes.
func utf16Index(src string, off int) int {
	if off > len(src) {
		off = len(src)
	}
	n := 0
	for _, r := range src[:off] {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
