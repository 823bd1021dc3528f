package eventhandler

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
)

// maxStateHeaderBytes bounds the ce-connectionState header this package
// decodes (the header itself is further bounded by the HTTP server).
const maxStateHeaderBytes = 64 << 10

// decodeState parses a ce-connectionState header value: base64 of a JSON
// object. An empty header is an empty state.
func decodeState(header string) (map[string]json.RawMessage, error) {
	if header == "" {
		return map[string]json.RawMessage{}, nil
	}
	if len(header) > maxStateHeaderBytes {
		return nil, fmt.Errorf("connection state header is longer than %d bytes", maxStateHeaderBytes)
	}
	raw, err := base64.StdEncoding.DecodeString(header)
	if err != nil {
		return nil, errors.New("connection state header is not valid base64")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errors.New("connection state header is not a base64 JSON object")
	}
	return m, nil
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
