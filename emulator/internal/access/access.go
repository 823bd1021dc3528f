// Package access holds the emulator's access rules: the access key, the
// names the emulator is reachable as, and the token audiences the REST API,
// the client endpoint and the live trace accept.
package access

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/auth"
)

// Access checks and signs tokens with one access key.
//
// Every token is checked as the service checks it (auth.VerifyToken): HS256
// signed with the access key, 5 minutes of clock skew on exp and nbf, a
// multi-valued claim (aud, role, webpubsub.group) written as a string or an
// array, and an audience that names the resource on one of the emulator's
// own addresses, with the scheme http, https, ws or wss and with or without
// a trailing "/" (auth.Audience); a host that is not the emulator's is
// never accepted, whatever Host header the request carries.
type Access struct {
	key   string
	url   string          // "http://host:port", the emulator's own URL
	own   map[string]bool // host:port names the emulator answers to (OwnHosts)
	bases []string        // url and the names of own, for token audiences
}

// New returns the rules for key, an emulator at url ("http://host:port")
// reachable by the host:port names of own.
func New(key, url string, own map[string]bool) *Access {
	bases := make([]string, 0, len(own)+1)
	bases = append(bases, url)
	for h := range own {
		bases = append(bases, h)
	}
	sort.Strings(bases[1:])
	return &Access{key: key, url: url, own: own, bases: bases}
}

// Key returns the access key.
func (a *Access) Key() string { return a.key }

// Bases returns the base URLs ("http://host:port") a token for request r
// may be signed for: the emulator's URL and, when the request was sent to
// another of the emulator's own names, that one first.
func (a *Access) Bases(r *http.Request) []string {
	if h := strings.ToLower(r.Host); a.own[h] {
		if b := "http://" + h; b != a.url {
			return []string{b, a.url}
		}
	}
	return []string{a.url}
}

// AuthorizeREST checks the request's bearer token: signed with the access
// key, not expired, and with an aud that is the request's URL on one of the
// emulator's own addresses, with or without a query (any query: the service
// documents aud without it, older SDKs sign the full URL). The path may be
// written as sent or decoded. It returns "" when the request is authorized,
// else the reason.
func (a *Access) AuthorizeREST(r *http.Request) string {
	tok := BearerToken(r)
	if tok == "" {
		return "missing Authorization header with a Bearer token"
	}
	sent, _, _ := strings.Cut(r.RequestURI, "?")
	paths := []string{r.URL.EscapedPath(), sent, r.URL.Path}
	if err := a.verify(tok, paths, &auth.AudienceOptions{AllowQuery: true}); err != nil {
		return "invalid bearer token: " + err.Error()
	}
	return ""
}

// VerifyClient verifies a client access token for hub: its aud is the
// client endpoint of hub (/client/hubs/HUB, the hub in any case) on one of
// the emulator's own addresses, without a query.
func (a *Access) VerifyClient(r *http.Request, hub, token string) (*auth.Claims, error) {
	return a.verifyClient(token, "/client/hubs/"+hub)
}

// VerifyMQTTClient verifies an MQTT client's access token for hub: as
// VerifyClient, for the MQTT endpoint /clients/mqtt/hubs/HUB.
func (a *Access) VerifyMQTTClient(r *http.Request, hub, token string) (*auth.Claims, error) {
	return a.verifyClient(token, "/clients/mqtt/hubs/"+hub)
}

// verifyClient verifies a client token for the endpoint at path and returns
// its claims.
func (a *Access) verifyClient(token, path string) (*auth.Claims, error) {
	aud := auth.NewAudience(a.bases, []string{path}, nil)
	return auth.VerifyToken(token, []string{a.key}, &auth.VerifyOptions{Audience: aud.Match})
}

// VerifyTrace accepts a token signed with the access key whose aud is the
// live trace (/trace) on one of the emulator's own addresses.
func (a *Access) VerifyTrace(r *http.Request, token string) error {
	return a.verify(token, []string{"/trace"}, nil)
}

// verify checks token for the resource at paths.
func (a *Access) verify(token string, paths []string, opts *auth.AudienceOptions) error {
	aud := auth.NewAudience(a.bases, paths, opts)
	_, err := auth.VerifyToken(token, []string{a.key}, &auth.VerifyOptions{Audience: aud.Match})
	return err
}

// SignClient signs a client access token for audience aud, issued at iat
// and expiring at exp (Unix seconds).
func (a *Access) SignClient(aud, userID string, roles, groups []string, iat, exp int64) (string, error) {
	tok, err := auth.Sign(a.key, &auth.Claims{
		Roles:     roles,
		Groups:    groups,
		IssuedAt:  iat,
		ExpiresAt: exp,
		Audience:  aud,
		Subject:   userID,
	})
	if err != nil {
		return "", errors.New("emulator: signing client token failed")
	}
	return tok, nil
}

// BearerToken returns the token of an "Authorization: Bearer" header, or "".
func BearerToken(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}
