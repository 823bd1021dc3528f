package auth

import (
	"net"
	"net/url"
	"strings"
)

// Audience accepts the aud values a token for one resource of a server may
// carry: the resource's path on one of the server's own addresses, written
// with any of the schemes http, https, ws and wss, with or without a trailing
// "/". Microsoft's emulator accepts exactly these variants (its test
// RestApiTests.RestAudienceMatchesSchemesAndResourceBoundaries: http, https,
// ws, wss, a trailing "/" and a query are accepted, ftp and a longer last
// segment are not), because SDKs differ in what they put there: a back end
// behind TLS termination signs https for an http listener, a client SDK that
// builds its own URL signs ws or wss. A host that is not one of the given
// addresses is never accepted, whatever the request's Host header says.
//
// Hosts and paths compare case-insensitively, as Microsoft's emulator
// compares audiences (StringComparison.OrdinalIgnoreCase in
// WebPubSubTokenService.cs); percent-encoding is compared decoded, so that
// /client/hubs/a%5Bb%5D (.NET's Uri.EscapeDataString) and /client/hubs/a[b]
// (the JS SDK) name the same hub. Microsoft's newest test also accepts an
// audience that extends the path by further segments ("/child"); we do not:
// no SDK signs such an audience, and the service documents none.
//
// An Audience is immutable and safe for concurrent use.
type Audience struct {
	hosts      []string // authorities (authorityOf)
	paths      []string // decoded, without a trailing "/"
	allowQuery bool
}

// AudienceOptions tune an Audience. A nil *AudienceOptions means the zero
// value.
type AudienceOptions struct {
	// AllowQuery accepts an audience that carries a query, whatever it is
	// (REST tokens: the service documents aud as the request URL without its
	// query, older SDKs sign the full URL, and Microsoft's emulator accepts a
	// query that differs from the request's). Without it an audience with a
	// query is refused (client tokens).
	AllowQuery bool
}

// NewAudience returns the matcher of the resource at any of paths on the
// server reachable at bases. A base is a URL ("http://127.0.0.1:8080",
// "https://emulator.example") or a host:port ("localhost:8080"); a URL without
// a port stands for its scheme's default port (80 for http and ws, 443 for
// https and wss), and a host:port is read as an http URL. Bases that are
// neither are ignored, so an empty or invalid list accepts nothing. A host
// and port match when they name the same authority, as .NET's Uri.Authority
// gives it: the host, with the port unless it is the scheme's default, so
// http://localhost and https://localhost name the same authority, and
// http://localhost:8080 and wss://localhost:8080 too.
func NewAudience(bases, paths []string, opts *AudienceOptions) *Audience {
	a := &Audience{}
	if opts != nil {
		a.allowQuery = opts.AllowQuery
	}
	for _, b := range bases {
		if h, ok := baseHost(b); ok && !contains(a.hosts, h) {
			a.hosts = append(a.hosts, h)
		}
	}
	for _, p := range paths {
		if p = canonicalPath(p); !contains(a.paths, p) {
			a.paths = append(a.paths, p)
		}
	}
	return a
}

// Match reports whether aud names the resource on one of the server's own
// addresses.
func (a *Audience) Match(aud string) bool {
	scheme, rest, ok := strings.Cut(aud, "://")
	if !ok {
		return false
	}
	port, ok := defaultPort(scheme)
	if !ok {
		return false
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host, ok := authorityOf(rest[:end], port)
	if !ok || !contains(a.hosts, host) {
		return false
	}
	path, query, hasQuery := strings.Cut(rest[end:], "?")
	if strings.Contains(path, "#") || strings.Contains(query, "#") || (hasQuery && !a.allowQuery) {
		return false
	}
	path = canonicalPath(path)
	for _, p := range a.paths {
		if strings.EqualFold(path, p) {
			return true
		}
	}
	return false
}

// defaultPort returns the default port of one of the accepted schemes.
func defaultPort(scheme string) (string, bool) {
	switch strings.ToLower(scheme) {
	case "http", "ws":
		return "80", true
	case "https", "wss":
		return "443", true
	}
	return "", false
}

// baseHost returns the authority of a base URL or host:port (a host:port is
// read as an http URL).
func baseHost(base string) (string, bool) {
	if scheme, rest, ok := strings.Cut(base, "://"); ok {
		port, ok := defaultPort(scheme)
		if !ok {
			return "", false
		}
		host, _, _ := strings.Cut(rest, "/")
		return authorityOf(host, port)
	}
	if _, p, err := net.SplitHostPort(base); err != nil || p == "" {
		return "", false
	}
	return authorityOf(base, "80")
}

// authorityOf returns authority as .NET's Uri.Authority gives it: the host in
// lower case, followed by ":port" unless the port is the scheme's default
// (defaultPort). So http://localhost and wss://localhost:443 are both
// "localhost", as in Microsoft's emulator, which compares such URIs. An
// authority with user information is refused: "a@b" must not pass for host b.
func authorityOf(authority, defaultPort string) (string, bool) {
	if authority == "" || strings.ContainsAny(authority, "@ \\") {
		return "", false
	}
	h, p, err := net.SplitHostPort(authority)
	if err != nil {
		if strings.Contains(authority, ":") && !strings.HasSuffix(authority, "]") {
			return "", false // a bare IPv6 address or a stray colon
		}
		h, p = strings.TrimSuffix(strings.TrimPrefix(authority, "["), "]"), defaultPort
	}
	if h == "" || p == "" {
		return "", false
	}
	h = strings.ToLower(h)
	if p == defaultPort {
		if strings.Contains(h, ":") {
			return "[" + h + "]", true
		}
		return h, true
	}
	return net.JoinHostPort(h, p), true
}

// canonicalPath decodes p (when it decodes) and drops one trailing "/".
func canonicalPath(p string) string {
	if d, err := url.PathUnescape(p); err == nil {
		p = d
	}
	return strings.TrimSuffix(p, "/")
}
