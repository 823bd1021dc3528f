package odata

import "strings"

// function describes a built-in function: its arity and how to build its node
// from type-checked arguments.
type function struct {
	minArgs, maxArgs int
	build            func(name string, args []operand) (operand, error)
}

// functions are the built-in functions of the service's filter grammar.
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

// parseCall parses the parenthesized arguments of the function name (whose
// name token is t) and builds the call.
func (p *parser) parseCall(t token, name string) (operand, error) {
	fn := functions[name]
	if _, err := p.expect(tokLParen, "'(' after function "+quoteShort(name)); err != nil {
		return operand{}, err
	}
	var args []operand // each argument's parseOr counts one level of nesting
	for {
		a, err := p.parseOr()
		if err != nil {
			return operand{}, err
		}
		args = append(args, a)
		sep := p.next()
		if sep.kind == tokRParen {
			break
		}
		if sep.kind != tokComma {
			return operand{}, errAt(sep.pos, "expected ',' or ')' in arguments of %s, found %s", name, sep.describe())
		}
	}
	if len(args) < fn.minArgs || len(args) > fn.maxArgs {
		want := "1 argument"
		switch {
		case fn.minArgs != fn.maxArgs:
			want = "2 or 3 arguments"
		case fn.minArgs == 2:
			want = "2 arguments"
		}
		return operand{}, errAt(t.pos, "function %s takes %s, found %d", name, want, len(args))
	}
	x, err := fn.build(name, args)
	if err != nil {
		return operand{}, err
	}
	x.pos = t.pos
	return x, nil
}

// stringArg checks that a is a string (or null) expression.
func stringArg(name string, a operand) error {
	if a.t != tyString && a.t != tyNull {
		return errAt(a.pos, "argument of %s must be a string, found a %s", name, a.t)
	}
	return nil
}

func buildLength(name string, args []operand) (operand, error) {
	if args[0].t == tyCollection {
		return operand{n: lengthGroupsNode{}, t: tyInt}, nil
	}
	if args[0].t != tyString && args[0].t != tyNull {
		return operand{}, errAt(args[0].pos, "argument of length must be a string or a collection, found a %s", args[0].t)
	}
	return operand{n: &lengthNode{x: args[0].n}, t: tyInt}, nil
}

func buildIndexof(name string, args []operand) (operand, error) {
	for _, a := range args {
		if err := stringArg(name, a); err != nil {
			return operand{}, err
		}
	}
	return operand{n: &indexofNode{a: args[0].n, b: args[1].n}, t: tyInt}, nil
}

func buildPredicate(fn func(s, t string) bool) func(string, []operand) (operand, error) {
	return func(name string, args []operand) (operand, error) {
		for _, a := range args {
			if err := stringArg(name, a); err != nil {
				return operand{}, err
			}
		}
		return operand{n: &predicateNode{a: args[0].n, b: args[1].n, fn: fn}, t: tyBool}, nil
	}
}

func buildMap(fn func(string) string) func(string, []operand) (operand, error) {
	return func(name string, args []operand) (operand, error) {
		if err := stringArg(name, args[0]); err != nil {
			return operand{}, err
		}
		return operand{n: &mapNode{x: args[0].n, fn: fn}, t: tyString}, nil
	}
}

func buildConcat(name string, args []operand) (operand, error) {
	for _, a := range args {
		if err := stringArg(name, a); err != nil {
			return operand{}, err
		}
	}
	return operand{n: &concatNode{a: args[0].n, b: args[1].n}, t: tyString}, nil
}

func buildSubstring(name string, args []operand) (operand, error) {
	if err := stringArg(name, args[0]); err != nil {
		return operand{}, err
	}
	var ints [2]int64
	for i, a := range args[1:] {
		c, ok := a.n.(constNode)
		if !ok || c.v.k != vInt {
			return operand{}, errAt(a.pos, "arguments 2 and 3 of substring must be integer literals")
		}
		if c.v.n < 0 {
			return operand{}, errAt(a.pos, "arguments 2 and 3 of substring must not be negative")
		}
		ints[i] = c.v.n
	}
	return operand{n: &substringNode{x: args[0].n, start: ints[0], length: ints[1], hasLength: len(args) == 3}, t: tyString}, nil
}
