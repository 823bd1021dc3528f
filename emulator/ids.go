package emulator

import (
	"crypto/rand"
	"encoding/base64"
)

// randomID returns n random bytes as unpadded base64url text.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// newConnectionID returns a fresh, unguessable connection id.
func newConnectionID() string { return randomID(16) }

// newReconnectionToken returns a fresh, unguessable reconnection token.
func newReconnectionToken() string { return randomID(32) }
