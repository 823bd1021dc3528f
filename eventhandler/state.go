package eventhandler

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
)

// maxStateHeaderBytes bounds the ce-connectionState header this package
// decodes (the header itself is further bounded by the HTTP server). It is
// also the bound of the emulator's upstream caller (internal/upstream).
const maxStateHeaderBytes = 64 << 10

// decodeState parses a ce-connectionState header value. An empty header is
// an empty state. The value is read as the express handler
// (@azure/web-pubsub-express 1.1.0, fromBase64JsonString) reads the states
// it writes: base64 decoded as Node's Buffer.from(value, "base64") does
// (see decodeBase64Lenient), then a JSON object. Beyond express, a plain
// JSON object is read as it is: the service treats the state as an opaque
// string ("base64-encode it if it contains complex characters"), so a
// handler in another language may well send {"a":1} without base64. Express
// reads such a state as {} with a warning.
func decodeState(header string) (map[string]json.RawMessage, error) {
	if header == "" {
		return map[string]json.RawMessage{}, nil
	}
	if len(header) > maxStateHeaderBytes {
		return nil, fmt.Errorf("connection state header is longer than %d bytes", maxStateHeaderBytes)
	}
	var m map[string]json.RawMessage
	if plain := strings.TrimSpace(header); strings.HasPrefix(plain, "{") {
		if json.Unmarshal([]byte(plain), &m) == nil && m != nil {
			return m, nil
		}
	}
	if err := json.Unmarshal(decodeBase64Lenient(header), &m); err != nil || m == nil {
		return nil, errors.New("connection state header is neither a JSON object nor base64 of one")
	}
	return m, nil
}

// decodeBase64Lenient decodes s as Node's Buffer.from(s, "base64") does, so
// that a state reads the same here as in the express handler: both
// alphabets ("+/" and "-_"), other characters (white space, line breaks)
// skipped, decoding stops at the first "=", and a last group of 2 or 3
// characters gives 1 or 2 bytes (a lone last character gives none).
func decodeBase64Lenient(s string) []byte {
	out := make([]byte, 0, len(s)*3/4+2)
	var acc uint32
	n := 0
	for i := 0; i < len(s); i++ {
		v, ok := base64Value(s[i])
		if s[i] == '=' {
			break
		}
		if !ok {
			continue
		}
		acc = acc<<6 | uint32(v)
		if n++; n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out
}

// base64Value is the value of c in either base64 alphabet.
func base64Value(c byte) (byte, bool) {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A', true
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26, true
	case c >= '0' && c <= '9':
		return c - '0' + 52, true
	case c == '+' || c == '-':
		return 62, true
	case c == '/' || c == '_':
		return 63, true
	}
	return 0, false
}

// encodeState returns the ce-connectionState header value for m.
func encodeState(m map[string]json.RawMessage) (string, error) {
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode connection state: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// stateValues turns the raw state into the map exposed to callbacks.
func stateValues(raw map[string]json.RawMessage) map[string]any {
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		var x any
		// Values came from a parsed object, so they are valid JSON; a number
		// too large for float64 is the only failure and becomes nil.
		_ = json.Unmarshal(v, &x)
		out[k] = x
	}
	return out
}

// stateUpdate records changes a callback makes to the connection state. The
// zero value holds no change.
type stateUpdate struct {
	base     map[string]json.RawMessage
	changed  bool
	modified map[string]json.RawMessage
}

func (u *stateUpdate) ensure() {
	if !u.changed {
		u.modified = maps.Clone(u.base)
		if u.modified == nil {
			u.modified = map[string]json.RawMessage{}
		}
		u.changed = true
	}
}

func (u *stateUpdate) set(key string, value any) error {
	b, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("eventhandler: state %q is not JSON-encodable: %w", key, err)
	}
	u.ensure()
	u.modified[key] = b
	return nil
}

func (u *stateUpdate) delete(key string) {
	u.ensure()
	delete(u.modified, key)
}

func (u *stateUpdate) clear() {
	u.ensure()
	clear(u.modified)
}

// header returns the ce-connectionState value to send, or "" when the
// callback changed nothing.
func (u *stateUpdate) header() (string, error) {
	if !u.changed {
		return "", nil
	}
	return encodeState(u.modified)
}
