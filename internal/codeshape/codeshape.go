// Package codeshape checks the house rules on the size of code: no
// function of a package's non-test Go files over a number of lines, and no
// such file over a number of lines. Packages call it from a test.
package codeshape

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// House limits.
const (
	// MaxFuncLines bounds a function, from its "func" line to its closing
	// brace.
	MaxFuncLines = 80
	// MaxFileLines bounds a hand-written file.
	MaxFileLines = 500
)

// Violations returns one line per non-test Go file of dir over maxFile
// lines and per function over maxFunc lines, e.g.
// "serve.go: serveEvent has 122 lines (at most 80)". Generated files
// (with a "Code generated ... DO NOT EDIT." line) are skipped.
func Violations(dir string, maxFunc, maxFile int) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		v, err := fileViolations(name, maxFunc, maxFile)
		if err != nil {
			return nil, err
		}
		out = append(out, v...)
	}
	return out, nil
}

// fileViolations checks one file.
func fileViolations(name string, maxFunc, maxFile int) ([]string, error) {
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	if ast.IsGenerated(f) {
		return nil, nil
	}
	base := filepath.Base(name)
	var out []string
	if n := fset.File(f.Pos()).LineCount(); n > maxFile {
		out = append(out, fmt.Sprintf("%s has %d lines (at most %d)", base, n, maxFile))
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		if n := fset.Position(fd.End()).Line - fset.Position(fd.Type.Pos()).Line + 1; n > maxFunc {
			out = append(out, fmt.Sprintf("%s: %s has %d lines (at most %d)", base, fd.Name.Name, n, maxFunc))
		}
	}
	return out, nil
}
