package client

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// redacted replaces secret values in URLs and error messages.
const redacted = "REDACTED"

// normalizeURL checks a client access URL and maps http(s) to ws(s).
func normalizeURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("client: invalid client access URL %q", RedactURL(raw))
	}
	switch strings.ToLower(u.Scheme) {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("client: client access URL %q must use ws, wss, http or https", RedactURL(raw))
	}
	if u.Host == "" {
		return "", fmt.Errorf("client: client access URL %q has no host", RedactURL(raw))
	}
	return u.String(), nil
}

// recoveryURL returns base with the recovery query parameters set.
func recoveryURL(base, connectionID, reconnectionToken string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("client: invalid client access URL %q", RedactURL(base))
	}
	q := u.Query()
	q.Set(protocol.QueryConnectionID, connectionID)
	q.Set(protocol.QueryReconnectionToken, reconnectionToken)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// RedactURL returns raw with the value of every query parameter except
// awps_connection_id replaced by "REDACTED", so that access and reconnection
// tokens never reach logs or errors. A URL that cannot be parsed is replaced
// entirely.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	u.User = nil
	if u.RawQuery == "" {
		return u.String()
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		u.RawQuery = redacted
		return u.String()
	}
	for k, vs := range q {
		if k == protocol.QueryConnectionID {
			continue
		}
		for i := range vs {
			vs[i] = redacted
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// urlSecrets returns the secret query values of raw (and their escaped
// forms) that must never appear in an error message.
func urlSecrets(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return []string{raw}
	}
	var out []string
	q, _ := url.ParseQuery(u.RawQuery)
	for k, vs := range q {
		if k == protocol.QueryConnectionID {
			continue
		}
		for _, v := range vs {
			if len(v) < 4 {
				continue
			}
			out = append(out, v, url.QueryEscape(v), url.PathEscape(v))
		}
	}
	if u.User != nil {
		out = append(out, u.User.String())
	}
	return out
}

// redactedError is an error whose message had secrets removed. It matches
// context.Canceled and context.DeadlineExceeded like the original did, but
// does not unwrap to it, so the secrets cannot be reached through it.
type redactedError struct {
	msg  string
	orig error
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the original error was target, for a few well-known
// sentinel errors that carry no secrets.
func (e *redactedError) Is(target error) bool {
	for _, s := range safeSentinels {
		if target == s {
			return errors.Is(e.orig, s)
		}
	}
	return false
}

// redactError returns err with every secret of rawURL removed from its
// message. It returns nil for nil.
func redactError(err error, rawURL string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	secrets := urlSecrets(rawURL)
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, redacted)
		}
	}
	return &redactedError{msg: msg, orig: err}
}
