package webpubsub

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/auth"
)

func TestClientAccessTokenSignedLocally(t *testing.T) {
	// A fixed clock makes iat and exp exact; it is set a little ahead so the
	// tokens still verify against the real clock.
	fixed := time.Now().Truncate(time.Second).Add(time.Minute)
	cases := []struct {
		name     string
		conn     string
		opts     *ServiceClientGetClientAccessTokenOptions
		aud      string
		baseURL  string
		lifetime time.Duration
		want     auth.Claims // Audience, IssuedAt and ExpiresAt are checked separately
	}{
		{name: "defaults", conn: "Endpoint=https://contoso.webpubsub.azure.com;AccessKey=" + testKey + ";Version=1.0;",
			aud: "https://contoso.webpubsub.azure.com/client/hubs/hub1", baseURL: "wss://contoso.webpubsub.azure.com/client/hubs/hub1",
			lifetime: time.Hour},
		{name: "every option", conn: "Endpoint=https://contoso.webpubsub.azure.com;AccessKey=" + testKey,
			opts: &ServiceClientGetClientAccessTokenOptions{UserID: "user1", Roles: []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.g1"},
				Groups: []string{"g1", "g 2"}, ExpiresAfter: 5 * time.Minute},
			aud: "https://contoso.webpubsub.azure.com/client/hubs/hub1", baseURL: "wss://contoso.webpubsub.azure.com/client/hubs/hub1",
			lifetime: 5 * time.Minute,
			want:     auth.Claims{Subject: "user1", Roles: []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.g1"}, Groups: []string{"g1", "g 2"}}},
		{name: "mqtt", conn: "Endpoint=https://contoso.webpubsub.azure.com;AccessKey=" + testKey,
			opts: &ServiceClientGetClientAccessTokenOptions{Protocol: ClientProtocolMQTT, UserID: "device"},
			aud:  "https://contoso.webpubsub.azure.com/clients/mqtt/hubs/hub1", baseURL: "wss://contoso.webpubsub.azure.com/clients/mqtt/hubs/hub1",
			lifetime: time.Hour, want: auth.Claims{Subject: "device"}},
		{name: "socketio", conn: "Endpoint=https://contoso.webpubsub.azure.com;AccessKey=" + testKey,
			opts: &ServiceClientGetClientAccessTokenOptions{Protocol: ClientProtocolSocketIO},
			aud:  "https://contoso.webpubsub.azure.com/clients/socketio/hubs/hub1", baseURL: "wss://contoso.webpubsub.azure.com/clients/socketio/hubs/hub1",
			lifetime: time.Hour},
		{name: "http endpoint with Port", conn: "Endpoint=http://localhost;Port=8080;AccessKey=" + testKey,
			aud: "http://localhost:8080/client/hubs/hub1", baseURL: "ws://localhost:8080/client/hubs/hub1", lifetime: time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewServiceClientFromConnectionString(tc.conn, "hub1", nil)
			require.NoError(t, err)
			c.now = func() time.Time { return fixed }
			tok, err := c.GetClientAccessToken(context.Background(), tc.opts)
			require.NoError(t, err)

			assert.Equal(t, tc.baseURL, tok.BaseURL)
			assert.Equal(t, tc.baseURL+"?access_token="+url.QueryEscape(tok.Token), tok.URL)
			u, err := url.Parse(tok.URL)
			require.NoError(t, err)
			assert.Equal(t, tok.Token, u.Query().Get("access_token"))

			claims, err := auth.Verify(tok.Token, []string{testKey}, []string{tc.aud}, 0)
			require.NoError(t, err)
			assert.Equal(t, fixed.Unix(), claims.IssuedAt)
			assert.Equal(t, fixed.Add(tc.lifetime).Unix(), claims.ExpiresAt)
			assert.Equal(t, tc.want.Subject, claims.Subject)
			assert.Equal(t, tc.want.Roles, claims.Roles)
			assert.Equal(t, tc.want.Groups, claims.Groups)

			header, _, _ := strings.Cut(tok.Token, ".")
			assert.Equal(t, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", header, `{"alg":"HS256","typ":"JWT"}`)
		})
	}
}

func TestClientAccessTokenIsCurrent(t *testing.T) {
	c, err := NewServiceClientWithKey("https://contoso.webpubsub.azure.com", azcore.NewKeyCredential(testKey), "hub1", nil)
	require.NoError(t, err)
	tok, err := c.GetClientAccessToken(context.Background(), &ServiceClientGetClientAccessTokenOptions{ExpiresAfter: 90 * time.Second})
	require.NoError(t, err)
	claims, err := auth.Verify(tok.Token, []string{testKey}, []string{"https://contoso.webpubsub.azure.com/client/hubs/hub1"}, 0)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), time.Unix(claims.IssuedAt, 0), 2*time.Second)
	assert.WithinDuration(t, time.Now().Add(90*time.Second), time.Unix(claims.ExpiresAt, 0), 2*time.Second)
}

