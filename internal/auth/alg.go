package auth

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// headerAlg returns the "alg" of token's JOSE header. It reports false when the
// header cannot be read; the JWT parser then reports the token as malformed.
//
// Verify uses it to report ErrUnsupported for tokens signed with another
// algorithm (none, HS512, RS256, ...): the JWT library reports those as an
// invalid signature.
func headerAlg(token string) (string, bool) {
	seg, _, found := strings.Cut(token, ".")
	if !found {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return "", false
	}
	var h struct {
		Alg *string `json:"alg"`
	}
	if err := json.Unmarshal(raw, &h); err != nil || h.Alg == nil {
		return "", false
	}
	return *h.Alg, true
}
