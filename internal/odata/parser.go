package odata

import (
	"fmt"
	"strings"
	"unicode"
)

// parser is a recursive-descent parser building the syntax tree of a filter
// with the service's grammar (Microsoft.OData's UriQueryExpressionParser),
// from loosest to tightest binding:
//
//	or, and, comparisons (eq ne gt ge lt le), add sub, mul div mod,
//	not and unary minus, in and has, primaries
//
// A primary is a parenthesized expression, a literal, a function call (a
// name immediately followed by "("), or an identifier (any other word,
// operator keywords included: the checker refuses what it does not know).
// The list right of "in" is read as the service reads it: the balanced
// parenthesized text, split at its commas, each item parsed as a filter of
// its own.
type parser struct {
	root  string // the whole filter, the subject of syntax errors
	src   string // the text being parsed: the filter or one list item
	base  int    // byte offset of src in root
	toks  []token
	i     int
	depth int
}

func newParser(root, src string, base, depth int) *parser {
	return &parser{root: root, src: src, base: base, toks: lex(src), depth: depth}
}

func (p *parser) cur() token { return p.toks[p.i] }

// errAt returns a syntax error at byte offset off of p.src: ours (msg) and the
// service's (reason).
func (p *parser) errAt(off int, reason, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: p.base + off, Msg: fmt.Sprintf(format, args...), subject: p.root, reason: reason}
}

// lexErr reports the current token if it is a lexical error.
func (p *parser) lexErr() *SyntaxError {
	t := p.cur()
	if t.kind != tokError {
		return nil
	}
	return p.errAt(t.pos, t.err.reason, "%s", t.err.msg)
}

// advance moves past the current token. The next one is read then, so a
// lexical error there is reported now, as the service's lexer reports it.
func (p *parser) advance() *SyntaxError {
	if p.cur().kind != tokEOF {
		p.i++
	}
	return p.lexErr()
}

// isWord reports whether the current token is the word w (case-insensitive).
func (p *parser) isWord(w string) bool {
	t := p.cur()
	return t.kind == tokWord && strings.EqualFold(t.text, w)
}

