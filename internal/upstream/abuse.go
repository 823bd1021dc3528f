package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// originCheck is one abuse-protection handshake with an upstream host,
// shared by the calls that wait for it.
type originCheck struct {
	done chan struct{}
	err  *validationError
	// abandoned says the handshake failed because the call that ran it gave
	// up (its context ended): waiters try again rather than share its error.
	abandoned bool
}

// validationError is a failed abuse-protection handshake.
type validationError struct {
	// url is the validation URL, redacted.
	url string
	// status is the last answer's status; 0 when none arrived.
	status int
	// tries and elapsed say how many handshakes were made, over how long.
	tries   int
	elapsed time.Duration
	err     error
}

// checkOrigin makes sure the upstream of handler h for hub allows the
// invoker's origin, performing the abuse-protection handshake once per
// validation URL (the handler's URL template with {event} = "validate"). A
// success is cached; a failure is reported to the calls that waited for that
// handshake and the next call tries again.
func (inv *Invoker) checkOrigin(ctx context.Context, h Handler, hub string) *validationError {
	u, err := url.Parse(expand(h.URLTemplate, hub, validateEvent))
	if err != nil {
		return &validationError{url: h.URLTemplate, err: fmt.Errorf("the upstream URL template is invalid: %w", err)}
	}
	key := u.String()
	for {
		inv.mu.Lock()
		c, ok := inv.checks[key]
		if !ok {
			c = &originCheck{done: make(chan struct{})}
			inv.checks[key] = c
		}
		inv.mu.Unlock()
		if !ok {
			c.err = inv.validate(ctx, u, redactURL(u, hub, validateEvent))
			if c.err != nil {
				c.abandoned = ctx.Err() != nil
				inv.mu.Lock()
				delete(inv.checks, key)
				inv.mu.Unlock()
			}
			close(c.done)
			return c.err
		}
		select {
		case <-c.done:
		case <-ctx.Done():
			return &validationError{url: redactURL(u, hub, validateEvent), err: ctx.Err()}
		}
		if !c.abandoned {
			return c.err
		}
		inv.mu.Lock()
		if inv.checks[key] == c {
			delete(inv.checks, key)
		}
		inv.mu.Unlock()
	}
}

// validateEvent is the {event} value of the validation URL.
const validateEvent = "validate"

// validate runs the handshake with u (shown as shown in errors), retrying
// after the invoker's retry delays while the upstream answers 408 or 5xx or
// the network fails.
func (inv *Invoker) validate(ctx context.Context, u *url.URL, shown string) *validationError {
	start := time.Now()
	for try := 1; ; try++ {
		status, retry, err := inv.handshake(ctx, u)
		if err == nil {
			return nil
		}
		retry = retry && ctx.Err() == nil
		if !retry || try == len(inv.retryDelays)+1 || !sleep(ctx, inv.retryDelays[try-1]) {
			if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
				err = fmt.Errorf("%w (last: %v)", ctx.Err(), err)
			}
			return &validationError{url: shown, status: status, tries: try, elapsed: time.Since(start), err: err}
		}
	}
}

// handshake makes one validation try: OPTIONS, then GET when OPTIONS
// answers 404 (as the official emulator does). On failure it returns the
// last status (0 without an answer) and whether another try may succeed
// (408, 5xx, network errors; not a timeout).
func (inv *Invoker) handshake(ctx context.Context, u *url.URL) (status int, retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, inv.validationTimeout)
	defer cancel()
	method := http.MethodOptions
	status, header, err := inv.validationRequest(ctx, method, u)
	if err == nil && status == http.StatusNotFound {
		method = http.MethodGet
		status, header, err = inv.validationRequest(ctx, method, u)
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return 0, false, fmt.Errorf("upstream did not answer within %s: %w", inv.validationTimeout, err)
		}
		return 0, retryableError(err), err
	}
	if status < 200 || status > 299 {
		return status, retryableStatus(status), fmt.Errorf("upstream answered %s with status %d; it must answer 2xx with %s", method, status, protocol.HeaderAllowedOrigin)
	}
	for _, v := range header.Values(protocol.HeaderAllowedOrigin) {
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o == "*" || strings.EqualFold(o, inv.origin) {
				return status, false, nil
			}
		}
	}
	return status, false, fmt.Errorf("upstream does not allow origin %s: answer %s: * or %s", inv.origin, protocol.HeaderAllowedOrigin, inv.origin)
}

// validationRequest sends one validation request with method and returns
// the answer's status and headers.
func (inv *Invoker) validationRequest(ctx context.Context, method string, u *url.URL) (int, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set(protocol.HeaderRequestOrigin, inv.origin)
	// The JS express handler ignores (answers 404 to) a validation request
	// without ce-awpsversion; the service sends it.
	req.Header.Set(protocol.HeaderAwpsVersion, protocol.AwpsVersion)
	resp, err := inv.client.Do(req)
	if err != nil {
		return 0, nil, unwrapURLError(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	return resp.StatusCode, resp.Header, nil
}
