package auth

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Errors returned by Verify and VerifyToken; test with errors.Is.
var (
	ErrMalformed    = errors.New("token is malformed")
	ErrSignature    = errors.New("token signature is invalid")
	ErrExpired      = errors.New("token is expired or has no expiry")
	ErrNotYetValid  = errors.New("token is not valid yet (its nbf is in the future)")
	ErrAudience     = errors.New("token audience does not match")
	ErrUnsupported  = errors.New("token signing method is not HS256")
	errVerifyFailed = errors.New("token is invalid")
)

// VerifyOptions are the checks VerifyToken makes besides the signature. A nil
// *VerifyOptions means the defaults of every field.
type VerifyOptions struct {
	// Audience, when set, must accept at least one of the token's aud values
	// (a token may carry a string or an array); a token without aud is then
	// refused. Nil means aud is not checked. An *Audience's Match method is
	// the matcher the emulator uses.
	Audience func(aud string) bool
	// ClockSkew is how far in the past exp, and how far in the future nbf,
	// may lie. 0 means ClockSkew (5 minutes, as the service); a negative value
	// means none.
	ClockSkew time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// VerifyToken checks that token is an HS256 JWT signed with one of keys, that
// it has an exp and has not expired, that an nbf, if present, is not in the
// future, both with opts.ClockSkew, and that opts.Audience accepts one of its
// aud values. It returns the token's claims. Errors wrap one of the Err*
// values and never contain the token or a key.
func VerifyToken(token string, keys []string, opts *VerifyOptions) (*Claims, error) {
	var o VerifyOptions
	if opts != nil {
		o = *opts
	}
	skew := o.ClockSkew
	switch {
	case skew == 0:
		skew = ClockSkew
	case skew < 0:
		skew = 0
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return verify(token, keys, check{audience: o.Audience, expSkew: skew, nbfSkew: skew, now: now})
}

// Verify checks that token is an HS256 JWT signed with one of keys, that it has
// not expired (exp is required; leeway allows for clock skew), that it is
// valid already (an nbf, if present, is at most NotBeforeSkew or leeway,
// whichever is larger, in the future) and, when audiences is non-empty, that
// one of its aud values equals one of them. It returns the token's claims.
// Errors wrap one of the Err* values and never contain the token or a key.
//
// VerifyToken applies the service's clock skew to exp as well, and takes an
// audience matcher.
func Verify(token string, keys []string, audiences []string, leeway time.Duration) (*Claims, error) {
	var match func(string) bool
	if len(audiences) > 0 {
		match = func(aud string) bool { return contains(audiences, aud) }
	}
	return verify(token, keys, check{audience: match, expSkew: leeway, nbfSkew: max(NotBeforeSkew, leeway), now: time.Now})
}

// check is what verify checks besides the signature.
type check struct {
	audience         func(string) bool
	expSkew, nbfSkew time.Duration
	now              func() time.Time
}

// verify checks token against each key in turn: a bad signature tries the
// next key, any other failure is final.
func verify(token string, keys []string, ck check) (*Claims, error) {
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
			jwt.WithLeeway(ck.expSkew),
			jwt.WithTimeFunc(ck.now),
		)
		if err == nil {
			if err := ck.claims(c); err != nil {
				return nil, err
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

// claims checks the nbf and aud of a token whose signature and exp are good.
// It returns nil or an error for which verify returns no claims.
func (ck check) claims(c *Claims) error {
	if c.NotBefore != 0 && time.Unix(c.NotBefore, 0).After(ck.now().Add(ck.nbfSkew)) {
		return ErrNotYetValid
	}
	if ck.audience == nil {
		return nil
	}
	auds := c.Audiences
	if len(auds) == 0 && c.Audience != "" {
		auds = []string{c.Audience}
	}
	for _, a := range auds {
		if ck.audience(a) {
			return nil
		}
	}
	return ErrAudience
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
