package odata

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/webpubsub-go/webpubsub/internal/names"
)

// vkind is the runtime kind of a value.
type vkind uint8

const (
	vNull vkind = iota
	vString
	vInt
	vBool
)

// value is the result of evaluating a node. Collections never appear as
// values: the only collection, groups, is consumed by dedicated nodes.
type value struct {
	k vkind
	b bool
	n int64
	s string
}

var (
	nullValue  = value{}
	trueValue  = value{k: vBool, b: true}
	falseValue = value{k: vBool}
)

func boolValue(b bool) value {
	if b {
		return trueValue
	}
	return falseValue
}

// strValue returns s as a string value; "" stands for a missing (null) value
// only where the caller says so.
func strValue(s string) value { return value{k: vString, s: s} }

// node evaluates an expression for a connection. Nodes are closures rather
// than an interface: a method's receiver would take the tenth argument
// register on amd64 and spill the nine-word Connection to the stack at every
// call, while a closure's context travels in a register of its own.
type node func(c Connection) value

// constNode returns the node of a literal.
func constNode(v value) node { return func(Connection) value { return v } }

// userIDNode is the userId identifier; an empty user id is null.
func userIDNode(c Connection) value {
	if c.UserID == "" {
		return nullValue
	}
	return strValue(c.UserID)
}

// connectionIDNode is the connectionId identifier; an empty id is null.
func connectionIDNode(c Connection) value {
	if c.ConnectionID == "" {
		return nullValue
	}
	return strValue(c.ConnectionID)
}

// protocolNode is the protocol identifier: the connection's WebSocket
// subprotocol; none (a simple WebSocket) is null.
func protocolNode(c Connection) value {
	if c.Protocol == "" {
		return nullValue
	}
	return strValue(c.Protocol)
}

// andNode is a chain of "and" terms.
func andNode(terms []node) node {
	return func(c Connection) value {
		for _, t := range terms {
			if !t(c).b {
				return falseValue
			}
		}
		return trueValue
	}
}

// orNode is a chain of "or" terms.
func orNode(terms []node) node {
	return func(c Connection) value {
		for _, t := range terms {
			if t(c).b {
				return trueValue
			}
		}
		return falseValue
	}
}

// notNode is logical negation.
func notNode(x node) node { return func(c Connection) value { return boolValue(!x(c).b) } }

// cmpOp is a comparison operator.
type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opGt
	opGe
	opLt
	opLe
)

// cmpNode is a comparison of two scalar operands of compatible types.
func cmpNode(op cmpOp, l, r node) node {
	return func(c Connection) value { return boolValue(compare(op, l(c), r(c))) }
}

// equal reports OData equality: null equals only null.
func equal(a, b value) bool {
	if a.k == vNull || b.k == vNull {
		return a.k == b.k
	}
	if a.k != b.k {
		return false
	}
	switch a.k {
	case vString:
		return a.s == b.s
	case vInt:
		return a.n == b.n
	default:
		return a.b == b.b
	}
}

// compare applies op; ordering comparisons involving null are false.
func compare(op cmpOp, a, b value) bool {
	switch op {
	case opEq:
		return equal(a, b)
	case opNe:
		return !equal(a, b)
	}
	if a.k == vNull || b.k == vNull || a.k != b.k {
		return false
	}
	var d int
	switch a.k {
	case vString:
		d = strings.Compare(a.s, b.s)
	case vInt:
		switch {
		case a.n < b.n:
			d = -1
		case a.n > b.n:
			d = 1
		}
	default:
		return false
	}
	switch op {
	case opGt:
		return d > 0
	case opGe:
		return d >= 0
	case opLt:
		return d < 0
	default:
		return d <= 0
	}
}

// inListNode is "x in (a, b, ...)".
func inListNode(x node, items []node) node {
	return func(c Connection) value {
		v := x(c)
		for _, it := range items {
			if equal(v, it(c)) {
				return trueValue
			}
		}
		return falseValue
	}
}

