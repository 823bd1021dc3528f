package client

import "time"

// RetryMode selects how the delay between retries grows.
type RetryMode int

const (
	// RetryFixed waits Delay before every retry.
	RetryFixed RetryMode = iota
	// RetryExponential doubles the delay on every retry, starting at Delay and
	// capped at MaxDelay.
	RetryExponential
)

// RetryOptions configure a retry policy.
type RetryOptions struct {
	// MaxRetries is how many times a failed attempt is retried. Zero selects
	// the policy's default (3 for messages, unlimited for reconnects); a
	// negative value disables retries.
	MaxRetries int
	// Delay is the (first) delay between attempts; zero selects 1 s.
	Delay time.Duration
	// MaxDelay caps exponential delays; zero selects 30 s.
	MaxDelay time.Duration
	// Mode is RetryFixed (the default) or RetryExponential.
	Mode RetryMode
}

// Default retry values, as in the JavaScript client.
const (
	// DefaultMessageMaxRetries is how often an acknowledged operation is
	// retried by default.
	DefaultMessageMaxRetries = 3
	// DefaultRetryDelay is the default (first) delay between attempts.
	DefaultRetryDelay = time.Second
	// DefaultRetryMaxDelay is the default cap of exponential delays.
	DefaultRetryMaxDelay = 30 * time.Second
)

// retryPolicy is a RetryOptions with defaults applied. maxRetries < 0 means
// unlimited.
type retryPolicy struct {
	maxRetries int
	delay      time.Duration
	maxDelay   time.Duration
	mode       RetryMode
}

// newRetryPolicy applies defaults to o; defaultMax is the default MaxRetries
// (-1 for unlimited).
func newRetryPolicy(o RetryOptions, defaultMax int) retryPolicy {
	p := retryPolicy{maxRetries: o.MaxRetries, delay: o.Delay, maxDelay: o.MaxDelay, mode: o.Mode}
	switch {
	case o.MaxRetries == 0:
		p.maxRetries = defaultMax
	case o.MaxRetries < 0:
		p.maxRetries = 0
	}
	if p.delay <= 0 {
		p.delay = DefaultRetryDelay
	}
	if p.maxDelay <= 0 {
		p.maxDelay = DefaultRetryMaxDelay
	}
	if p.maxDelay < p.delay {
		p.maxDelay = p.delay
	}
	return p
}

// next reports whether retry number retry (1 for the first retry) is allowed
// and how long to wait before it.
func (p retryPolicy) next(retry int) (time.Duration, bool) {
	if retry < 1 || (p.maxRetries >= 0 && retry > p.maxRetries) {
		return 0, false
	}
	if p.mode != RetryExponential {
		return p.delay, true
	}
	d := p.delay
	for i := 1; i < retry; i++ {
		d *= 2
		if d >= p.maxDelay || d <= 0 {
			return p.maxDelay, true
		}
	}
	return min(d, p.maxDelay), true
}
