package upstream

import (
	"context"
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

// checkOrigin makes sure the upstream at u allows the invoker's origin,
// performing the abuse-protection handshake once per scheme and host. A
// success is cached; a failure is reported to the calls that waited for that
// handshake and the next call tries again.
func (inv *Invoker) checkOrigin(ctx context.Context, u *url.URL) error {
	key := u.Scheme + "://" + strings.ToLower(u.Host)
	for {
		inv.mu.Lock()
		c, ok := inv.checks[key]
		if !ok {
			c = &originCheck{done: make(chan struct{})}
			inv.checks[key] = c
		}
		inv.mu.Unlock()
		if !ok {
			c.err = inv.handshake(ctx, u)
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
			return fmt.Errorf("abuse protection for %s: %w", key, ctx.Err())
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

// handshake sends the OPTIONS request and checks WebHook-Allowed-Origin.
func (inv *Invoker) handshake(ctx context.Context, u *url.URL) error {
	ctx, cancel := context.WithTimeout(ctx, inv.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodOptions, u.String(), nil)
	if err != nil {
		return fmt.Errorf("abuse protection for %s: %w", redact(u), err)
	}
	req.Header.Set(protocol.HeaderRequestOrigin, inv.origin)
	resp, err := inv.client.Do(req)
	if err != nil {
		return fmt.Errorf("abuse protection for %s: %w", redact(u), unwrapURLError(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("abuse protection for %s: upstream answered OPTIONS with status %d; it must answer 200 with %s", redact(u), resp.StatusCode, protocol.HeaderAllowedOrigin)
	}
	for _, v := range resp.Header.Values(protocol.HeaderAllowedOrigin) {
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o == "*" || strings.EqualFold(o, inv.origin) {
				return nil
			}
		}
	}
	return fmt.Errorf("abuse protection for %s: upstream does not allow origin %s", redact(u), inv.origin)
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
