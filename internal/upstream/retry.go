package upstream

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// DefaultRetryDelays are the waits before the second, third and fourth try
// of a call the upstream failed with 408, 5xx or a network error, as the
// service and the official emulator do (four tries at most).
var DefaultRetryDelays = []time.Duration{1 * time.Second, 3 * time.Second, 5 * time.Second}

// DefaultValidationTimeout bounds each try of the abuse-protection
// handshake when Config.ValidationTimeout is 0.
const DefaultValidationTimeout = 10 * time.Second

// retryableStatus reports whether an upstream answer with status is worth
// another try: 408 and 5xx. 429 and the other 4xx are final.
func retryableStatus(status int) bool {
	return status == http.StatusRequestTimeout || status >= 500
}

// retryableError reports whether a transport error is worth another try:
// network errors are, a timeout or a cancellation is not.
func retryableError(err error) bool {
	return !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
}

// sleep waits d or until ctx ends, reporting false in the latter case.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
