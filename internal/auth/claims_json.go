package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
)

// UnmarshalJSON reads a token payload as every Web PubSub SDK writes it.
//
// A multi-valued claim (role, webpubsub.group, aud) is a JSON string or an
// array of strings: the .NET SDK (JwtSecurityToken) writes a claim that has one
// value as a plain string ("role": "webpubsub.joinLeaveGroup"), the JS and Go
// SDKs write arrays for role and webpubsub.group and a string for aud, and RFC
// 7519 section 4.1.3 allows either for aud. exp, nbf and iat are NumericDates:
// JSON numbers, possibly with a fraction (RFC 7519 section 2), truncated to
// whole seconds here. Anything else is an error, which Verify reports as
// ErrMalformed.
func (c *Claims) UnmarshalJSON(b []byte) error {
	var raw struct {
		Roles     claimStrings `json:"role"`
		Groups    claimStrings `json:"webpubsub.group"`
		IssuedAt  numericDate  `json:"iat"`
		ExpiresAt numericDate  `json:"exp"`
		NotBefore numericDate  `json:"nbf"`
		Audience  claimStrings `json:"aud"`
		Subject   string       `json:"sub"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*c = Claims{
		Roles:     raw.Roles,
		Groups:    raw.Groups,
		IssuedAt:  int64(raw.IssuedAt),
		ExpiresAt: int64(raw.ExpiresAt),
		NotBefore: int64(raw.NotBefore),
		Subject:   raw.Subject,
	}
	if len(raw.Audience) > 0 {
		c.Audience = raw.Audience[0]
		c.Audiences = raw.Audience
	}
	return nil
}

// claimStrings is a claim that is a JSON string or an array of strings; null
// or absent is none.
type claimStrings []string

// errClaimStrings says what a multi-valued claim must be.
var errClaimStrings = errors.New("auth: a role, webpubsub.group or aud claim must be a string or an array of strings")

func (s *claimStrings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return errClaimStrings
	case b[0] == '"':
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return errClaimStrings
		}
		*s = claimStrings{one}
		return nil
	case b[0] == '[':
		var many []string
		if err := json.Unmarshal(b, &many); err != nil {
			return errClaimStrings
		}
		*s = many
		return nil
	case string(b) == "null":
		*s = nil
		return nil
	}
	return errClaimStrings
}

// numericDate is a JSON number of seconds since the Unix epoch; a fraction is
// truncated and null is 0 (absent).
type numericDate int64

// errNumericDate says what exp, nbf and iat must be.
var errNumericDate = errors.New("auth: exp, nbf and iat must be numbers of seconds since 1970")

func (d *numericDate) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		*d = 0
		return nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*d = numericDate(n)
		return nil
	}
	if s == "" || s[0] == '"' {
		return errNumericDate
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f >= math.MaxInt64 || f <= math.MinInt64 {
		return errNumericDate
	}
	*d = numericDate(math.Trunc(f))
	return nil
}
