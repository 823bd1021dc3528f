package client

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRetryPolicyDefaults(t *testing.T) {
	msg := newRetryPolicy(RetryOptions{}, DefaultMessageMaxRetries)
	for retry := 1; retry <= 3; retry++ {
		d, ok := msg.next(retry)
		assert.True(t, ok, "retry %d", retry)
		assert.Equal(t, time.Second, d)
	}
	_, ok := msg.next(4)
	assert.False(t, ok, "a fourth retry is not allowed by default")
	_, ok = msg.next(0)
	assert.False(t, ok)

	reconnect := newRetryPolicy(RetryOptions{}, -1)
	d, ok := reconnect.next(1_000_000)
	assert.True(t, ok, "reconnects retry forever by default")
	assert.Equal(t, time.Second, d)
}

func TestRetryPolicyDisabled(t *testing.T) {
	p := newRetryPolicy(RetryOptions{MaxRetries: -1}, DefaultMessageMaxRetries)
	_, ok := p.next(1)
	assert.False(t, ok)
}

func TestRetryPolicyExponential(t *testing.T) {
	p := newRetryPolicy(RetryOptions{MaxRetries: 10, Delay: 100 * time.Millisecond, MaxDelay: time.Second, Mode: RetryExponential}, 3)
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		d, ok := p.next(i + 1)
		assert.True(t, ok)
		assert.Equal(t, w*time.Millisecond, d, "retry %d", i+1)
	}
	_, ok := p.next(11)
	assert.False(t, ok)
}

func TestRetryPolicyExponentialNoOverflow(t *testing.T) {
	p := newRetryPolicy(RetryOptions{MaxRetries: 1000, Delay: time.Hour, MaxDelay: 24 * time.Hour, Mode: RetryExponential}, 3)
	d, ok := p.next(500)
	assert.True(t, ok)
	assert.Equal(t, 24*time.Hour, d)
}

func TestRetryPolicyMaxBelowDelay(t *testing.T) {
	p := newRetryPolicy(RetryOptions{Delay: 2 * time.Second, MaxDelay: time.Second, Mode: RetryExponential}, 3)
	d, _ := p.next(3)
	assert.Equal(t, 2*time.Second, d, "MaxDelay below Delay is raised to Delay")
}