// inSetNode is "x in (...)" over a long list of string or null literals.
func inSetNode(x node, set map[string]struct{}, hasNull bool) node {
	return func(c Connection) value {
		v := x(c)
		switch v.k {
		case vNull:
			return boolValue(hasNull)
		case vString:
			_, ok := set[v.s]
			return boolValue(ok)
		}
		return falseValue
	}
}

// inGroupsNode is "x in groups".
func inGroupsNode(x node) node {
	return func(c Connection) value {
		v := x(c)
		if v.k != vString {
			return falseValue
		}
		for _, g := range c.Groups {
			if g == v.s {
				return trueValue
			}
		}
		return falseValue
	}
}

// lengthGroupsNode is "length(groups)".
func lengthGroupsNode(c Connection) value { return value{k: vInt, n: int64(len(c.Groups))} }

// lengthNode is "length(s)", in UTF-16 code units as the service counts.
func lengthNode(x node) node {
	return func(c Connection) value {
		v := x(c)
		if v.k != vString {
			return nullValue
		}
		return value{k: vInt, n: int64(names.UTF16Len(v.s))}
	}
}

// indexofNode is "indexof(s, sub)", a UTF-16 index or -1.
func indexofNode(a, b node) node {
	return func(c Connection) value {
		av, bv := a(c), b(c)
		if av.k != vString || bv.k != vString {
			return nullValue
		}
		i := strings.Index(av.s, bv.s)
		if i > 0 {
			i = names.UTF16Len(av.s[:i])
		}
		return value{k: vInt, n: int64(i)}
	}
}

// predicateNode is startswith, endswith or contains; false when either
// argument is null.
func predicateNode(a, b node, fn func(s, t string) bool) node {
	return func(c Connection) value {
		av, bv := a(c), b(c)
		if av.k != vString || bv.k != vString {
			return falseValue
		}
		return boolValue(fn(av.s, bv.s))
	}
}

// mapNode is tolower, toupper or trim; null stays null.
func mapNode(x node, fn func(string) string) node {
	return func(c Connection) value {
		v := x(c)
		if v.k != vString {
			return nullValue
		}
		return strValue(fn(v.s))
	}
}

// concatNode is "concat(a, b)"; a null argument counts as empty.
func concatNode(a, b node) node {
	return func(c Connection) value {
		av, bv := a(c), b(c)
		if av.k == vNull && bv.k == vNull {
			return nullValue
		}
		return strValue(av.s + bv.s)
	}
}

// substringNode is "substring(s, start[, length])" in UTF-16 code units;
// out-of-range bounds are clamped, and a null argument gives null. A nil
// length means to the end.
func substringNode(x, start, length node) node {
	return func(c Connection) value {
		v, sv := x(c), start(c)
		if v.k != vString || sv.k != vInt {
			return nullValue
		}
		var lv value
		if length != nil {
			if lv = length(c); lv.k != vInt {
				return nullValue
			}
		}
		return strValue(substring(v.s, sv.n, lv.n, length != nil))
	}
}

// isASCII reports whether s has only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// substring slices s by UTF-16 code units, clamping the bounds.
func substring(s string, start, length int64, hasLength bool) string {
	if isASCII(s) {
		return clampSlice(s, start, length, hasLength, len(s), func(i, j int) string { return s[i:j] })
	}
	u := utf16.Encode([]rune(s))
	return clampSlice(s, start, length, hasLength, len(u), func(i, j int) string { return string(utf16.Decode(u[i:j])) })
}

func clampSlice(s string, start, length int64, hasLength bool, n int, cut func(i, j int) string) string {
	if start >= int64(n) {
		return ""
	}
	if start < 0 {
		start = 0
	}
	end := int64(n)
	if hasLength && length < end-start {
		if length <= 0 {
			return ""
		}
		end = start + length
	}
	if start == 0 && end == int64(n) {
		return s
	}
	return cut(int(start), int(end))
}
