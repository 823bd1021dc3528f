package webpubsub

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/auth"
)

// FuzzClientClaimsJSON: the claims appender writes what encoding/json
// writes for internal/auth.Claims, and a minted token is the one auth.Sign
// (golang-jwt's SignedString, byte for byte) makes of the same claims.
func FuzzClientClaimsJSON(f *testing.F) {
	f.Add("user-0123456789", "webpubsub.joinLeaveGroup", "room1", int64(1741964966), int64(1741968566), "https://contoso.webpubsub.azure.com/client/hubs/hub1")
	f.Add(`<script>&"q"\b`+"\t\n\x01\x7f\b\f", "a<b", "g&1", int64(1), int64(-1), "")
	f.Add("Zoë 用户 🚀 \u2028\u2029", "bad\xff\xfe", "r\xc3", int64(0), int64(0), "aud")
	f.Add("", "", "", int64(-9223372036854775808), int64(9223372036854775807), "\x00")
	f.Fuzz(func(t *testing.T, sub, role, group string, iat, exp int64, aud string) {
		for _, lists := range [][2][]string{{nil, nil}, {{role}, {group}}, {{role, group, ""}, {}}} {
			c := clientClaims{Roles: lists[0], Groups: lists[1], IssuedAt: iat, ExpiresAt: exp, Audience: aud, Subject: sub}
			want, err := json.Marshal(&auth.Claims{Roles: c.Roles, Groups: c.Groups, IssuedAt: iat, ExpiresAt: exp, Audience: aud, Subject: sub})
			require.NoError(t, err)
			require.Equal(t, string(want), string(c.appendJSON(nil)))

			const prefix = "wss://h/client/hubs/x?access_token="
			tok, err := auth.Sign(testKey, &auth.Claims{Roles: c.Roles, Groups: c.Groups, IssuedAt: iat, ExpiresAt: exp, Audience: aud, Subject: sub})
			require.NoError(t, err)
			u, err := mintClientURL(prefix, []byte(testKey), &c)
			require.NoError(t, err)
			require.Equal(t, prefix+tok, u)
			require.Equal(t, queryEscapeToken(tok), tok, "a token needs no escaping")
		}
	})
}

// A token for very long claims is minted in a buffer of its own, which is
// not kept for reuse.
func TestMintLongClaims(t *testing.T) {
	roles := make([]string, 500)
	for i := range roles {
		roles[i] = "webpubsub.sendToGroup.group-" + strings.Repeat("x", 40)
	}
	c := clientClaims{Roles: roles, IssuedAt: 1, ExpiresAt: 2, Audience: "a"}
	tok, err := auth.Sign(testKey, &auth.Claims{Roles: roles, IssuedAt: 1, ExpiresAt: 2, Audience: "a"})
	require.NoError(t, err)
	u, err := mintClientURL("p=", []byte(testKey), &c)
	require.NoError(t, err)
	require.Equal(t, "p="+tok, u)
	b := getTokenBuffer()
	require.LessOrEqual(t, cap(*b), maxPooledTokenBuffer, "no pooled buffer grew beyond the bound")
	putTokenBuffer(b)
}
