package core

import (
	"crypto/rand"
	"encoding/base64"
)

// RandomID returns n random bytes as unpadded base64url text: an
// unguessable connection id (16 bytes) or reconnection token (32).
func RandomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}
