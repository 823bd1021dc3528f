package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// hs256HeaderSegment is the encoded JOSE header of every token Sign makes
// ({"alg":"HS256","typ":"JWT"}). It never changes, so it is produced once,
// by golang-jwt itself.
var hs256HeaderSegment = func() string {
	s, err := jwt.New(jwt.SigningMethodHS256).SigningString()
	if err != nil {
		panic("auth: encoding the HS256 header: " + err.Error())
	}
	head, _, _ := strings.Cut(s, ".")
	return head
}()

// SignCachedHeader returns the same token as Sign, byte for byte, without
// re-encoding the constant header on every call. The claims are still
// encoded and the token signed by golang-jwt's primitives
// (Token.EncodeSegment and SigningMethodHS256.Sign), as
// Token.SignedString does.
func SignCachedHeader(key string, c *Claims) (string, error) {
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
