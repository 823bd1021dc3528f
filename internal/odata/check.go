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

// String names t in our messages.
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

// serviceName names t as the service's messages do ("Type 'string', expect
// 'int'.", Microsoft's emulator, ODataFilterExecutor.cs).
func (t typ) serviceName() string {
	switch t {
	case tyBool:
		return "bool"
	case tyInt:
		return "int"
	}
	return t.String()
}

// operand is a checked expression: its evaluator (nil for the collection
// groups, which only "in" and length consume), its static type and its
// syntax.
type operand struct {
	n     node
	t     typ
	syn   *syn
	konst *value // the value of a literal
	chain []node // the terms of an "and" or "or" chain (syn.op says which)
}

// checker types a syntax tree and builds its evaluator. Its errors name the
// sub-expression at fault as Microsoft's emulator does (ODataFilterExecutor.cs,
// FilterNodeVisitor): a type error names the operator that needed another
// type; a token it does not know ("Token 'x' is not supported.") is named by
// the nearest enclosing binary operator, "in" or function call, or by the
// filter itself; an operator the language lacks names the filter.
type checker struct{ src string }

// compile checks the filter's syntax tree and returns its evaluator.
func compile(src string, root *syn) (node, *SyntaxError) {
	c := &checker{src: src}
	x, err := c.check(root)
	if err != nil {
		if err.wrap {
			err.subject, err.wrap = src, false
		}
		return nil, err
	}
	if x.t != tyBool {
		return nil, c.typeErr(root, x.t, tyBool, x.syn.pos, "filter must be a boolean expression, found a %s", x.t)
	}
	return x.n, nil
}

func (c *checker) check(n *syn) (operand, *SyntaxError) {
	switch n.kind {
	case synString:
		return literal(strValue(n.text), tyString, n), nil
	case synInt:
		return literal(value{k: vInt, n: n.num}, tyInt, n), nil
	case synBool:
		return literal(boolValue(n.num != 0), tyBool, n), nil
	case synNull:
		return literal(nullValue, tyNull, n), nil
	case synOddNum:
		return operand{}, c.notSupported(n, n.text, "invalid number %s: only integers are supported", n.text)
	case synIdent:
		return c.ident(n)
	case synNot:
		return c.not(n)
	case synBinary:
		return c.binary(n)
	case synIn:
		return c.in(n)
	case synCall:
		return c.call(n)
	}
	return c.unsupported(n)
}

// literal returns the operand of a literal.
func literal(v value, t typ, n *syn) operand {
	return operand{n: constNode(v), t: t, syn: n, konst: &v}
}

// notSupported is the error of a token the language does not know; the
// enclosing operator names the subject (wrapped).
func (c *checker) notSupported(n *syn, token, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: n.at, Msg: fmt.Sprintf(format, args...), reason: reasonNotSupported(token), wrap: true}
}

// wrapped returns err as operator n reports it: a not-supported token is
// named by n, unless n contains an operator the service cannot print, which
// makes the filter the subject.
func (c *checker) wrapped(err *SyntaxError, n *syn) *SyntaxError {
	if !err.wrap {
		return err
	}
	if k := n.unprintable(); k != "" {
		return &SyntaxError{Offset: err.Offset, Msg: err.Msg, subject: c.src, reason: reasonNotSupported(k)}
	}
	err.subject, err.wrap = n.print(), false
	return err
}

// typeErr is the error of an operand of type got where operator n needs
// want.
func (c *checker) typeErr(n *syn, got, want typ, off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...), subject: n.print(), reason: reasonType(got, want)}
}

func (c *checker) ident(n *syn) (operand, *SyntaxError) {
	x := operand{t: tyString, syn: n}
	switch strings.ToLower(n.text) {
	case "userid":
		x.n = userIDNode
	case "connectionid":
		x.n = connectionIDNode
	case "protocol":
		x.n = protocolNode
	case "groups":
		x.t = tyCollection
	default:
		return operand{}, c.notSupported(n, n.text, "unknown identifier %s (supported: userId, connectionId, protocol, groups)", quoteShort(n.text))
	}
	return x, nil
}

func (c *checker) not(n *syn) (operand, *SyntaxError) {
	x, err := c.check(n.args[0])
	if err != nil {
		return operand{}, err // the service's "not" names nothing
	}
	if x.t != tyBool {
		return operand{}, c.typeErr(n, x.t, tyBool, x.syn.pos, "operand of 'not' must be boolean, found a %s (write not (...) around a comparison)", x.t)
	}
	return operand{n: notNode(x.n), t: tyBool, syn: n}, nil
}

// unsupported checks an operator the language lacks (add, sub, mul, div,
// mod, has, unary minus): an error naming the filter, after its operands'.
func (c *checker) unsupported(n *syn) (operand, *SyntaxError) {
	for _, a := range n.args {
		if a.kind == synList {
			continue
		}
		if _, err := c.check(a); err != nil {
			if n.kind == synNegate {
				return operand{}, err
			}
			return operand{}, c.wrapped(err, n)
		}
	}
	kind, msg := "BinaryOperator", "operator "+quoteShort(n.op)+" is not supported"
	if n.kind == synNegate {
		kind, msg = "UnaryOperator", "'-' applies only to number literals"
	}
	return operand{}, &SyntaxError{Offset: n.at, Msg: msg, subject: c.src, reason: reasonNotSupported(kind)}
}

// operands checks the two operands of a binary operator n, left first.
func (c *checker) operands(n *syn) (l, r operand, err *SyntaxError) {
	if l, err = c.check(n.args[0]); err != nil {
		return l, r, c.wrapped(err, n)
	}
	if r, err = c.check(n.args[1]); err != nil {
		return l, r, c.wrapped(err, n)
	}
	return l, r, nil
}

