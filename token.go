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
	"github.com/golang-jwt/jwt/v5"
)

// defaultTokenLifetime is the client access token lifetime when
// ServiceClientGetClientAccessTokenOptions.ExpiresAfter is 0.
const defaultTokenLifetime = 60 * time.Minute

// ClientProtocol is the kind of client a client access token is for. Its
// values are those of the JS SDK's clientProtocol option.
type ClientProtocol string

const (
	// ClientProtocolDefault is a Web PubSub client (a plain WebSocket or one of
	// the Web PubSub subprotocols): path /client/hubs/<hub>. The empty
	// ClientProtocol means this one.
	ClientProtocolDefault ClientProtocol = "default"
	// ClientProtocolMQTT is an MQTT client: path /clients/mqtt/hubs/<hub>.
	ClientProtocolMQTT ClientProtocol = "mqtt"
	// ClientProtocolSocketIO is a Socket.IO client: path
	// /clients/socketio/hubs/<hub>.
	ClientProtocolSocketIO ClientProtocol = "socketio"
)

// PossibleClientProtocolValues returns every ClientProtocol value.
func PossibleClientProtocolValues() []ClientProtocol {
	return []ClientProtocol{ClientProtocolDefault, ClientProtocolMQTT, ClientProtocolSocketIO}
}

// ClientAccessToken is what a client needs to connect to the hub.
type ClientAccessToken struct {
	// Token is the JWT the client presents.
	Token string
	// BaseURL is the WebSocket URL of the hub for the client's protocol,
	// e.g. "wss://<host>/client/hubs/<hub>".
	BaseURL string
	// URL is BaseURL with the token in the access_token query parameter.
	URL string
	// ExpiresOn is when the token expires (its exp claim), so that a
	// negotiate endpoint can tell clients when to fetch a new URL.
	ExpiresOn time.Time
}

// clientURL returns the client endpoint of protocol p.
func (c *ServiceClient) clientURL(p ClientProtocol) (clientURL, error) {
	switch p {
	case "", ClientProtocolDefault:
		return c.clientURLs[0], nil
	case ClientProtocolMQTT:
		return c.clientURLs[1], nil
	case ClientProtocolSocketIO:
		return c.clientURLs[2], nil
	}
	return clientURL{}, fmt.Errorf("webpubsub: unknown client protocol %q: use one of PossibleClientProtocolValues()", truncateForError(string(p)))
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
//
// Bad options (negative ExpiresAfter, an empty role, an invalid group, an
// unknown Protocol) are plain errors and send nothing; with Entra ID a
// service error is an *azcore.ResponseError.
func (c *ServiceClient) GetClientAccessToken(ctx context.Context, options *ServiceClientGetClientAccessTokenOptions) (resp ServiceClientGetClientAccessTokenResponse, err error) {
	// A span even when the token is signed locally (no request is made), as
	// in the JS SDK; the :generateToken request's own span is then nested
	// and suppressed by azcore.
	ctx, endSpan := runtime.StartSpan(ctx, "ServiceClient.GetClientAccessToken", c.tracer, nil)
	defer func() { endSpan(err) }()
	var o ServiceClientGetClientAccessTokenOptions
	if options != nil {
		o = *options
	}
	if o.ExpiresAfter < 0 {
		return ServiceClientGetClientAccessTokenResponse{}, fmt.Errorf("webpubsub: ExpiresAfter %v must not be negative", o.ExpiresAfter)
	}
	if o.ExpiresAfter == 0 {
		o.ExpiresAfter = defaultTokenLifetime
	}
	for i, r := range o.Roles {
		if r == "" {
			return ServiceClientGetClientAccessTokenResponse{}, fmt.Errorf("webpubsub: role %d is empty", i)
		}
	}
	for _, g := range o.Groups {
		if err := validateGroup(g); err != nil {
			return ServiceClientGetClientAccessTokenResponse{}, err
		}
	}
	cu, err := c.clientURL(o.Protocol)
	if err != nil {
		return ServiceClientGetClientAccessTokenResponse{}, err
	}
	if c.key != nil {
		u, exp, err := c.signClientToken(cu, &o)
		if err != nil {
			return ServiceClientGetClientAccessTokenResponse{}, err
		}
		return ServiceClientGetClientAccessTokenResponse{ClientAccessToken{
			Token: u[len(cu.prefix):], BaseURL: cu.base, URL: u, ExpiresOn: exp,
		}}, nil
	}
	tok, exp, err := c.generateToken(ctx, &o)
	if err != nil {
		return ServiceClientGetClientAccessTokenResponse{}, err
	}
	return ServiceClientGetClientAccessTokenResponse{ClientAccessToken{
		Token: tok, BaseURL: cu.base, URL: cu.prefix + queryEscapeToken(tok), ExpiresOn: exp,
	}}, nil
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

// signClientToken returns the client access URL of cu with a token signed
// locally for the options (tokenmint.go), and the token's expiry.
func (c *ServiceClient) signClientToken(cu clientURL, o *ServiceClientGetClientAccessTokenOptions) (string, time.Time, error) {
	key, err := c.key.get()
	if err != nil {
		return "", time.Time{}, err
	}
	now := c.now()
	exp := time.Unix(now.Add(o.ExpiresAfter).Unix(), 0)
	u, err := mintClientURL(cu.prefix, c.signingKey.get(key), &clientClaims{
		Roles:     o.Roles,
		Groups:    o.Groups,
		IssuedAt:  now.Unix(),
		ExpiresAt: exp.Unix(),
		Audience:  cu.audience,
		Subject:   o.UserID,
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return u, exp, nil
}

// generateToken asks the service for a client access token. Its expiry is
// the token's exp claim, read without verifying the signature (the service
// signed it with a key the client does not have); when the token has none,
// it is the requested lifetime from the time of the request.
func (c *ServiceClient) generateToken(ctx context.Context, o *ServiceClientGetClientAccessTokenOptions) (string, time.Time, error) {
	minutes := int64((o.ExpiresAfter + time.Minute - 1) / time.Minute)
	if minutes > 1<<31-1 {
		return "", time.Time{}, fmt.Errorf("webpubsub: ExpiresAfter %v is too long", o.ExpiresAfter)
	}
	requested := c.now()
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
		return "", time.Time{}, err
	}
	var body struct {
		Token string `json:"token"`
	}
	if err := runtime.UnmarshalAsJSON(resp, &body); err != nil {
		return "", time.Time{}, fmt.Errorf("webpubsub: decoding the generateToken response: %w", err)
	}
	if body.Token == "" {
		return "", time.Time{}, errors.New("webpubsub: the service returned an empty token")
	}
	exp := time.Unix(requested.Add(time.Duration(minutes)*time.Minute).Unix(), 0)
	var claims jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(body.Token, &claims); err == nil && claims.ExpiresAt != nil {
		exp = claims.ExpiresAt.Time
	}
	return body.Token, exp, nil
}
