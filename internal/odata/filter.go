// Package odata parses and evaluates the OData filter subset that Azure Web
// PubSub accepts in the filter parameter of its Send* and group REST operations
// (service docs: "OData filter syntax in the Azure Web PubSub service").
//
// Supported: the identifiers userId, connectionId, protocol (strings) and
// groups (a collection), case-insensitive; and, or, not and parentheses; eq,
// ne, gt, ge, lt, le (ordinal string comparison, numeric integer comparison);
// the literals true, false, null, single-quoted strings (a quote inside a
// string is doubled) and integers; in with a parenthesized list (possibly
// empty) or a collection; and the functions length, indexof, startswith,
// endswith, contains, tolower, toupper, trim, substring and concat, whose name
// is directly followed by "(". For example:
//
//	userId eq 'O''Neil' and connectionId ne 'c1'
//	userId in ('a', 'b') or 'group1' in groups
//	startswith(userId, 'admin-') and length(groups) gt 0
//	protocol eq 'json.reliable.webpubsub.azure.v1'
//
// Precedence, from highest, as in the service's parser (Microsoft.OData): in;
// not; comparisons; and; or. So "not 'a' in groups" is "not ('a' in groups)",
// and "not length(userId) gt 5" is a type error: write
// "not (length(userId) gt 5)".
//
// An empty user id is null: "userId eq null" matches connections without a
// user. Comparisons with null are false except eq/ne against null; string
// functions of null yield null, and startswith/endswith/contains of null are
// false.
//
// Errors say what is wrong twice: in our words (SyntaxError.Error) and in the
// service's (SyntaxError.ServiceMessage), which the emulator answers.
package odata

import (
	"fmt"
	"strconv"
)

// Limits that keep parsing and matching bounded on adversarial input.
const (
	// MaxLength is the longest filter Parse accepts, in bytes.
	MaxLength = 4096
	// MaxDepth is the deepest nesting of parentheses, function calls and not
	// operators Parse accepts.
	MaxDepth = 64
)

// Connection is the view of a connection a filter is evaluated against.
type Connection struct {
	// ConnectionID is the connection's id.
	ConnectionID string
	// UserID is the connection's user id; "" means the connection has none
	// (null in a filter).
	UserID string
	// Groups are the groups the connection is in.
	Groups []string
	// Protocol is the connection's WebSocket subprotocol, e.g.
	// "json.reliable.webpubsub.azure.v1"; "" means none, a simple WebSocket
	// (null in a filter). Microsoft's emulator gives filters the subprotocol
	// the connection negotiated (LogicalConnection: IODataFilterModel.Protocol
	// => Subprotocol).
	Protocol string
}

// Filter is a parsed filter expression. It is immutable and safe for concurrent
// use by multiple goroutines.
type Filter struct {
	root node
	src  string
}

// Parse parses filter. It returns a *SyntaxError for a filter that is empty,
// longer than MaxLength, nested deeper than MaxDepth, not well formed, not of
// boolean type, or that combines operands of mismatched types (for example
// "userId eq groups"). Its ServiceMessage is the service's answer.
func Parse(filter string) (*Filter, error) {
	if len(filter) > MaxLength {
		return nil, &SyntaxError{Offset: MaxLength, Msg: fmt.Sprintf("filter is %d bytes long, at most %d allowed", len(filter), MaxLength),
			subject: filter, reason: "The filter is longer than " + strconv.Itoa(MaxLength) + " bytes."}
	}
	tree, err := newParser(filter, filter, 0, 0).parseFilter()
	if err != nil {
		return nil, err
	}
	root, err := compile(filter, tree)
	if err != nil {
		return nil, err
	}
	return &Filter{root: root, src: filter}, nil
}

// Match reports whether the connection c satisfies f. A nil *Filter matches
// every connection.
func (f *Filter) Match(c Connection) bool {
	if f == nil {
		return true
	}
	return f.root(c).b
}

// String returns the filter's source text.
func (f *Filter) String() string {
	if f == nil {
		return ""
	}
	return f.src
}
