package odata

import (
	"errors"
	"fmt"
	"strconv"
)

// SyntaxError is the error Parse returns for a filter it rejects. Error says
// what is wrong in our words, for people and logs; ServiceMessage says it in
// the service's words, for the REST answer.
type SyntaxError struct {
	// Offset is the 0-based byte offset in the filter where the problem is.
	Offset int
	// Msg describes the problem.
	Msg string

	subject string // the text the service names: the filter or a sub-expression
	reason  string // the service's words, after "Invalid syntax for '<subject>': "
	wrap    bool   // an enclosing operator names itself as the subject (see check.go)
}

// Error implements error: "odata: at 12: expected ')'".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("odata: at %d: %s", e.Offset, e.Msg)
}

// ServiceMessage returns the message the service answers for the filter, as
// the message of its problem document:
//
//	Invalid syntax for '<subject>': <reason> (Parameter 'filter')
//
// The subject is the filter for a syntax error, and the sub-expression at
// fault, printed as the service prints it, for a type error. The reason is
// Microsoft.OData's for a syntax error ("Syntax error at position 14 in
// 'invalid filter'.", positions counted in UTF-16 code units from 0 where the
// service's parser gave up) and Microsoft's emulator's for the others
// ("Type 'string', expect 'int'.", "Token 'nickname' is not supported.").
// Sources: rest-api.md section 1; ODataFilterExecutor.cs and
// ODataFilterExecutorTests.cs in Microsoft's emulator; Microsoft.OData's
// UriQueryExpressionParser and ExpressionLexer.
func (e *SyntaxError) ServiceMessage() string {
	return "Invalid syntax for '" + e.subject + "': " + e.reason + " (Parameter 'filter')"
}

// ServiceMessage returns the service's message for an error of Parse, or ""
// if err is not a *SyntaxError.
func ServiceMessage(err error) string {
	var se *SyntaxError
	if errors.As(err, &se) {
		return se.ServiceMessage()
	}
	return ""
}

// The reasons of Microsoft.OData's parser and lexer (Microsoft.OData.Core.txt),
// for a filter src and a byte offset in it.

func reasonSyntax(src string, off int) string {
	return "Syntax error at position " + strconv.Itoa(utf16Index(src, off)) + " in '" + src + "'."
}

func reasonExpressionExpected(src string, off int) string {
	return "Expression expected at position " + strconv.Itoa(utf16Index(src, off)) + " in '" + src + "'."
}

func reasonCloseParenOrOperator(src string, off int) string {
	return "')' or operator expected at position " + strconv.Itoa(utf16Index(src, off)) + " in '" + src + "'."
}

func reasonCloseParenOrComma(src string, off int) string {
	return "')' or ',' expected at position " + strconv.Itoa(utf16Index(src, off)) + " in '" + src + "'."
}

const (
	reasonTooDeep    = "Recursion depth exceeded allowed limit."
	reasonUnbalanced = "Found an unbalanced bracket expression."
)

// reasonNotSupported is Microsoft's emulator's reason for a token it does not
// evaluate.
func reasonNotSupported(token string) string { return "Token '" + token + "' is not supported." }

// reasonInvalidToken is its reason for a known function with the wrong
// arguments.
func reasonInvalidToken(token string) string { return "Invalid token '" + token + "'." }

// reasonType is its reason for an operand of the wrong type.
func reasonType(got, want typ) string {
	return "Type '" + got.serviceName() + "', expect '" + want.serviceName() + "'."
}
