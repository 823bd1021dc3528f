package eventhandler

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// allowList holds the hosts allowed to call the handler (abuse protection).
// An empty list allows every origin.
type allowList struct {
	any   bool
	hosts []string // lower case, with port when one was given
}

// newAllowList parses AllowedEndpoints: each a host ("x.webpubsub.azure.com",
// "127.0.0.1:8080"), a URL ("https://x.webpubsub.azure.com") or "*". A URL's
// default port ("https://x:443") is dropped, so it matches the origin the
// service sends ("x").
func newAllowList(endpoints []string) (allowList, error) {
	if len(endpoints) == 0 {
		return allowList{any: true}, nil
	}
	var l allowList
	for _, e := range endpoints {
		e = strings.TrimSpace(e)
		if e == "*" {
			l.any = true
			continue
		}
		host := e
		if strings.Contains(e, "://") {
			u, err := url.Parse(e)
			if err != nil || u.Host == "" {
				return allowList{}, fmt.Errorf("eventhandler: allowed endpoint %q is not a host or an absolute URL", e)
			}
			host = u.Host
			// The service names itself without the scheme's default port.
			if p := u.Port(); (u.Scheme == "https" && p == "443") || (u.Scheme == "http" && p == "80") {
				host = strings.TrimSuffix(host, ":"+p)
			}
		}
		if host == "" || strings.ContainsAny(host, "/?# ") {
			return allowList{}, fmt.Errorf("eventhandler: allowed endpoint %q is not a host or an absolute URL", e)
		}
		l.hosts = append(l.hosts, strings.ToLower(host))
	}
	return l, nil
}

// allows reports whether origin (a WebHook-Request-Origin value) is allowed.
// An entry without a port allows that host on any port.
func (l allowList) allows(origin string) bool {
	if l.any {
		return true
	}
	origin = strings.ToLower(strings.TrimSpace(origin))
	if origin == "" {
		return false
	}
	hostOnly := origin
	if h, _, err := net.SplitHostPort(origin); err == nil {
		hostOnly = h
	}
	for _, h := range l.hosts {
		if h == origin || h == hostOnly {
			return true
		}
	}
	return false
}

// serveOptions answers the abuse-protection handshake: 200 with
// WebHook-Allowed-Origin when the requesting origin is allowed, else 400.
func (h *Handler) serveOptions(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get(protocol.HeaderRequestOrigin)
	if origin == "" {
		http.Error(w, "missing "+protocol.HeaderRequestOrigin+" header", http.StatusBadRequest)
		return
	}
	if !h.allowed.allows(origin) {
		http.Error(w, "origin is not allowed to call this event handler", http.StatusBadRequest)
		return
	}
	allowed := origin
	if len(h.allowed.hosts) == 0 {
		allowed = "*"
	}
	w.Header().Set(protocol.HeaderAllowedOrigin, allowed)
	w.WriteHeader(http.StatusOK)
}
