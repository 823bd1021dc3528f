package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// originCheck is one abuse-protection handshake with an upstream host,
// shared by the calls that wait for it.
type originCheck struct {
	done chan struct{}
	err  error
	// abandoned says the handshake failed because the call that ran it gave
	// up (its context ended): waiters try again rather than share its error.
	abandoned bool
}

// checkOrigin makes sure the upstream of handler h for hub allows the
// invoker's origin, performing the abuse-protection handshake once per
// validation URL (the handler's URL template with {event} = "validate"). A
// success is cached; a failure is reported to the calls that waited for that
// handshake and the next call tries again.
func (inv *Invoker) checkOrigin(ctx context.Context, h Handler, hub string) error {
	u, err := url.Parse(expand(h.URLTemplate, hub, validateEvent))
	if err != nil {
		return fmt.Errorf("abuse protection: upstream URL template is invalid: %w", err)
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
			c.err = inv.validate(ctx, u)
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
			return fmt.Errorf("abuse protection for %s: %w", redact(u), ctx.Err())
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

// validate runs the handshake with u, retrying after the invoker's retry
// delays while the upstream answers 408 or 5xx or the network fails.
func (inv *Invoker) validate(ctx context.Context, u *url.URL) error {
	tries := len(inv.retryDelays) + 1
	for try := 1; ; try++ {
		retry, err := inv.handshake(ctx, u)
		if err == nil {
			return nil
		}
		retry = retry && ctx.Err() == nil
		if !retry || try == tries {
			if try > 1 {
				return fmt.Errorf("%w (after %d tries)", err, try)
			}
			return err
		}
		if !sleep(ctx, inv.retryDelays[try-1]) {
			return fmt.Errorf("abuse protection for %s: %w (after %d tries; last: %v)", redact(u), ctx.Err(), try, err)
		}
	}
}

// handshake makes one validation try: OPTIONS, then GET when OPTIONS
// answers 404 (as the official emulator does). On failure it reports
// whether another try may succeed (408, 5xx, network errors; not a timeout).
func (inv *Invoker) handshake(ctx context.Context, u *url.URL) (retry bool, err error) {
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
			return false, fmt.Errorf("abuse protection for %s: upstream did not answer within %s: %w", redact(u), inv.validationTimeout, err)
		}
		return retryableError(err), fmt.Errorf("abuse protection for %s: %w", redact(u), err)
	}
	if status < 200 || status > 299 {
		return retryableStatus(status), fmt.Errorf("abuse protection for %s: upstream answered %s with status %d; it must answer 2xx with %s", redact(u), method, status, protocol.HeaderAllowedOrigin)
	}
	for _, v := range header.Values(protocol.HeaderAllowedOrigin) {
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o == "*" || strings.EqualFold(o, inv.origin) {
				return false, nil
			}
		}
	}
	return false, fmt.Errorf("abuse protection for %s: upstream does not allow origin %s", redact(u), inv.origin)
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

// redact returns u without user info, query and fragment, for messages.
func redact(u *url.URL) string {
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return r.String()
}

// unwrapURLError drops the *url.Error wrapper, whose text repeats the full
// URL (possibly with a query carrying secrets).
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
