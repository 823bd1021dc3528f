package odata

import (
	"fmt"
	"strings"
)

// typ is the static type of an operand.
type typ uint8

const (
	tyBool typ = iota
	tyString
	tyInt
	tyNull // the null literal
	tyCollection
)

func (t typ) String() string {
	switch t {
	case tyBool:
		return "boolean"
	case tyString:
		return "string"
	case tyInt:
		return "number"
	case tyNull:
		return "null"
	default:
		return "collection"
	}
}

// operand is a parsed expression with its static type. A collection operand
// (groups) has a nil node: only "in" and length consume it.
type operand struct {
	n   node
	t   typ
	pos int
}

// parser is a recursive-descent parser over the token slice.
type parser struct {
	src   string
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// peekWord reports whether the next token is the word w (case-insensitive).
func (p *parser) peekWord(w string) bool {
	t := p.toks[p.i]
	return t.kind == tokWord && strings.EqualFold(t.text, w)
}

func errAt(pos int, format string, args ...any) error {
	return &SyntaxError{Offset: pos, Msg: fmt.Sprintf(format, args...)}
}

// enter records one more level of nesting and fails beyond MaxDepth.
func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return errAt(p.peek().pos, "expression nested deeper than %d levels", MaxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) expect(k tokenKind, what string) (token, error) {
	t := p.next()
	if t.kind != k {
		return t, errAt(t.pos, "expected %s, found %s", what, t.describe())
	}
	return t, nil
}

// parseFilter parses a whole filter, which must be a boolean expression.
func (p *parser) parseFilter() (node, error) {
	if p.peek().kind == tokEOF {
		return nil, errAt(0, "empty filter")
	}
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errAt(t.pos, "expected an operator or end of filter, found %s", t.describe())
	}
	if x.t != tyBool {
		return nil, errAt(x.pos, "filter must be a boolean expression, found a %s", x.t)
	}
	return x.n, nil
}

// parseOr parses: and_expr ('or' and_expr)*.
func (p *parser) parseOr() (operand, error) {
	if err := p.enter(); err != nil {
		return operand{}, err
	}
	defer p.leave()
	first, err := p.parseAnd()
	if err != nil || !p.peekWord("or") {
		return first, err
	}
	terms, err := p.logicalTerms(first, "or", p.parseAnd)
	if err != nil {
		return operand{}, err
	}
	return operand{n: &orNode{terms: terms}, t: tyBool, pos: first.pos}, nil
}

// parseAnd parses: cmp_expr ('and' cmp_expr)*.
func (p *parser) parseAnd() (operand, error) {
	first, err := p.parseCmp()
	if err != nil || !p.peekWord("and") {
		return first, err
	}
	terms, err := p.logicalTerms(first, "and", p.parseCmp)
	if err != nil {
		return operand{}, err
	}
	return operand{n: &andNode{terms: terms}, t: tyBool, pos: first.pos}, nil
}

// logicalTerms collects the boolean operands of a chain of op.
func (p *parser) logicalTerms(first operand, op string, sub func() (operand, error)) ([]node, error) {
	if first.t != tyBool {
		return nil, errAt(first.pos, "operand of '%s' must be boolean, found a %s", op, first.t)
	}
	terms := []node{first.n}
	for p.peekWord(op) {
		p.next()
		x, err := sub()
		if err != nil {
			return nil, err
		}
		if x.t != tyBool {
			return nil, errAt(x.pos, "operand of '%s' must be boolean, found a %s", op, x.t)
		}
		terms = append(terms, x.n)
	}
	return terms, nil
}

var cmpOps = map[string]cmpOp{"eq": opEq, "ne": opNe, "gt": opGt, "ge": opGe, "lt": opLt, "le": opLe}

// cmpOpOf returns the comparison operator t spells, if any.
func cmpOpOf(t token) (cmpOp, string, bool) {
	if t.kind != tokWord || len(t.text) != 2 {
		return 0, "", false
	}
	name := strings.ToLower(t.text)
	op, ok := cmpOps[name]
	return op, name, ok
}

// parseCmp parses: unary ((cmp_op unary) | ('in' in_rhs))*.
func (p *parser) parseCmp() (operand, error) {
	l, err := p.parseUnary()
	if err != nil {
		return operand{}, err
	}
	for {
		t := p.peek()
		if op, name, ok := cmpOpOf(t); ok {
			p.next()
			r, err := p.parseUnary()
			if err != nil {
				return operand{}, err
			}
			if err := checkComparable(name, op, l, r, t.pos); err != nil {
				return operand{}, err
			}
			l = operand{n: &cmpNode{op: op, l: l.n, r: r.n}, t: tyBool, pos: l.pos}
			continue
		}
		if p.peekWord("in") {
			p.next()
			l, err = p.parseIn(l, t.pos)
			if err != nil {
				return operand{}, err
			}
			continue
		}
		return l, nil
	}
}

// checkComparable rejects comparisons of mismatched or unordered types.
func checkComparable(name string, op cmpOp, l, r operand, pos int) error {
	if l.t == tyCollection || r.t == tyCollection {
		return errAt(pos, "cannot compare a collection with '%s'; use 'in' or length()", name)
	}
	if l.t != r.t && l.t != tyNull && r.t != tyNull {
		return errAt(pos, "cannot compare a %s with a %s", l.t, r.t)
	}
	if op != opEq && op != opNe && (l.t == tyBool || r.t == tyBool) {
		return errAt(pos, "operator '%s' does not apply to booleans", name)
	}
	return nil
}

