package auth

import "strconv"

// Lists returns the claims by name as lists of strings, the shape of the
// claims of an upstream connect event: role, webpubsub.group, sub, aud (every
// value of a token that carries several), iat and exp; absent claims are
// left out.
func (c *Claims) Lists() map[string][]string {
	m := make(map[string][]string)
	if len(c.Roles) > 0 {
		m["role"] = append([]string(nil), c.Roles...)
	}
	if len(c.Groups) > 0 {
		m["webpubsub.group"] = append([]string(nil), c.Groups...)
	}
	if c.Subject != "" {
		m["sub"] = []string{c.Subject}
	}
	switch {
	case len(c.Audiences) > 0:
		m["aud"] = append([]string(nil), c.Audiences...)
	case c.Audience != "":
		m["aud"] = []string{c.Audience}
	}
	if c.IssuedAt != 0 {
		m["iat"] = []string{strconv.FormatInt(c.IssuedAt, 10)}
	}
	if c.ExpiresAt != 0 {
		m["exp"] = []string{strconv.FormatInt(c.ExpiresAt, 10)}
	}
	return m
}