func (c *checker) binary(n *syn) (operand, *SyntaxError) {
	l, r, err := c.operands(n)
	if err != nil {
		return operand{}, err
	}
	if n.op == "and" || n.op == "or" {
		return c.logical(n, l, r)
	}
	op := cmpOps[n.op]
	if err := c.comparable(n, op, l, r, n.at); err != nil {
		return operand{}, err
	}
	return operand{n: cmpNode(op, l.n, r.n), t: tyBool, syn: n}, nil
}

// logical builds an and or an or, flattening chains of the same operator.
func (c *checker) logical(n *syn, l, r operand) (operand, *SyntaxError) {
	for _, x := range []operand{l, r} {
		if x.t != tyBool {
			return operand{}, c.typeErr(n, x.t, tyBool, x.syn.pos, "operand of '%s' must be boolean, found a %s", n.op, x.t)
		}
	}
	terms := []node{l.n, r.n}
	if l.chain != nil && l.syn.kind == synBinary && l.syn.op == n.op {
		terms = append(append(make([]node, 0, len(l.chain)+1), l.chain...), r.n)
	}
	x := operand{t: tyBool, syn: n, chain: terms}
	if n.op == "and" {
		x.n = andNode(terms)
	} else {
		x.n = orNode(terms)
	}
	return x, nil
}

var cmpOps = map[string]cmpOp{"eq": opEq, "ne": opNe, "gt": opGt, "ge": opGe, "lt": opLt, "le": opLe}

// comparable rejects comparisons of mismatched or unordered types. The
// service orders only numbers (a string ordered gets "Type 'string', expect
// 'int'."); we also order strings, ordinally. A null literal compares with
// anything.
func (c *checker) comparable(n *syn, op cmpOp, l, r operand, at int) *SyntaxError {
	if l.t == tyNull || r.t == tyNull {
		return nil
	}
	name := n.op
	if n.kind == synIn {
		name = "in"
	}
	ordering := op != opEq && op != opNe
	switch {
	case ordering && l.t == r.t && (l.t == tyInt || l.t == tyString):
		return nil
	case ordering:
		bad := l
		if bad.t == tyInt {
			bad = r
		}
		return c.typeErr(n, bad.t, tyInt, at, "%s", comparisonMsg(name, l.t, r.t))
	case l.t == tyCollection || r.t == tyCollection:
		want := l.t
		if want == tyCollection {
			want = r.t
		}
		if want == tyCollection {
			want = tyString
		}
		return c.typeErr(n, tyCollection, want, at, "%s", comparisonMsg(name, l.t, r.t))
	case l.t != r.t:
		return c.typeErr(n, r.t, l.t, at, "%s", comparisonMsg(name, l.t, r.t))
	}
	return nil
}

// comparisonMsg says why l and r cannot be compared with op.
func comparisonMsg(op string, l, r typ) string {
	switch {
	case l == tyCollection || r == tyCollection:
		return fmt.Sprintf("cannot compare a collection with '%s'; use 'in' or length()", op)
	case l != r:
		return fmt.Sprintf("cannot compare a %s with a %s", l, r)
	}
	return fmt.Sprintf("operator '%s' does not apply to booleans", op)
}

// in checks "x in (list)" and "x in collection".
func (c *checker) in(n *syn) (operand, *SyntaxError) {
	l, err := c.check(n.args[0])
	if err != nil {
		return operand{}, c.wrapped(err, n)
	}
	if l.t == tyCollection {
		return operand{}, c.typeErr(n, tyCollection, tyString, l.syn.pos, "left operand of 'in' must be a single value, found a collection")
	}
	right := n.args[1]
	if right.kind != synList {
		r, err := c.check(right)
		if err != nil {
			return operand{}, c.wrapped(err, n)
		}
		if r.t != tyCollection {
			return operand{}, c.typeErr(n, r.t, tyCollection, r.syn.pos, "right operand of 'in' must be a parenthesized list or a collection, found a %s", r.t)
		}
		return c.inGroups(n, l)
	}
	items := make([]operand, 0, len(right.args))
	for _, it := range right.args {
		x, err := c.check(it)
		if err != nil {
			return operand{}, c.wrapped(err, n)
		}
		items = append(items, x)
	}
	if len(items) == 1 && items[0].t == tyCollection {
		return c.inGroups(n, l) // "x in (groups)"
	}
	for _, it := range items {
		if err := c.comparable(n, opEq, l, it, it.syn.pos); err != nil {
			return operand{}, err
		}
	}
	return operand{n: newInList(l.n, items), t: tyBool, syn: n}, nil
}

// inGroups builds "x in groups": x must be a string.
func (c *checker) inGroups(n *syn, l operand) (operand, *SyntaxError) {
	if l.t != tyString && l.t != tyNull {
		return operand{}, c.typeErr(n, l.t, tyString, n.at, "'in groups' needs a string on the left, found a %s", l.t)
	}
	return operand{n: inGroupsNode(l.n), t: tyBool, syn: n}, nil
}

// setThreshold is the list length from which a list of literals is matched
// through a map.
const setThreshold = 8

func newInList(x node, items []operand) node {
	nodes := make([]node, len(items))
	allLiterals := true
	for i, it := range items {
		nodes[i] = it.n
		if it.konst == nil || (it.konst.k != vString && it.konst.k != vNull) {
			allLiterals = false
		}
	}
	if !allLiterals || len(items) < setThreshold {
		return inListNode(x, nodes)
	}
	set := make(map[string]struct{}, len(items))
	hasNull := false
	for _, it := range items {
		if it.konst.k == vNull {
			hasNull = true
			continue
		}
		set[it.konst.s] = struct{}{}
	}
	return inSetNode(x, set, hasNull)
}
