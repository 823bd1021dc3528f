package webpubsub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/webpubsub-go/webpubsub/internal/auth"
)

// defaultTokenLifetime is the client access token lifetime when
// GetClientAccessTokenOptions.ExpiresAfter is 0.
const defaultTokenLifetime = 60 * time.Minute

// ClientAccessToken is what a client needs to connect to the hub.
type ClientAccessToken struct {
	// Token is the JWT the client presents.
	Token string
	// BaseURL is the WebSocket URL of the hub for the client's protocol,
	// e.g. "wss://<host>/client/hubs/<hub>".
	BaseURL string
	// URL is BaseURL with the token in the access_token query parameter.
	URL string
}

// clientURL returns the client endpoint of protocol p.
func (c *ServiceClient) clientURL(p ClientProtocol) (clientURL, error) {
	if p < ClientProtocolDefault || p > ClientProtocolSocketIO {
		return clientURL{}, fmt.Errorf("webpubsub: unknown client protocol %d", int(p))
	}
	return c.clientURLs[p], nil
}

// clientType is the :generateToken clientType value of p.
func clientType(p ClientProtocol) string {
	switch p {
	case ClientProtocolMQTT:
		return "MQTT"
	case ClientProtocolSocketIO:
		return "SocketIO"
	}
	return "Default"
}

// GetClientAccessToken returns a token and URL a client uses to connect to the
// hub. With an access key the token is signed locally (HS256; claims aud, iat,
// exp, sub, role, webpubsub.group); with Entra ID the service issues it
// (POST :generateToken).
func (c *ServiceClient) GetClientAccessToken(ctx context.Context, options *GetClientAccessTokenOptions) (ClientAccessToken, error) {
	var o GetClientAccessTokenOptions
	if options != nil {
		o = *options
	}
	if o.ExpiresAfter < 0 {
		return ClientAccessToken{}, fmt.Errorf("webpubsub: ExpiresAfter %v must not be negative", o.ExpiresAfter)
	}
	if o.ExpiresAfter == 0 {
		o.ExpiresAfter = defaultTokenLifetime
	}
	for i, r := range o.Roles {
		if r == "" {
			return ClientAccessToken{}, fmt.Errorf("webpubsub: role %d is empty", i)
		}
	}
	for _, g := range o.Groups {
		if err := validateGroup(g); err != nil {
			return ClientAccessToken{}, err
		}
	}
	cu, err := c.clientURL(o.Protocol)
	if err != nil {
		return ClientAccessToken{}, err
	}
	var tok string
	if c.key != nil {
		tok, err = c.signClientToken(cu.audience, &o)
	} else {
		tok, err = c.generateToken(ctx, &o)
	}
	if err != nil {
		return ClientAccessToken{}, err
	}
	return ClientAccessToken{Token: tok, BaseURL: cu.base, URL: cu.base + "?access_token=" + queryEscapeToken(tok)}, nil
}

// queryEscapeToken escapes tok for a query value. A compact JWT only holds
// base64url characters and dots, which need no escaping, so the common case
// does not copy.
func queryEscapeToken(tok string) string {
	for i := 0; i < len(tok); i++ {
		if !tokenSafe[tok[i]] {
			return url.QueryEscape(tok)
		}
	}
	return tok
}

// tokenSafe marks the bytes a query value may hold unescaped that can occur
// in a compact JWT.
var tokenSafe = func() (t [256]bool) {
	for _, r := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_." {
		t[r] = true
	}
	return t
}()

// wsScheme maps an http(s) endpoint to ws(s).
func wsScheme(endpoint string) string {
	if rest, ok := strings.CutPrefix(endpoint, "https://"); ok {
		return "wss://" + rest
	}
	return "ws://" + strings.TrimPrefix(endpoint, "http://")
}

func (c *ServiceClient) signClientToken(audience string, o *GetClientAccessTokenOptions) (string, error) {
	key, err := c.key.get()
	if err != nil {
		return "", err
	}
	now := c.now()
	tok, err := auth.Sign(key, &auth.Claims{
		Roles:     o.Roles,
		Groups:    o.Groups,
		IssuedAt:  now.Unix(),
		ExpiresAt: now.Add(o.ExpiresAfter).Unix(),
		Audience:  audience,
		Subject:   o.UserID,
	})
	if err != nil {
		return "", fmt.Errorf("webpubsub: signing the client access token: %w", err)
	}
	return tok, nil
}

// generateToken asks the service for a client access token.
func (c *ServiceClient) generateToken(ctx context.Context, o *GetClientAccessTokenOptions) (string, error) {
	minutes := int64((o.ExpiresAfter + time.Minute - 1) / time.Minute)
	if minutes > 1<<31-1 {
		return "", fmt.Errorf("webpubsub: ExpiresAfter %v is too long", o.ExpiresAfter)
	}
	q := url.Values{}
	if o.UserID != "" {
		q.Set("userId", o.UserID)
	}
	if len(o.Roles) > 0 {
		q["role"] = o.Roles
	}
	if len(o.Groups) > 0 {
		q["group"] = o.Groups
	}
	q.Set("minutesToExpire", strconv.FormatInt(minutes, 10))
	q.Set("clientType", clientType(o.Protocol))
	resp, err := c.do(ctx, &restRequest{op: "ServiceClient.GetClientAccessToken", method: http.MethodPost,
		path: c.hubPath + "/:generateToken", query: q, success: []int{http.StatusOK}})
	if err != nil {
		return "", err
	}
	var body struct {
		Token string `json:"token"`
	}
	if err := runtime.UnmarshalAsJSON(resp, &body); err != nil {
		return "", fmt.Errorf("webpubsub: decoding the generateToken response: %w", err)
	}
	if body.Token == "" {
		return "", errors.New("webpubsub: the service returned an empty token")
	}
	return body.Token, nil
}
