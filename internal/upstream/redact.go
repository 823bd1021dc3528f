package upstream

import (
	"net/url"
	"slices"
	"strings"
)

// redacted replaces query values in URLs shown in errors and logs.
const redacted = "REDACTED"

// redactURL returns u for errors and logs: without user info and fragment,
// and with each query value replaced by REDACTED unless it is empty or
// equals one of keep (the hub and event names that {hub} and {event} filled
// in), since a query value may be a secret (an Azure Functions key in
// code=..., a token).
func redactURL(u *url.URL, keep ...string) string {
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, v, ok := strings.Cut(p, "=")
			if !ok || v == "" {
				continue
			}
			if dv, err := url.QueryUnescape(v); err == nil && slices.Contains(keep, dv) {
				continue
			}
			parts[i] = k + "=" + redacted
		}
		r.RawQuery = strings.Join(parts, "&")
	}
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
