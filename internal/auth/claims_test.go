package auth

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dotnetHeader is the JOSE header .NET's JwtSecurityTokenHandler writes for
// an HS256 token.
const dotnetHeader = `{"alg":"HS256","typ":"JWT"}`

// TestVerifyDotNetSingleValuedClaims: the .NET SDK (JwtSecurityToken) writes a
// claim that has one value as a JSON string. Such a client token (one role,
// one group) must verify with its role and group, as the same token with
// arrays does.
func TestVerifyDotNetSingleValuedClaims(t *testing.T) {
	now := time.Now().Unix()
	// The claim order .NET writes: the claims given, then nbf, exp, iat, aud.
	payload := `{"sub":"user1","role":"webpubsub.joinLeaveGroup","webpubsub.group":"g1","nbf":` + jsonInt(now) +
		`,"exp":` + jsonInt(now+3600) + `,"iat":` + jsonInt(now) + `,"aud":"` + aud + `"}`
	c, err := Verify(craft(dotnetHeader, payload, key1), []string{key1}, []string{aud}, 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"webpubsub.joinLeaveGroup"}, c.Roles)
	assert.Equal(t, []string{"g1"}, c.Groups)
	assert.Equal(t, "user1", c.Subject)
	assert.Equal(t, aud, c.Audience)
	assert.Equal(t, []string{aud}, c.Audiences)
	assert.Equal(t, now, c.NotBefore)

	// Two roles and two groups: .NET writes arrays.
	payload = `{"role":["webpubsub.joinLeaveGroup","webpubsub.sendToGroup"],"webpubsub.group":["g1","g2"],"exp":` + jsonInt(now+3600) + `,"aud":"` + aud + `"}`
	c, err = VerifyToken(craft(dotnetHeader, payload, key1), []string{key1}, &VerifyOptions{Audience: func(a string) bool { return a == aud }})
	require.NoError(t, err)
	assert.Equal(t, []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"}, c.Roles)
	assert.Equal(t, []string{"g1", "g2"}, c.Groups)
}

func TestClaimsDecoding(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    Claims
	}{
		{"string role and group", `{"role":"r","webpubsub.group":"g","exp":5}`, Claims{Roles: []string{"r"}, Groups: []string{"g"}, ExpiresAt: 5}},
		{"arrays", `{"role":["r1","r2"],"webpubsub.group":["g"],"exp":5}`, Claims{Roles: []string{"r1", "r2"}, Groups: []string{"g"}, ExpiresAt: 5}},
		{"empty arrays", `{"role":[],"webpubsub.group":[],"exp":5}`, Claims{Roles: []string{}, Groups: []string{}, ExpiresAt: 5}},
		{"nulls", `{"role":null,"webpubsub.group":null,"aud":null,"exp":5,"nbf":null}`, Claims{ExpiresAt: 5}},
		{"aud array", `{"aud":["a","b"],"exp":5}`, Claims{Audience: "a", Audiences: []string{"a", "b"}, ExpiresAt: 5}},
		{"aud string", `{"aud":"a","exp":5}`, Claims{Audience: "a", Audiences: []string{"a"}, ExpiresAt: 5}},
		{"fractional dates", `{"exp":1700000000.75,"nbf":1.5e9,"iat":12.2}`, Claims{ExpiresAt: 1700000000, NotBefore: 1500000000, IssuedAt: 12}},
		{"unknown claims ignored", `{"exp":5,"iss":"x","jti":"y","nameid":["a","b"]}`, Claims{ExpiresAt: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Claims
			require.NoError(t, c.UnmarshalJSON([]byte(tt.payload)))
			assert.Equal(t, tt.want, c)
		})
	}
	for _, bad := range []string{
		`{"role":1}`, `{"role":{"a":1}}`, `{"role":[1]}`, `{"webpubsub.group":true}`, `{"aud":5}`,
		`{"exp":"5"}`, `{"exp":true}`, `{"exp":[5]}`, `{"nbf":1e300}`, `{"sub":1}`, `[1]`,
	} {
		var c Claims
		assert.Error(t, c.UnmarshalJSON([]byte(bad)), bad)
	}
}

func TestVerifyMalformedClaimsReportMalformed(t *testing.T) {
	future := jsonInt(time.Now().Add(time.Hour).Unix())
	for _, payload := range []string{
		`{"exp":` + future + `,"role":5}`,
		`{"exp":` + future + `,"aud":{"x":1}}`,
		`{"exp":"` + future + `"}`,
	} {
		_, err := Verify(craft(dotnetHeader, payload, key1), []string{key1}, nil, 0)
		assert.ErrorIs(t, err, ErrMalformed, payload)
	}
}

