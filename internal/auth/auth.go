// Package auth signs and verifies the HS256 JSON Web Tokens that Azure Web PubSub
// uses for REST requests and for client access tokens.
//
// The HMAC key is always the access key string's own UTF-8 bytes (not its base64
// decoding), as the service does.
package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the JWT claims used by Web PubSub. REST request tokens carry only
// Audience and ExpiresAt; client access tokens may carry all of them.
type Claims struct {
	// Roles are the client's roles, e.g. "webpubsub.joinLeaveGroup".
	Roles []string `json:"role,omitempty"`
	// Groups are the groups the client joins on connect.
	Groups []string `json:"webpubsub.group,omitempty"`
	// IssuedAt is the issue time in Unix seconds (0 = omitted).
	IssuedAt int64 `json:"iat,omitempty"`
	// ExpiresAt is the expiry in Unix seconds. Required by Verify.
	ExpiresAt int64 `json:"exp,omitempty"`
	// NotBefore is when the token becomes valid, in Unix seconds (0 =
	// omitted). Verify refuses a token not yet valid, allowing NotBeforeSkew.
	NotBefore int64 `json:"nbf,omitempty"`
	// Audience is the URL the token is meant for; when a verified token
	// carries several, the first. Sign writes it as a JSON string.
	Audience string `json:"aud,omitempty"`
	// Audiences are every aud value of a decoded token (a JSON string or an
	// array of strings). Sign ignores them: it writes Audience.
	Audiences []string `json:"-"`
	// Subject is the user id.
	Subject string `json:"sub,omitempty"`
}

// GetExpirationTime implements jwt.Claims.
func (c *Claims) GetExpirationTime() (*jwt.NumericDate, error) {
	if c.ExpiresAt == 0 {
		return nil, nil
	}
	return jwt.NewNumericDate(time.Unix(c.ExpiresAt, 0)), nil
}

// GetIssuedAt implements jwt.Claims.
func (c *Claims) GetIssuedAt() (*jwt.NumericDate, error) {
	if c.IssuedAt == 0 {
		return nil, nil
	}
	return jwt.NewNumericDate(time.Unix(c.IssuedAt, 0)), nil
}

// GetNotBefore implements jwt.Claims. It reports no nbf: Verify checks nbf
// itself, with NotBeforeSkew rather than the expiry leeway.
func (c *Claims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }

// ClockSkew is the clock skew the service allows when it checks a token's
// lifetime: a token whose exp is at most this far in the past, or whose nbf is
// at most this far in the future, is accepted, so that a signer whose clock
// is slightly off is not refused. It is the default ClockSkew of .NET's
// TokenValidationParameters, which Microsoft's emulator sets explicitly
// (WebPubSubTokenService.cs: ClockSkew = TimeSpan.FromMinutes(5)) for REST and
// client tokens alike.
const ClockSkew = 5 * time.Minute

// NotBeforeSkew is the clock skew Verify allows for nbf; see ClockSkew.
const NotBeforeSkew = ClockSkew

// GetIssuer implements jwt.Claims.
func (c *Claims) GetIssuer() (string, error) { return "", nil }

// GetSubject implements jwt.Claims.
func (c *Claims) GetSubject() (string, error) { return c.Subject, nil }

// GetAudience implements jwt.Claims.
func (c *Claims) GetAudience() (jwt.ClaimStrings, error) {
	if len(c.Audiences) > 0 {
		return jwt.ClaimStrings(c.Audiences), nil
	}
	if c.Audience == "" {
		return nil, nil
	}
	return jwt.ClaimStrings{c.Audience}, nil
}

// Sign returns the compact HS256 JWT of c signed with key. The token is the
// one golang-jwt's Token.SignedString produces, byte for byte; the constant
// header segment is encoded once instead of on every call.
func Sign(key string, c *Claims) (string, error) {
	if key == "" {
		return "", errors.New("auth: empty access key")
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("auth: signing token: %w", err)
	}
	var enc jwt.Token // zero Token: standard base64url (no padding) segments
	signing := hs256HeaderSegment + "." + enc.EncodeSegment(payload)
	sig, err := jwt.SigningMethodHS256.Sign(signing, []byte(key))
	if err != nil {
		return "", fmt.Errorf("auth: signing token: %w", err)
	}
	return signing + "." + enc.EncodeSegment(sig), nil
}

// hs256HeaderSegment is the encoded JOSE header of every token Sign makes
// ({"alg":"HS256","typ":"JWT"}), produced once by golang-jwt itself.
var hs256HeaderSegment = func() string {
	s, err := jwt.New(jwt.SigningMethodHS256).SigningString()
	if err != nil {
		panic("auth: encoding the HS256 header: " + err.Error())
	}
	head, _, _ := strings.Cut(s, ".")
	return head
}()
