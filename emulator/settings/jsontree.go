package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxDepth bounds the nesting of a settings file, so that a hostile or broken
// file cannot exhaust the stack of the walker.
const maxDepth = 32

// node is one JSON value of a settings file with the byte offset where it
// starts, so that an error can name the line and column of the wrong field.
type node struct {
	offset int64
	// kind is one of 'o' (object), 'a' (array), 's' (string), 'n'
	// (number), 'b' (bool), 'z' (null).
	kind byte
	str  string
	num  json.Number
	b    bool
	// keys and vals are an object's members in file order.
	keys []member
	// elems are an array's elements.
	elems []*node
}

// member is one key of an object and its value.
type member struct {
	name string
	// offset is where the key starts.
	offset int64
	val    *node
}

// parseTree parses data into a tree of nodes. Syntax errors carry their
// offset as a *posError.
func parseTree(data []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := readNode(dec, data, 0)
	if err != nil {
		return nil, err
	}
	end := skipSpace(data, dec.InputOffset())
	if _, err := dec.Token(); err != io.EOF {
		return nil, &posError{offset: end, msg: "unexpected data after the top-level JSON object"}
	}
	return n, nil
}

// readNode reads the next value of dec.
func readNode(dec *json.Decoder, data []byte, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, &posError{offset: dec.InputOffset(), msg: fmt.Sprintf("JSON nested deeper than %d levels", maxDepth)}
	}
	start := skipSpace(data, dec.InputOffset())
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(err, dec, start)
	}
	n := &node{offset: start}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.kind = 'o'
			for dec.More() {
				kstart := skipSpace(data, dec.InputOffset())
				kt, err := dec.Token()
				if err != nil {
					return nil, syntaxError(err, dec, kstart)
				}
				name, _ := kt.(string) // object keys are always strings
				v, err := readNode(dec, data, depth+1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, member{name: name, offset: kstart, val: v})
			}
		case '[':
			n.kind = 'a'
			for dec.More() {
				v, err := readNode(dec, data, depth+1)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, v)
			}
		default:
			return nil, &posError{offset: start, msg: fmt.Sprintf("unexpected %q", t)}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, syntaxError(err, dec, dec.InputOffset())
		}
	case string:
		n.kind, n.str = 's', t
	case json.Number:
		n.kind, n.num = 'n', t
	case bool:
		n.kind, n.b = 'b', t
	case nil:
		n.kind = 'z'
	}
	return n, nil
}

// skipSpace returns the offset of the first byte at or after off that is not
// white space, ':' or ',' (the decoder's offset points before them).
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// syntaxError turns a decoder error into a *posError.
func syntaxError(err error, dec *json.Decoder, fallback int64) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &posError{offset: se.Offset, msg: "invalid JSON: " + strings.TrimPrefix(se.Error(), "json: ")}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &posError{offset: dec.InputOffset(), msg: "invalid JSON: unexpected end of the file"}
	}
	return &posError{offset: fallback, msg: "invalid JSON: " + err.Error()}
}

// posError is a problem at a byte offset of the file, reported with line
// and column by Parse.
type posError struct {
	offset int64
	// field is the path of the wrong field, e.g.
	// hubs.chat.eventHandlers[0].urlTemplate; "" for syntax errors.
	field string
	msg   string
}

func (e *posError) Error() string { return e.msg }

// lineCol returns the 1-based line and column of offset in data.
func lineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// kindName names a node kind for error messages.
func kindName(k byte) string {
	switch k {
	case 'o':
		return "an object"
	case 'a':
		return "an array"
	case 's':
		return "a string"
	case 'n':
		return "a number"
	case 'b':
		return "a boolean"
	}
	return "null"
}
