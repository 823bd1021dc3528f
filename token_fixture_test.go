package webpubsub

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// updateTokenFixtures rewrites testdata/client_tokens.json from the current
// code. The committed file was produced by the token code of v0.2.0, before
// minting was reworked: tokens must stay byte-identical to it.
var updateTokenFixtures = flag.Bool("update-token-fixtures", false, "rewrite testdata/client_tokens.json")

// tokenFixture is one GetClientAccessToken call and what it returned. The
// inputs stay in code (tokenFixtureInputs): JSON cannot hold the invalid
// UTF-8 of one of them; the file holds the name and the results.
type tokenFixture struct {
	Name             string         `json:"name"`
	ConnectionString string         `json:"-"`
	Hub              string         `json:"-"`
	Now              int64          `json:"-"`
	UserID           string         `json:"-"`
	Roles            []string       `json:"-"`
	Groups           []string       `json:"-"`
	ExpiresAfter     time.Duration  `json:"-"`
	Protocol         ClientProtocol `json:"-"`
	Token            string         `json:"token"`
	URL              string         `json:"url"`
	ExpiresOn        int64          `json:"expiresOnUnix"`
}

// tokenFixtureInputs are the inputs of the fixtures: the usual shapes and
// the strings whose JSON encoding is easy to get wrong (HTML characters,
// escapes, non-ASCII, invalid UTF-8, an empty entry in a list).
func tokenFixtureInputs() []tokenFixture {
	const cs = "Endpoint=https://contoso.webpubsub.azure.com;AccessKey=" + testKey + ";Version=1.0;"
	now := time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC).UnixNano()
	return []tokenFixture{
		{Name: "defaults", ConnectionString: cs, Hub: "hub1", Now: now},
		{Name: "typical", ConnectionString: cs, Hub: "hub1", Now: now, UserID: "user-0123456789",
			Roles: []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.room1"}, Groups: []string{"room1"}},
		{Name: "lifetime", ConnectionString: cs, Hub: "Hub_2", Now: now, UserID: "u", ExpiresAfter: 90*time.Second + 500*time.Millisecond},
		{Name: "long lifetime", ConnectionString: cs, Hub: "hub1", Now: now, ExpiresAfter: 24 * 365 * time.Hour},
		{Name: "mqtt", ConnectionString: cs, Hub: "hub1", Now: now, Protocol: ClientProtocolMQTT, UserID: "device-1"},
		{Name: "socketio", ConnectionString: cs, Hub: "hub1", Now: now, Protocol: ClientProtocolSocketIO, Roles: []string{"r"}},
		{Name: "default protocol named", ConnectionString: cs, Hub: "hub1", Now: now, Protocol: ClientProtocolDefault},
		{Name: "http endpoint with port", ConnectionString: "Endpoint=http://localhost;Port=8080;AccessKey=" + testKey, Hub: "h", Now: now, UserID: "local"},
		{Name: "html and escapes", ConnectionString: cs, Hub: "hub1", Now: now,
			UserID: `<script>&"quote"\back` + "\t\n\x01\x7f", Roles: []string{"a<b", "c>d", "e&f"}, Groups: []string{"g&1", "g<2>"}},
		{Name: "non-ASCII", ConnectionString: cs, Hub: "hub1", Now: now, UserID: "Zoë 用户 🚀 \u2028\u2029", Groups: []string{"grüppe"}},
		{Name: "invalid UTF-8", ConnectionString: cs, Hub: "hub1", Now: now, UserID: "bad\xff\xfeutf8", Roles: []string{"r\xc3"}},
		{Name: "empty and many groups", ConnectionString: cs, Hub: "hub1", Now: now, Roles: []string{}, Groups: []string{"a", "b", "c", "d", "e", "f", "g", "h"}},
		{Name: "other key", ConnectionString: "Endpoint=https://x.webpubsub.azure.com;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", Hub: "hub1", Now: now, UserID: "k"},
	}
}

// mintFixture calls GetClientAccessToken with the inputs of f and returns f
// with the results filled in.
func mintFixture(t *testing.T, f tokenFixture) tokenFixture {
	t.Helper()
	c, err := NewServiceClientFromConnectionString(f.ConnectionString, f.Hub, nil)
	require.NoError(t, err)
	c.now = func() time.Time { return time.Unix(0, f.Now) }
	tok, err := c.GetClientAccessToken(context.Background(), &ServiceClientGetClientAccessTokenOptions{
		UserID: f.UserID, Roles: f.Roles, Groups: f.Groups, ExpiresAfter: f.ExpiresAfter, Protocol: f.Protocol,
	})
	require.NoError(t, err)
	f.Token, f.URL, f.ExpiresOn = tok.Token, tok.URL, tok.ExpiresOn.Unix()
	return f
}

// Tokens minted today are byte-identical to those of the v0.2.0 code for
// the same inputs (testdata/client_tokens.json was written by that code).
func TestClientAccessTokensMatchFixtures(t *testing.T) {
	path := filepath.Join("testdata", "client_tokens.json")
	if *updateTokenFixtures {
		var out []tokenFixture
		for _, f := range tokenFixtureInputs() {
			out = append(out, mintFixture(t, f))
		}
		b, err := json.MarshalIndent(out, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, append(b, '\n'), 0o644))
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var want []tokenFixture
	require.NoError(t, json.Unmarshal(b, &want))
	inputs := tokenFixtureInputs()
	require.Len(t, want, len(inputs), "one fixture per input")
	for i, w := range want {
		t.Run(w.Name, func(t *testing.T) {
			require.Equal(t, inputs[i].Name, w.Name)
			got := mintFixture(t, inputs[i])
			assert.Equal(t, w.Token, got.Token)
			assert.Equal(t, w.URL, got.URL)
			assert.Equal(t, w.ExpiresOn, got.ExpiresOn)
		})
	}
}
