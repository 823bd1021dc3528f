package auth

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A connect event's claims are the token's claims as string lists; a token
// with several audiences keeps every one.
func TestClaimsLists(t *testing.T) {
	c := &Claims{Roles: []string{"r1", "r2"}, Groups: []string{"g"}, Subject: "ann", Audience: "a1", Audiences: []string{"a1", "a2"}, IssuedAt: 10, ExpiresAt: 20}
	assert.Equal(t, map[string][]string{
		"role": {"r1", "r2"}, "webpubsub.group": {"g"}, "sub": {"ann"}, "aud": {"a1", "a2"}, "iat": {"10"}, "exp": {"20"},
	}, c.Lists())
	assert.Equal(t, map[string][]string{"aud": {"a"}}, (&Claims{Audience: "a"}).Lists())
	assert.Empty(t, (&Claims{}).Lists())
}
