package webpubsub

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// ConnectionString is a parsed Web PubSub connection string, such as
// "Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;".
type ConnectionString struct {
	// Endpoint is the service endpoint: scheme, host and (when the string had a
	// Port key or the endpoint named one) port, without a trailing slash.
	Endpoint string
	// AccessKey is the access key. Its UTF-8 bytes are the HMAC key of every
	// token.
	AccessKey string
	// Version is the connection string version ("1.0" when present).
	Version string
}

// String returns the connection string with the access key redacted, so that a
// ConnectionString can be logged safely.
func (c ConnectionString) String() string {
	s := "Endpoint=" + c.Endpoint + ";AccessKey=REDACTED;"
	if c.Version != "" {
		s += "Version=" + c.Version + ";"
	}
	return s
}

// GoString implements fmt.GoStringer so that %#v does not print the key either.
func (c ConnectionString) GoString() string {
	return fmt.Sprintf("webpubsub.ConnectionString{Endpoint:%q, AccessKey:\"REDACTED\", Version:%q}", c.Endpoint, c.Version)
}

// ParseConnectionString parses a connection string of semicolon-separated
// Key=Value pairs. Keys are case-insensitive; Endpoint (an http or https URL)
// and AccessKey are required; an optional Port replaces the endpoint's port;
// Version, when present, must be 1.0. Spaces around pairs, keys and values and
// a trailing semicolon are tolerated. Errors name the missing or malformed key
// and never contain the access key.
func ParseConnectionString(s string) (ConnectionString, error) {
	var (
		cs                  ConnectionString
		endpoint, port, ver string
		haveEndpoint        bool
		haveKey             bool
		havePort, haveVer   bool
	)
	for i, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok {
			// The text is not echoed: it may be a mistyped secret.
			return ConnectionString{}, fmt.Errorf("webpubsub: connection string: part %d is not a Key=Value pair", i+1)
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(k) {
		case "endpoint":
			if haveEndpoint {
				return ConnectionString{}, errors.New("webpubsub: connection string: Endpoint is given more than once")
			}
			endpoint, haveEndpoint = v, true
		case "accesskey":
			if haveKey {
				return ConnectionString{}, errors.New("webpubsub: connection string: AccessKey is given more than once")
			}
			cs.AccessKey, haveKey = v, true
		case "port":
			if havePort {
				return ConnectionString{}, errors.New("webpubsub: connection string: Port is given more than once")
			}
			port, havePort = v, true
		case "version":
			if haveVer {
				return ConnectionString{}, errors.New("webpubsub: connection string: Version is given more than once")
			}
			ver, haveVer = v, true
		default:
			// Unknown keys (e.g. ClientEndpoint, ServerEndpoint of other
			// tools) are ignored, like the other SDKs do.
		}
	}
	if !haveEndpoint || endpoint == "" {
		return ConnectionString{}, errors.New("webpubsub: connection string: Endpoint is missing")
	}
	if !haveKey || cs.AccessKey == "" {
		return ConnectionString{}, errors.New("webpubsub: connection string: AccessKey is missing")
	}
	// The values below are not quoted in errors: when a ";" is missing, the
	// next pair (such as AccessKey=<key>) is part of the value.
	if haveVer && ver != "1.0" {
		return ConnectionString{}, errors.New("webpubsub: connection string: Version is not supported (only 1.0)")
	}
	cs.Version = ver
	u, err := parseEndpoint(endpoint)
	if err != nil {
		return ConnectionString{}, fmt.Errorf("webpubsub: connection string: Endpoint %w", err)
	}
	if havePort {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return ConnectionString{}, errors.New("webpubsub: connection string: Port is not a number from 1 to 65535")
		}
		u.Host = joinHostPort(u.Hostname(), strconv.Itoa(n))
	}
	cs.Endpoint = u.Scheme + "://" + u.Host
	return cs, nil
}

// parseEndpoint checks that endpoint is an absolute http or https URL with a
// host and nothing but an optional "/" path, and returns it parsed. Its errors
// never quote endpoint: a connection string pasted where an endpoint belongs,
// or a missing ";" before AccessKey, would put the access key into it.
func parseEndpoint(endpoint string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, errors.New("is not a valid URL")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return nil, errors.New("must be an http or https URL")
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("has no host")
	}
	if !validHost(u) {
		return nil, errors.New("has an invalid host name")
	}
	if u.User != nil {
		return nil, errors.New("must not contain user information")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("must not have a path, query or fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, errors.New("has an invalid port")
		}
	}
	u.Scheme = scheme
	u.Host = strings.TrimSuffix(u.Host, ":") // "host:" has an empty port
	u.Path, u.RawPath = "", ""
	return u, nil
}

// validHost reports whether u's host is a DNS name (letters, digits, '-',
// '.', '_') or a bracketed IP address. net/url accepts far more (such as
// "a,AccessKey=secret"), which would make a malformed connection string's
// key part of every request URL.
func validHost(u *url.URL) bool {
	h := u.Hostname()
	if strings.HasPrefix(u.Host, "[") {
		return net.ParseIP(h) != nil
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

func truncateForError(s string) string {
	if len(s) <= 64 {
		return s
	}
	return s[:64] + "..."
}
