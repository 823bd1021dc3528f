// Package access holds the emulator's access rules: the access key, the
// names the emulator is reachable as, and the token audiences the REST API,
// the client endpoint and the live trace accept.
package access

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/auth"
)

// Access checks and signs tokens with one access key.
type Access struct {
	key string
	url string          // "http://host:port", the emulator's own URL
	own map[string]bool // host:port names the emulator answers to (OwnHosts)
}

// New returns the rules for key, an emulator at url ("http://host:port")
// reachable by the host:port names of own.
func New(key, url string, own map[string]bool) *Access {
	return &Access{key: key, url: url, own: own}
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

// AuthorizeREST checks the request's bearer token: HS256 signed with the
// access key, not expired, and with aud equal to the request URL (with or
// without its query). It returns "" when the request is authorized, else
// the reason.
func (a *Access) AuthorizeREST(r *http.Request) string {
	tok := BearerToken(r)
	if tok == "" {
		return "missing Authorization header with a Bearer token"
	}
	if _, err := auth.Verify(tok, []string{a.key}, a.restAudiences(r), 0); err != nil {
		return "invalid bearer token: " + err.Error()
	}
	return ""
}

// restAudiences are the aud values accepted for r: the request URL as sent
// and as parsed, each with and without the query, on the emulator's own
// address (see Bases).
func (a *Access) restAudiences(r *http.Request) []string {
	var auds []string
	add := func(s string) {
		for _, have := range auds {
			if have == s {
				return
			}
		}
		auds = append(auds, s)
	}
	for _, b := range a.Bases(r) {
		add(b + r.RequestURI)
		if i := strings.IndexByte(r.RequestURI, '?'); i >= 0 {
			add(b + r.RequestURI[:i])
		}
		p := r.URL.EscapedPath()
		add(b + p)
		if r.URL.RawQuery != "" {
			add(b + p + "?" + r.URL.RawQuery)
		}
	}
	return auds
}

// VerifyClient verifies a client access token for hub: its aud is the
// client endpoint as the emulator advertises it or, if the client reached
// it by another of the emulator's own names, by that name.
func (a *Access) VerifyClient(r *http.Request, hub, token string) (*auth.Claims, error) {
	auds := a.Bases(r)
	for i := range auds {
		auds[i] += "/client/hubs/" + hub
	}
	return auth.Verify(token, []string{a.key}, auds, 0)
}

// VerifyMQTT verifies an MQTT client's access token for hub: as
// VerifyClient, with the MQTT endpoint's audience,
// "{endpoint}/clients/mqtt/hubs/{hub}" (the service SDKs' audience for
// ClientProtocol MQTT).
func (a *Access) VerifyMQTT(r *http.Request, hub, token string) (*auth.Claims, error) {
	auds := a.Bases(r)
	for i := range auds {
		auds[i] += "/clients/mqtt/hubs/" + hub
	}
	return auth.Verify(token, []string{a.key}, auds, 0)
}

// VerifyTrace accepts a token signed with the access key whose aud is the
// page's origin followed by "/trace".
func (a *Access) VerifyTrace(r *http.Request, token string) error {
	auds := a.Bases(r)
	for i := range auds {
		auds[i] += "/trace"
	}
	_, err := auth.Verify(token, []string{a.key}, auds, time.Minute)
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
