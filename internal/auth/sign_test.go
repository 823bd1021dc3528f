package auth

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignEqualsGolangJWT(t *testing.T) {
	exp := time.Now().Add(time.Hour).Unix()
	claims := []*Claims{
		{Audience: "https://h/api/hubs/x/:send?api-version=2024-12-01", ExpiresAt: exp},
		{Roles: []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.g"}, Groups: []string{"g", "é\"<>&"},
			IssuedAt: exp - 3600, ExpiresAt: exp, Audience: "https://h/client/hubs/x", Subject: "user\u2028"},
		{ExpiresAt: exp},
	}
	for _, c := range claims {
		for _, key := range []string{"k", "a much longer key than the sha256 block size of sixty-four bytes ........", "ü"} {
			want, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(key))
			require.NoError(t, err)
			got, err := Sign(key, c)
			require.NoError(t, err)
			require.Equal(t, want, got, "Sign must produce golang-jwt's SignedString token byte for byte")

			back, err := Verify(got, []string{key}, nil, 0)
			require.NoError(t, err)
			assert.Equal(t, decoded(c), back)
		}
	}
	assert.Equal(t, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", hs256HeaderSegment)
}