// parseIn parses the right operand of "in": a parenthesized list of values or
// a collection.
func (p *parser) parseIn(l operand, opPos int) (operand, error) {
	if l.t == tyCollection {
		return operand{}, errAt(l.pos, "left operand of 'in' must be a single value, found a collection")
	}
	if p.peek().kind != tokLParen {
		r, err := p.parseUnary()
		if err != nil {
			return operand{}, err
		}
		if r.t != tyCollection {
			return operand{}, errAt(r.pos, "right operand of 'in' must be a parenthesized list or a collection, found a %s", r.t)
		}
		return p.inGroups(l, opPos)
	}
	p.next() // '('; each item's parseOr counts one level of nesting
	var items []operand
	for {
		it, err := p.parseOr()
		if err != nil {
			return operand{}, err
		}
		if it.t == tyCollection && len(items) == 0 && p.peek().kind == tokRParen {
			p.next()
			return p.inGroups(l, opPos)
		}
		if err := checkComparable("in", opEq, l, it, it.pos); err != nil {
			return operand{}, err
		}
		items = append(items, it)
		t := p.next()
		if t.kind == tokRParen {
			break
		}
		if t.kind != tokComma {
			return operand{}, errAt(t.pos, "expected ',' or ')' in list, found %s", t.describe())
		}
	}
	return operand{n: newInList(l.n, items), t: tyBool, pos: l.pos}, nil
}

func (p *parser) inGroups(l operand, opPos int) (operand, error) {
	if l.t != tyString && l.t != tyNull {
		return operand{}, errAt(opPos, "'in groups' needs a string on the left, found a %s", l.t)
	}
	return operand{n: &inGroupsNode{x: l.n}, t: tyBool, pos: l.pos}, nil
}

// setThreshold is the list length from which a list of literals is matched
// through a map.
const setThreshold = 8

func newInList(x node, items []operand) node {
	nodes := make([]node, len(items))
	allLiterals := true
	for i, it := range items {
		nodes[i] = it.n
		if c, ok := it.n.(constNode); !ok || (c.v.k != vString && c.v.k != vNull) {
			allLiterals = false
		}
	}
	if !allLiterals || len(items) < setThreshold {
		return &inListNode{x: x, items: nodes}
	}
	s := &inSetNode{x: x, set: make(map[string]struct{}, len(items))}
	for _, n := range nodes {
		c := n.(constNode)
		if c.v.k == vNull {
			s.hasNull = true
			continue
		}
		s.set[c.v.s] = struct{}{}
	}
	return s
}

// parseUnary parses: 'not' unary | primary.
func (p *parser) parseUnary() (operand, error) {
	if !p.peekWord("not") {
		return p.parsePrimary()
	}
	t := p.next()
	if err := p.enter(); err != nil {
		return operand{}, err
	}
	defer p.leave()
	x, err := p.parseUnary()
	if err != nil {
		return operand{}, err
	}
	if x.t != tyBool {
		return operand{}, errAt(x.pos, "operand of 'not' must be boolean, found a %s (write not (...) around a comparison)", x.t)
	}
	return operand{n: &notNode{x: x.n}, t: tyBool, pos: t.pos}, nil
}

// parsePrimary parses a literal, identifier, function call or parenthesized
// expression.
func (p *parser) parsePrimary() (operand, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return operand{n: constNode{strValue(t.text)}, t: tyString, pos: t.pos}, nil
	case tokNumber:
		return operand{n: constNode{value{k: vInt, n: t.num}}, t: tyInt, pos: t.pos}, nil
	case tokLParen:
		x, err := p.parseOr()
		if err != nil {
			return operand{}, err
		}
		if _, err := p.expect(tokRParen, "')'"); err != nil {
			return operand{}, err
		}
		x.pos = t.pos
		return x, nil
	case tokWord:
		return p.parseWord(t)
	default:
		return operand{}, errAt(t.pos, "expected an expression, found %s", t.describe())
	}
}

// parseWord parses a literal keyword, identifier or function call.
func (p *parser) parseWord(t token) (operand, error) {
	name := strings.ToLower(t.text)
	switch name {
	case "true":
		return operand{n: constNode{trueValue}, t: tyBool, pos: t.pos}, nil
	case "false":
		return operand{n: constNode{falseValue}, t: tyBool, pos: t.pos}, nil
	case "null":
		return operand{n: constNode{nullValue}, t: tyNull, pos: t.pos}, nil
	case "userid":
		return operand{n: userIDNode{}, t: tyString, pos: t.pos}, nil
	case "connectionid":
		return operand{n: connectionIDNode{}, t: tyString, pos: t.pos}, nil
	case "groups":
		return operand{t: tyCollection, pos: t.pos}, nil
	}
	if _, ok := functions[name]; ok {
		return p.parseCall(t, name)
	}
	switch name {
	case "and", "or", "not", "in", "eq", "ne", "gt", "ge", "lt", "le":
		return operand{}, errAt(t.pos, "expected an expression, found operator %s", t.describe())
	}
	return operand{}, errAt(t.pos, "unknown identifier %s (supported: userId, connectionId, groups)", t.describe())
}
