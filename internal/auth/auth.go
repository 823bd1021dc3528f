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
	// Audience is the URL the token is meant for.
	Audience string `json:"aud,omitempty"`
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

// NotBeforeSkew is the clock skew Verify allows for nbf: a token whose nbf is
// at most this far in the future is accepted, so that a signer whose clock is
// slightly ahead is not refused. It is the default clock skew of the
// service's .NET token validation.
const NotBeforeSkew = 5 * time.Minute

// GetIssuer implements jwt.Claims.
func (c *Claims) GetIssuer() (string, error) { return "", nil }

// GetSubject implements jwt.Claims.
func (c *Claims) GetSubject() (string, error) { return c.Subject, nil }

// GetAudience implements jwt.Claims.
func (c *Claims) GetAudience() (jwt.ClaimStrings, error) {
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

// Errors returned by Verify; test with errors.Is.
var (
	ErrMalformed    = errors.New("token is malformed")
	ErrSignature    = errors.New("token signature is invalid")
	ErrExpired      = errors.New("token is expired or has no expiry")
	ErrNotYetValid  = errors.New("token is not valid yet (its nbf is in the future)")
	ErrAudience     = errors.New("token audience does not match")
	ErrUnsupported  = errors.New("token signing method is not HS256")
	errVerifyFailed = errors.New("token is invalid")
)

// Verify checks that token is an HS256 JWT signed with one of keys, that it has
// not expired (exp is required; leeway allows for clock skew), that it is
// valid already (an nbf, if present, is at most NotBeforeSkew or leeway,
// whichever is larger, in the future) and, when
// audiences is non-empty, that its aud equals one of them. It returns the
// token's claims. Errors wrap one of the Err* values and never contain the token
// or a key.
func Verify(token string, keys []string, audiences []string, leeway time.Duration) (*Claims, error) {
	if len(keys) == 0 {
		return nil, errors.New("auth: no verification key")
	}
	if alg, ok := headerAlg(token); ok && alg != jwt.SigningMethodHS256.Alg() {
		return nil, ErrUnsupported
	}
	var lastErr error
	for _, key := range keys {
		c := &Claims{}
		_, err := jwt.ParseWithClaims(token, c, func(*jwt.Token) (any, error) { return []byte(key), nil },
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithLeeway(leeway),
		)
		if err == nil {
			if c.NotBefore != 0 && time.Unix(c.NotBefore, 0).After(time.Now().Add(max(NotBeforeSkew, leeway))) {
				return nil, ErrNotYetValid
			}
			if len(audiences) > 0 && !contains(audiences, c.Audience) {
				return nil, ErrAudience
			}
			return c, nil
		}
		lastErr = classify(err)
		if !errors.Is(lastErr, ErrSignature) {
			return nil, lastErr
		}
	}
	return nil, lastErr
}

func classify(err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return ErrMalformed
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		if errors.Is(err, jwt.ErrTokenUnverifiable) {
			return ErrUnsupported
		}
		return ErrSignature
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return ErrUnsupported
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return ErrExpired
	default:
		return errVerifyFailed
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