func TestVerifyArrayAudience(t *testing.T) {
	future := jsonInt(time.Now().Add(time.Hour).Unix())
	tok := craft(dotnetHeader, `{"exp":`+future+`,"aud":["https://other/x","`+aud+`"]}`, key1)
	c, err := Verify(tok, []string{key1}, []string{aud}, 0)
	require.NoError(t, err, "any member of an array aud may match")
	assert.Equal(t, []string{"https://other/x", aud}, c.Audiences)
	assert.Equal(t, "https://other/x", c.Audience)

	_, err = VerifyToken(tok, []string{key1}, &VerifyOptions{Audience: NewAudience([]string{"https://example.webpubsub.azure.com"}, []string{"/client/hubs/chat"}, nil).Match})
	assert.NoError(t, err)

	_, err = Verify(craft(dotnetHeader, `{"exp":`+future+`,"aud":["https://other/x"]}`, key1), []string{key1}, []string{aud}, 0)
	assert.ErrorIs(t, err, ErrAudience)
	_, err = Verify(craft(dotnetHeader, `{"exp":`+future+`,"aud":[]}`, key1), []string{key1}, []string{aud}, 0)
	assert.ErrorIs(t, err, ErrAudience, "an empty aud array matches nothing")
}

// TestVerifyTokenClockSkew: the service allows 5 minutes of clock skew on exp
// as on nbf (Microsoft's emulator: ClockSkew = 5 minutes).
func TestVerifyTokenClockSkew(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	at := func() time.Time { return now }
	sign := func(exp, nbf time.Duration) string {
		c := &Claims{ExpiresAt: now.Add(exp).Unix(), Audience: aud}
		if nbf != 0 {
			c.NotBefore = now.Add(nbf).Unix()
		}
		return mustSign(t, key1, c)
	}
	tests := []struct {
		name     string
		exp, nbf time.Duration
		skew     time.Duration
		want     error
	}{
		{"expired 4m ago", -4 * time.Minute, 0, 0, nil},
		{"expired 6m ago", -6 * time.Minute, 0, 0, ErrExpired},
		{"nbf in 4m", time.Hour, 4 * time.Minute, 0, nil},
		{"nbf in 6m", time.Hour, 6 * time.Minute, 0, ErrNotYetValid},
		{"no skew: expired 1s ago", -time.Second, 0, -1, ErrExpired},
		{"no skew: nbf in 1s", time.Hour, time.Second, -1, ErrNotYetValid},
		{"skew 1h: expired 50m ago", -50 * time.Minute, 0, time.Hour, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyToken(sign(tt.exp, tt.nbf), []string{key1}, &VerifyOptions{ClockSkew: tt.skew, Now: at})
			if tt.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.want)
			}
		})
	}

	// Verify keeps its exp leeway as given (0: none).
	c := &Claims{ExpiresAt: time.Now().Add(-time.Minute).Unix()}
	_, err := Verify(mustSign(t, key1, c), []string{key1}, nil, 0)
	assert.ErrorIs(t, err, ErrExpired)
	_, err = VerifyToken(mustSign(t, key1, c), []string{key1}, nil)
	assert.NoError(t, err, "VerifyToken: exp a minute ago is within the service's 5 minutes")
}

func TestVerifyTokenOptions(t *testing.T) {
	tok := mustSign(t, key1, validClaims())
	c, err := VerifyToken(tok, []string{key2, key1}, nil)
	require.NoError(t, err, "nil options: no audience check, default skew")
	assert.Equal(t, "user1", c.Subject)

	_, err = VerifyToken(tok, []string{key1}, &VerifyOptions{Audience: func(string) bool { return false }})
	assert.ErrorIs(t, err, ErrAudience)

	noAud := mustSign(t, key1, &Claims{ExpiresAt: time.Now().Add(time.Hour).Unix()})
	_, err = VerifyToken(noAud, []string{key1}, &VerifyOptions{Audience: func(string) bool { return true }})
	assert.ErrorIs(t, err, ErrAudience, "a token without aud fails an audience check")

	_, err = VerifyToken(tok, nil, nil)
	assert.ErrorContains(t, err, "no verification key")
	_, err = VerifyToken(mustSign(t, "other", validClaims()), []string{key1}, nil)
	assert.ErrorIs(t, err, ErrSignature)
}