func TestClientAccessTokenFromService(t *testing.T) {
	cases := []struct {
		name  string
		opts  *ServiceClientGetClientAccessTokenOptions
		query url.Values
	}{
		{name: "defaults", query: url.Values{"minutesToExpire": {"60"}, "clientType": {"Default"}}},
		{name: "spec example", opts: &ServiceClientGetClientAccessTokenOptions{UserID: "user1", ExpiresAfter: 5 * time.Minute, Protocol: ClientProtocolMQTT},
			query: url.Values{"userId": {"user1"}, "minutesToExpire": {"5"}, "clientType": {"MQTT"}}},
		{name: "roles groups rounding", opts: &ServiceClientGetClientAccessTokenOptions{Roles: []string{"r1", "r2"}, Groups: []string{"g1", "g2"},
			ExpiresAfter: 61 * time.Second, Protocol: ClientProtocolSocketIO},
			query: url.Values{"role": {"r1", "r2"}, "group": {"g1", "g2"}, "minutesToExpire": {"2"}, "clientType": {"SocketIO"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTLSTestServer(t, reply{status: 200, body: `{"token":"ABCDEFG.ABC.ABC"}`, header: map[string]string{"Content-Type": "application/json"}})
			c, err := NewServiceClient(ts.URL(), &fakeTokenCredential{token: "entra"}, "hub1", ts.testOptions())
			require.NoError(t, err)
			tok, err := c.GetClientAccessToken(context.Background(), tc.opts)
			require.NoError(t, err)
			assert.Equal(t, "ABCDEFG.ABC.ABC", tok.Token)
			wantBase := "wss://" + strings.TrimPrefix(ts.URL(), "https://")
			path := "/client/hubs/hub1"
			if tc.opts != nil && tc.opts.Protocol == ClientProtocolMQTT {
				path = "/clients/mqtt/hubs/hub1"
			} else if tc.opts != nil && tc.opts.Protocol == ClientProtocolSocketIO {
				path = "/clients/socketio/hubs/hub1"
			}
			assert.Equal(t, wantBase+path, tok.BaseURL)
			assert.Equal(t, tok.BaseURL+"?access_token=ABCDEFG.ABC.ABC", tok.URL)

			r := ts.only()
			assert.Equal(t, "POST", r.Method)
			assert.Equal(t, "/api/hubs/hub1/:generateToken", r.EscapedPath)
			want := url.Values{"api-version": {"2024-12-01"}}
			for k, v := range tc.query {
				want[k] = v
			}
			assert.Equal(t, map[string][]string(want), r.Query)
			assert.Equal(t, "Bearer entra", r.Auth)
			assert.Empty(t, r.Body)
		})
	}
}

func TestClientAccessTokenServiceErrors(t *testing.T) {
	ts := newTLSTestServer(t, reply{status: 200, body: `{}`})
	c, err := NewServiceClient(ts.URL(), &fakeTokenCredential{token: "entra"}, "hub1", ts.testOptions())
	require.NoError(t, err)
	_, err = c.GetClientAccessToken(context.Background(), nil)
	require.ErrorContains(t, err, "empty token")

	ts2 := newTLSTestServer(t, reply{status: 403, header: map[string]string{"x-ms-error-code": "Forbidden"}})
	c, err = NewServiceClient(ts2.URL(), &fakeTokenCredential{token: "entra"}, "hub1", ts2.testOptions())
	require.NoError(t, err)
	_, err = c.GetClientAccessToken(context.Background(), nil)
	var re *azcore.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "Forbidden", re.ErrorCode)
}

func TestQueryEscapeToken(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.abc-_XYZ09"
	assert.Equal(t, jwt, queryEscapeToken(jwt))
	for _, tok := range []string{"a+b/c=", "a b&c", "é", "a%b"} {
		assert.Equal(t, url.QueryEscape(tok), queryEscapeToken(tok))
		v, err := url.ParseQuery("access_token=" + queryEscapeToken(tok))
		require.NoError(t, err)
		assert.Equal(t, tok, v.Get("access_token"))
	}
}
