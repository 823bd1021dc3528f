package odata

import (
	"strconv"
	"strings"
)

// synKind is the kind of a syntax tree node.
type synKind uint8

const (
	synString      synKind = iota // string literal (text: the value)
	synInt                        // integer literal (num)
	synBool                       // true or false (num 1 or 0)
	synNull                       // null
	synOddNum                     // a number the language does not support (text: as written)
	synIdent                      // identifier (text: as written)
	synBinary                     // args[0] op args[1] (op: lower-case keyword)
	synNot                        // not args[0]
	synNegate                     // - args[0] (unsupported)
	synIn                         // args[0] in args[1]
	synList                       // the parenthesized list right of "in" (text: as written; args: items)
	synCall                       // text(args...) (text: the name as written)
	synUnsupported                // args[0] op args[1] for an operator the language lacks (add, has, ...)
)

// syn is a node of a filter's syntax tree, shaped as the service's parser
// (Microsoft.OData's UriQueryExpressionParser) shapes its query tokens, so
// that errors can name a sub-expression the way the service prints it.
type syn struct {
	kind synKind
	op   string
	text string
	num  int64
	args []*syn
	pos  int // byte offset of the node's first token
	at   int // byte offset of the operator (or of the token, for a leaf)
}

// unprintable returns the kind name the service's printer fails on ("Token
// 'BinaryOperator' is not supported.") if n contains an operator the filter
// language lacks, else "".
func (n *syn) unprintable() string {
	switch n.kind {
	case synUnsupported:
		return "BinaryOperator"
	case synNegate:
		return "UnaryOperator"
	}
	for _, a := range n.args {
		if n.kind == synList {
			break // items are printed as written
		}
		if k := a.unprintable(); k != "" {
			return k
		}
	}
	return ""
}

// print returns n as the service prints a query token in its error messages
// (Microsoft's emulator, ODataFilterExecutor.cs, FilterTokenPrinter): binary
// operands that are themselves operators in parentheses, function arguments
// joined by "," without space, strings in single quotes without escaping,
// booleans as "True" and "False".
func (n *syn) print() string {
	var b strings.Builder
	n.printTo(&b)
	return b.String()
}

func (n *syn) printTo(b *strings.Builder) {
	switch n.kind {
	case synString:
		if len(n.text) > 2 && n.text[0] == '(' && n.text[len(n.text)-1] == ')' {
			b.WriteString(n.text) // as the service's printer does
			return
		}
		b.WriteString("'" + n.text + "'")
	case synInt:
		b.WriteString(strconv.FormatInt(n.num, 10))
	case synBool:
		if n.num != 0 {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case synNull:
		b.WriteString("null")
	case synOddNum, synIdent, synList:
		b.WriteString(n.text)
	case synBinary, synUnsupported:
		n.args[0].wrapTo(b)
		b.WriteString(" " + n.op + " ")
		n.args[1].wrapTo(b)
	case synNot:
		b.WriteString("not ")
		n.args[0].wrapTo(b)
	case synNegate:
		b.WriteString("-")
		n.args[0].wrapTo(b)
	case synIn:
		n.args[0].printTo(b)
		b.WriteString(" in ")
		n.args[1].printTo(b)
	case synCall:
		b.WriteString(n.text + "(")
		for i, a := range n.args {
			if i > 0 {
				b.WriteByte(',')
			}
			a.printTo(b)
		}
		b.WriteByte(')')
	}
}

// wrapTo prints n, in parentheses when it is an operator.
func (n *syn) wrapTo(b *strings.Builder) {
	switch n.kind {
	case synBinary, synUnsupported, synNot, synNegate, synIn:
		b.WriteByte('(')
		n.printTo(b)
		b.WriteByte(')')
	default:
		n.printTo(b)
	}
}
