package odata

import (
	"fmt"
	"strings"
)

// function describes a built-in function: its arity and how to build its node
// from type-checked arguments.
type function struct {
	minArgs, maxArgs int
	build            func(name string, args []operand) (operand, *argError)
}

// argError says why an argument does not fit its function.
type argError struct {
	arg  operand
	want typ
	msg  string
	// invalid: the service refuses the call as an "Invalid token" (length of
	// something that has no length) rather than by the argument's type.
	invalid bool
}

// functions are the built-in functions of the service's filter grammar
// (Microsoft's emulator, ODataFilterExecutor.cs, Visit(FunctionCallToken)).
// Names are case-insensitive here; the service's are lower case.
var functions = map[string]function{
	"length":     {1, 1, buildLength},
	"indexof":    {2, 2, buildIndexof},
	"startswith": {2, 2, buildPredicate(strings.HasPrefix)},
	"endswith":   {2, 2, buildPredicate(strings.HasSuffix)},
	"contains":   {2, 2, buildPredicate(strings.Contains)},
	"tolower":    {1, 1, buildMap(strings.ToLower)},
	"toupper":    {1, 1, buildMap(strings.ToUpper)},
	"trim":       {1, 1, buildMap(strings.TrimSpace)},
	"concat":     {2, 2, buildConcat},
	"substring":  {2, 3, buildSubstring},
}

// call checks a function call. An unknown function and a known one with the
// wrong number of arguments are refused before the arguments are looked at,
// as the service does ("Token 'f(x)' is not supported.", "Invalid token
// 'length()'.").
func (c *checker) call(n *syn) (operand, *SyntaxError) {
	name := strings.ToLower(n.text)
	fn, ok := functions[name]
	if !ok {
		return operand{}, c.callErr(n, reasonNotSupported, "unknown function %s (supported: concat, contains, endswith, indexof, length, startswith, substring, tolower, toupper, trim)", quoteShort(n.text))
	}
	if len(n.args) < fn.minArgs || len(n.args) > fn.maxArgs {
		want := "1 argument"
		switch {
		case fn.minArgs != fn.maxArgs:
			want = "2 or 3 arguments"
		case fn.minArgs == 2:
			want = "2 arguments"
		}
		return operand{}, c.callErr(n, reasonInvalidToken, "function %s takes %s, found %d", name, want, len(n.args))
	}
	args := make([]operand, len(n.args))
	for i, a := range n.args {
		x, err := c.check(a)
		if err != nil {
			return operand{}, c.wrapped(err, n)
		}
		args[i] = x
	}
	x, aerr := fn.build(name, args)
	if aerr != nil {
		if aerr.invalid {
			err := c.callErr(n, reasonInvalidToken, "%s", aerr.msg)
			err.Offset = aerr.arg.syn.pos
			return operand{}, err
		}
		return operand{}, c.typeErr(n, aerr.arg.t, aerr.want, aerr.arg.syn.pos, "%s", aerr.msg)
	}
	x.syn = n
	return x, nil
}

// callErr is an error naming the call n itself, in the service's words
// reason(the printed call).
func (c *checker) callErr(n *syn, reason func(string) string, format string, args ...any) *SyntaxError {
	err := &SyntaxError{Offset: n.at, Msg: fmt.Sprintf(format, args...)}
	if k := n.unprintable(); k != "" {
		err.subject, err.reason = c.src, reasonNotSupported(k)
		return err
	}
	err.subject = n.print()
	err.reason = reason(err.subject)
	return err
}

// stringArg checks that a is a string (or null) expression.
func stringArg(name string, a operand) *argError {
	if a.t != tyString && a.t != tyNull {
		return &argError{arg: a, want: tyString, msg: fmt.Sprintf("argument of %s must be a string, found a %s", name, a.t)}
	}
	return nil
}

func buildLength(name string, args []operand) (operand, *argError) {
	switch args[0].t {
	case tyCollection:
		return operand{n: lengthGroupsNode, t: tyInt}, nil
	case tyString, tyNull:
		return operand{n: lengthNode(args[0].n), t: tyInt}, nil
	}
	return operand{}, &argError{arg: args[0], invalid: true,
		msg: fmt.Sprintf("argument of length must be a string or a collection, found a %s", args[0].t)}
}

func buildIndexof(name string, args []operand) (operand, *argError) {
	for _, a := range args {
		if err := stringArg(name, a); err != nil {
			return operand{}, err
		}
	}
	return operand{n: indexofNode(args[0].n, args[1].n), t: tyInt}, nil
}

func buildPredicate(fn func(s, t string) bool) func(string, []operand) (operand, *argError) {
	return func(name string, args []operand) (operand, *argError) {
		for _, a := range args {
			if err := stringArg(name, a); err != nil {
				return operand{}, err
			}
		}
		return operand{n: predicateNode(args[0].n, args[1].n, fn), t: tyBool}, nil
	}
}

func buildMap(fn func(string) string) func(string, []operand) (operand, *argError) {
	return func(name string, args []operand) (operand, *argError) {
		if err := stringArg(name, args[0]); err != nil {
			return operand{}, err
		}
		return operand{n: mapNode(args[0].n, fn), t: tyString}, nil
	}
}

func buildConcat(name string, args []operand) (operand, *argError) {
	for _, a := range args {
		if err := stringArg(name, a); err != nil {
			return operand{}, err
		}
	}
	return operand{n: concatNode(args[0].n, args[1].n), t: tyString}, nil
}

// buildSubstring builds substring(s, start[, length]); start and length are
// integer expressions, as the service takes them.
func buildSubstring(name string, args []operand) (operand, *argError) {
	if err := stringArg(name, args[0]); err != nil {
		return operand{}, err
	}
	for _, a := range args[1:] {
		if a.t != tyInt && a.t != tyNull {
			return operand{}, &argError{arg: a, want: tyInt, msg: fmt.Sprintf("arguments 2 and 3 of substring must be integers, found a %s", a.t)}
		}
	}
	var length node
	if len(args) == 3 {
		length = args[2].n
	}
	return operand{n: substringNode(args[0].n, args[1].n, length), t: tyString}, nil
}
