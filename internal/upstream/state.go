package upstream

import (
	"encoding/base64"
	"encoding/json"
	"errors"
)

// maxStateBytes bounds the decoded connection state an upstream may set.
const maxStateBytes = 16 << 10

// errStateTooLarge refuses a connection state over maxStateBytes.
var errStateTooLarge = errors.New("connection state is larger than 16 KiB")

// parseState checks a ce-connectionState answer header (base64 of a JSON
// object) and returns the value to carry on later events: "" for an empty
// object.
func parseState(header string) (string, error) {
	// Check the length before decoding, so that a huge header costs nothing.
	if len(header) > base64.StdEncoding.EncodedLen(maxStateBytes) {
		return "", errStateTooLarge
	}
	raw, err := base64.StdEncoding.DecodeString(header)
	if err != nil {
		return "", errors.New("connection state header is not valid base64")
	}
	if len(raw) > maxStateBytes {
		return "", errStateTooLarge
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return "", errors.New("connection state header is not a base64 JSON object")
	}
	if len(m) == 0 {
		return "", nil
	}
	return header, nil
}
