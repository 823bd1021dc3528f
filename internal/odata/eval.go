package odata

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
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

// node is an evaluable expression.
type node interface {
	eval(c Connection) value
}

// constNode is a literal.
type constNode struct{ v value }

func (n constNode) eval(Connection) value { return n.v }

// userIDNode is the userId identifier; an empty user id is null.
type userIDNode struct{}

func (userIDNode) eval(c Connection) value {
	if c.UserID == "" {
		return nullValue
	}
	return strValue(c.UserID)
}

// connectionIDNode is the connectionId identifier; an empty id is null.
type connectionIDNode struct{}

func (connectionIDNode) eval(c Connection) value {
	if c.ConnectionID == "" {
		return nullValue
	}
	return strValue(c.ConnectionID)
}

// protocolNode is the protocol identifier: the connection's WebSocket
// subprotocol; none (a simple WebSocket) is null.
type protocolNode struct{}

func (protocolNode) eval(c Connection) value {
	if c.Protocol == "" {
		return nullValue
	}
	return strValue(c.Protocol)
}

// andNode is a chain of "and" terms.
type andNode struct{ terms []node }

func (n *andNode) eval(c Connection) value {
	for _, t := range n.terms {
		if !t.eval(c).b {
			return falseValue
		}
	}
	return trueValue
}

// orNode is a chain of "or" terms.
type orNode struct{ terms []node }

func (n *orNode) eval(c Connection) value {
	for _, t := range n.terms {
		if t.eval(c).b {
			return trueValue
		}
	}
	return falseValue
}

// notNode is logical negation.
type notNode struct{ x node }

func (n *notNode) eval(c Connection) value { return boolValue(!n.x.eval(c).b) }

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
type cmpNode struct {
	op   cmpOp
	l, r node
}

func (n *cmpNode) eval(c Connection) value {
	return boolValue(compare(n.op, n.l.eval(c), n.r.eval(c)))
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
type inListNode struct {
	x     node
	items []node
}

func (n *inListNode) eval(c Connection) value {
	v := n.x.eval(c)
	for _, it := range n.items {
		if equal(v, it.eval(c)) {
			return trueValue
		}
	}
	return falseValue
}

// inSetNode is "x in (...)" over a long list of string or null literals.
type inSetNode struct {
	x       node
	set     map[string]struct{}
	hasNull bool
}

func (n *inSetNode) eval(c Connection) value {
	v := n.x.eval(c)
	switch v.k {
	case vNull:
		return boolValue(n.hasNull)
	case vString:
		_, ok := n.set[v.s]
		return boolValue(ok)
	}
	return falseValue
}

// inGroupsNode is "x in groups".
type inGroupsNode struct{ x node }

func (n *inGroupsNode) eval(c Connection) value {
	v := n.x.eval(c)
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

// lengthGroupsNode is "length(groups)".
type lengthGroupsNode struct{}

func (lengthGroupsNode) eval(c Connection) value { return value{k: vInt, n: int64(len(c.Groups))} }

// lengthNode is "length(s)", in UTF-16 code units as the service counts.
type lengthNode struct{ x node }

func (n *lengthNode) eval(c Connection) value {
	v := n.x.eval(c)
	if v.k != vString {
		return nullValue
	}
	return value{k: vInt, n: int64(utf16Len(v.s))}
}

// indexofNode is "indexof(s, sub)", a UTF-16 index or -1.
type indexofNode struct{ a, b node }

func (n *indexofNode) eval(c Connection) value {
	a, b := n.a.eval(c), n.b.eval(c)
	if a.k != vString || b.k != vString {
		return nullValue
	}
	i := strings.Index(a.s, b.s)
	if i > 0 {
		i = utf16Len(a.s[:i])
	}
	return value{k: vInt, n: int64(i)}
}

// predicateNode is startswith, endswith or contains; false when either
// argument is null.
type predicateNode struct {
	a, b node
	fn   func(s, t string) bool
}

func (n *predicateNode) eval(c Connection) value {
	a, b := n.a.eval(c), n.b.eval(c)
	if a.k != vString || b.k != vString {
		return falseValue
	}
	return boolValue(n.fn(a.s, b.s))
}

// mapNode is tolower, toupper or trim; null stays null.
type mapNode struct {
	x  node
	fn func(string) string
}

func (n *mapNode) eval(c Connection) value {
	v := n.x.eval(c)
	if v.k != vString {
		return nullValue
	}
	return strValue(n.fn(v.s))
}

// concatNode is "concat(a, b)"; a null argument counts as empty.
type concatNode struct{ a, b node }

func (n *concatNode) eval(c Connection) value {
	a, b := n.a.eval(c), n.b.eval(c)
	if a.k == vNull && b.k == vNull {
		return nullValue
	}
	return strValue(a.s + b.s)
}

// substringNode is "substring(s, start[, length])" in UTF-16 code units;
// out-of-range bounds are clamped, and a null argument gives null.
type substringNode struct {
	x, start node
	length   node // nil: to the end
}

func (n *substringNode) eval(c Connection) value {
	v, start := n.x.eval(c), n.start.eval(c)
	if v.k != vString || start.k != vInt {
		return nullValue
	}
	var length value
	if n.length != nil {
		if length = n.length.eval(c); length.k != vInt {
			return nullValue
		}
	}
	return strValue(substring(v.s, start.n, length.n, n.length != nil))
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

// utf16Len returns the length of s in UTF-16 code units.
func utf16Len(s string) int {
	if isASCII(s) {
		return len(s)
	}
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // range yields U+FFFD (1 unit) for invalid bytes
	}
	return n
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
