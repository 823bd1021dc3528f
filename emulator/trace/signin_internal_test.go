package trace

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestSignInCodesExpireAndAreBounded: a code past SignInCodeTTL does not
// sign in, and past maxSignInCodes waiting codes the oldest stops working.
func TestSignInCodesExpireAndAreBounded(t *testing.T) {
	s := newSignInCodes()
	old := s.issue()
	for k := range s.codes {
		s.codes[k] = time.Now().Add(-time.Second)
	}
	assert.False(t, s.redeem(old), "an expired code")

	first := s.issue()
	codes := []string{first}
	for i := 0; i < maxSignInCodes; i++ {
		time.Sleep(time.Millisecond) // distinct expiry times
		codes = append(codes, s.issue())
	}
	assert.Len(t, s.codes, maxSignInCodes)
	assert.False(t, s.redeem(first), "the oldest code was forgotten")
	assert.True(t, s.redeem(codes[len(codes)-1]))
	assert.False(t, s.redeem(""))
}