// enter records one more level of nesting and fails beyond MaxDepth.
func (p *parser) enter() *SyntaxError {
	p.depth++
	if p.depth > MaxDepth {
		return p.errAt(p.cur().pos, reasonTooDeep, "expression nested deeper than %d levels", MaxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// parseFilter parses the whole of p.src.
func (p *parser) parseFilter() (*syn, *SyntaxError) {
	if err := p.lexErr(); err != nil {
		return nil, err
	}
	if p.cur().kind == tokEOF {
		return nil, p.errAt(0, reasonExpressionExpected(p.src, p.cur().pos), "empty filter")
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.cur(); t.kind != tokEOF {
		return nil, p.errAt(t.pos, reasonSyntax(p.src, t.end), "expected an operator or end of filter, found %s", t.describe())
	}
	return n, nil
}

// binaryLevel parses sub (op sub)* for the operators ops, building nodes of
// kind.
func (p *parser) binaryLevel(ops []string, kind synKind, sub func() (*syn, *SyntaxError)) (*syn, *SyntaxError) {
	left, err := sub()
	for err == nil {
		op := p.matchWord(ops)
		if op == "" {
			return left, nil
		}
		at := p.cur().pos
		if err = p.advance(); err != nil {
			return nil, err
		}
		var right *syn
		if right, err = sub(); err == nil {
			left = &syn{kind: kind, op: op, args: []*syn{left, right}, pos: left.pos, at: at}
		}
	}
	return nil, err
}

// matchWord returns the member of words the current token spells, or "".
func (p *parser) matchWord(words []string) string {
	for _, w := range words {
		if p.isWord(w) {
			return w
		}
	}
	return ""
}

var (
	cmpWords = []string{"eq", "ne", "gt", "ge", "lt", "le"}
	addWords = []string{"add", "sub"}
	mulWords = []string{"mul", "div", "mod"}
)

func (p *parser) parseOr() (*syn, *SyntaxError) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	return p.binaryLevel([]string{"or"}, synBinary, p.parseAnd)
}

func (p *parser) parseAnd() (*syn, *SyntaxError) {
	return p.binaryLevel([]string{"and"}, synBinary, p.parseCmp)
}

func (p *parser) parseCmp() (*syn, *SyntaxError) {
	return p.binaryLevel(cmpWords, synBinary, p.parseAdd)
}

func (p *parser) parseAdd() (*syn, *SyntaxError) {
	return p.binaryLevel(addWords, synUnsupported, p.parseMul)
}

func (p *parser) parseMul() (*syn, *SyntaxError) {
	return p.binaryLevel(mulWords, synUnsupported, p.parseUnary)
}

// parseUnary parses 'not' unary | '-' unary | inHas. A minus before a number
// makes a negative number, as the service's parser does.
func (p *parser) parseUnary() (*syn, *SyntaxError) {
	t := p.cur()
	not := p.isWord("not")
	if !not && t.kind != tokMinus {
		return p.parseInHas()
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if not {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
	}
	if n := p.cur(); t.kind == tokMinus && (n.kind == tokNumber || n.kind == tokOddNum) {
		lit, err := p.parsePrimary()
		if err == nil {
			lit.num, lit.text, lit.pos, lit.at = -lit.num, "-"+lit.text, t.pos, t.pos
		}
		return lit, err
	}
	x, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	kind := synNot
	if t.kind == tokMinus {
		kind = synNegate
	}
	return &syn{kind: kind, args: []*syn{x}, pos: t.pos, at: t.pos}, nil
}

// parseInHas parses primary (('in' inRight) | ('has' primary))*.
func (p *parser) parseInHas() (*syn, *SyntaxError) {
	left, err := p.parsePrimary()
	for err == nil {
		in := p.isWord("in")
		if !in && !p.isWord("has") {
			return left, nil
		}
		at := p.cur().pos
		if err = p.advance(); err != nil {
			return nil, err
		}
		var right *syn
		switch {
		case in && p.cur().kind == tokLParen:
			right, err = p.parseList()
		default:
			right, err = p.parsePrimary()
		}
		if err == nil {
			left = &syn{kind: synIn, args: []*syn{left, right}, pos: left.pos, at: at}
			if !in {
				left.kind, left.op = synUnsupported, "has"
			}
		}
	}
	return nil, err
}

// parsePrimary parses a parenthesized expression, a literal, a function call
// or an identifier.
func (p *parser) parsePrimary() (*syn, *SyntaxError) {
	t := p.cur()
	var n *syn
	switch t.kind {
	case tokLParen:
		return p.parseParens()
	case tokString:
		n = &syn{kind: synString, text: t.text}
	case tokNumber:
		n = &syn{kind: synInt, num: t.num, text: t.text}
	case tokOddNum:
		n = &syn{kind: synOddNum, text: t.text}
	case tokWord:
		if next := p.toks[p.i+1]; next.kind == tokLParen && !next.space {
			return p.parseCall()
		}
		n = wordNode(t.text)
	default:
		return nil, p.errAt(t.pos, reasonExpressionExpected(p.src, t.pos), "expected an expression, found %s", t.describe())
	}
	n.pos, n.at = t.pos, t.pos
	return n, p.advance()
}

// wordNode returns the node of a word: true, false, null (in any case) or an
// identifier.
func wordNode(w string) *syn {
	switch strings.ToLower(w) {
	case "true":
		return &syn{kind: synBool, num: 1}
	case "false":
		return &syn{kind: synBool}
	case "null":
		return &syn{kind: synNull}
	}
	return &syn{kind: synIdent, text: w}
}

// parseParens parses '(' or ')'.
func (p *parser) parseParens() (*syn, *SyntaxError) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.cur(); t.kind != tokRParen {
		return nil, p.errAt(t.pos, reasonCloseParenOrOperator(p.src, t.pos), "expected ')', found %s", t.describe())
	}
	return x, p.advance()
}

// parseCall parses name '(' [args] ')'; each argument's parseOr counts one
// level of nesting.
func (p *parser) parseCall() (*syn, *SyntaxError) {
	name := p.cur()
	n := &syn{kind: synCall, text: name.text, pos: name.pos, at: name.pos}
	p.i++ // the '(' that follows, already read
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.cur().kind != tokRParen {
		for {
			a, err := p.parseOr()
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, a)
			if p.cur().kind != tokComma {
				break
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
	}
	if t := p.cur(); t.kind != tokRParen {
		return nil, p.errAt(t.pos, reasonCloseParenOrComma(p.src, t.pos), "expected ',' or ')' in arguments of %s, found %s", name.text, t.describe())
	}
	return n, p.advance()
}

// parseList reads the list right of "in" as the service does: the balanced
// parenthesized text (quotes respected), whose items, split at the commas
// outside quotes and parentheses and trimmed, are each parsed as a filter of
// their own. The tokens after the list are read afresh.
func (p *parser) parseList() (*syn, *SyntaxError) {
	start := p.cur().pos
	end, ok := balancedEnd(p.src, start)
	if !ok {
		return nil, p.errAt(start, reasonUnbalanced, "unbalanced parentheses in the list of 'in'")
	}
	n := &syn{kind: synList, text: p.src[start:end], pos: start, at: start}
	for _, it := range splitItems(p.src, start+1, end-1) {
		sub := newParser(p.root, p.src[it[0]:it[1]], p.base+it[0], p.depth)
		item, err := sub.parseFilter()
		if err != nil {
			return nil, err
		}
		shift(item, it[0])
		n.args = append(n.args, item)
	}
	p.toks, p.i = lex(p.src[end:]), 0
	for k := range p.toks {
		p.toks[k].pos += end
		p.toks[k].end += end
	}
	return n, p.lexErr()
}

// balancedEnd returns the offset after the parenthesis that closes the one at
// src[start], skipping quoted strings.
func balancedEnd(src string, start int) (int, bool) {
	depth, quoted := 0, false
	for i := start; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			if depth--; depth == 0 {
				return i + 1, true
			}
		}
	}
	return 0, false
}

// splitItems returns the [start, end) offsets of the trimmed, non-empty items
// of src[from:to], split at the commas outside quotes and parentheses.
func splitItems(src string, from, to int) [][2]int {
	var items [][2]int
	add := func(a, b int) {
		for a < b && unicode.IsSpace(rune(src[a])) {
			a++
		}
		for b > a && unicode.IsSpace(rune(src[b-1])) {
			b--
		}
		if a < b {
			items = append(items, [2]int{a, b})
		}
	}
	depth, quoted, last := 0, false, from
	for i := from; i < to; i++ {
		switch c := src[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			add(last, i)
			last = i + 1
		}
	}
	add(last, to)
	return items
}

// shift moves the byte offsets of a list item's nodes by off, from the item's
// text to the list's (every node of the item, nested lists included, is in
// the item's coordinates).
func shift(n *syn, off int) {
	n.pos += off
	n.at += off
	for _, a := range n.args {
		shift(a, off)
	}
}
