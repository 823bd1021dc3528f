package auth

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAudienceClient(t *testing.T) {
	a := NewAudience([]string{"http://127.0.0.1:8080", "localhost:8080", "https://emulator.example"}, []string{"/client/hubs/chat"}, nil)
	tests := []struct {
		aud  string
		want bool
	}{
		{"http://127.0.0.1:8080/client/hubs/chat", true},
		{"https://127.0.0.1:8080/client/hubs/chat", true},
		{"ws://127.0.0.1:8080/client/hubs/chat", true},
		{"wss://127.0.0.1:8080/client/hubs/chat", true},
		{"WSS://127.0.0.1:8080/client/hubs/chat", true},
		{"http://127.0.0.1:8080/client/hubs/chat/", true},
		{"http://LOCALHOST:8080/client/hubs/chat", true},
		{"http://localhost:8080/Client/Hubs/CHAT", true},
		{"wss://emulator.example/client/hubs/chat", true},
		{"wss://emulator.example:443/client/hubs/chat", true},
		{"https://emulator.example:443/client/hubs/chat/", true},
		// not ours
		{"http://127.0.0.1:8081/client/hubs/chat", false},
		{"http://127.0.0.1/client/hubs/chat", false},
		{"http://127.0.0.1:80/client/hubs/chat", false},
		{"http://evil.example:8080/client/hubs/chat", false},
		{"ws://emulator.example/client/hubs/chat", true}, // default ports are elided, as .NET's Uri.Authority
		{"ws://emulator.example:443/client/hubs/chat", false},
		{"https://emulator.example:80/client/hubs/chat", false},
		{"http://127.0.0.1:8080@evil.example/client/hubs/chat", false},
		{"http://evil.example@127.0.0.1:8080/client/hubs/chat", false},
		{"ftp://127.0.0.1:8080/client/hubs/chat", false},
		{"127.0.0.1:8080/client/hubs/chat", false},
		{"//127.0.0.1:8080/client/hubs/chat", false},
		// not this resource
		{"http://127.0.0.1:8080/client/hubs/chat2", false},
		{"http://127.0.0.1:8080/client/hubs/chat/child", false},
		{"http://127.0.0.1:8080/client/hubs/cha", false},
		{"http://127.0.0.1:8080/client/hubs/chat//", false},
		{"http://127.0.0.1:8080/client/hubs/chat?x=1", false}, // client tokens carry no query
		{"http://127.0.0.1:8080/client/hubs/chat#f", false},
		{"http://127.0.0.1:8080", false},
		{"", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, a.Match(tt.aud), tt.aud)
	}
}

// TestAudienceREST mirrors Microsoft's emulator test
// RestAudienceMatchesSchemesAndResourceBoundaries, except for "/child".
func TestAudienceREST(t *testing.T) {
	const path = "/api/hubs/chat/groups/group1/connections"
	a := NewAudience([]string{"http://localhost"}, []string{path + "/"}, &AudienceOptions{AllowQuery: true})
	tests := []struct {
		scheme, suffix string
		want           bool
	}{
		{"http://", "", true},
		{"https://", "?maxpagesize=99", true},
		{"ws://", "/", true},
		{"wss://", "", true},
		{"ftp://", "", false},
		{"http://", "Suffix", false},
		{"http://", "%253Fquery", false},
		{"wss://", "/child", false}, // Microsoft's newest test accepts it; see Audience
	}
	for _, tt := range tests {
		aud := tt.scheme + "localhost" + path + tt.suffix
		assert.Equal(t, tt.want, a.Match(aud), aud)
	}
}

func TestAudienceEscaping(t *testing.T) {
	// .NET escapes the hub with Uri.EscapeDataString, the JS SDK does not.
	a := NewAudience([]string{"http://localhost:8080"}, []string{"/client/hubs/a[b]"}, nil)
	assert.True(t, a.Match("http://localhost:8080/client/hubs/a%5Bb%5D"))
	assert.True(t, a.Match("http://localhost:8080/client/hubs/a%5bb%5d"))
	assert.True(t, a.Match("http://localhost:8080/client/hubs/a[b]"))
	assert.False(t, a.Match("http://localhost:8080/client/hubs/a%5Bc%5D"))

	r := NewAudience([]string{"http://localhost:8080"}, []string{"/api/hubs/chat/groups/room%2Fpart/connections"}, &AudienceOptions{AllowQuery: true})
	assert.True(t, r.Match("http://localhost:8080/api/hubs/chat/groups/room%2Fpart/connections"))
	assert.True(t, r.Match("http://localhost:8080/api/hubs/chat/groups/room%2fpart/connections?api-version=2024-12-01"))
	assert.False(t, r.Match("http://localhost:8080/api/hubs/chat/groups/room%252Fpart/connections"))
}

func TestAudienceBases(t *testing.T) {
	tests := []struct {
		base, aud string
		want      bool
	}{
		{"http://[::1]:8080", "ws://[::1]:8080/p", true},
		{"[::1]:8080", "wss://[::1]:8080/p", true},
		{"http://[::1]", "ws://[::1]/p", true},
		{"http://host:8080/ignored/path", "http://host:8080/p", true},
		{"host", "http://host/p", false},             // no port: ignored
		{"ftp://host:21", "http://host:21/p", false}, // not a web scheme: ignored
		{"", "http://host/p", false},
		{"::1", "http://[::1]/p", false},
	}
	for _, tt := range tests {
		a := NewAudience([]string{tt.base}, []string{"/p"}, nil)
		assert.Equal(t, tt.want, a.Match(tt.aud), "base %q aud %q", tt.base, tt.aud)
	}
	assert.False(t, NewAudience(nil, []string{"/p"}, nil).Match("http://host:1/p"), "no bases accept nothing")
	assert.False(t, NewAudience([]string{"http://host:1"}, nil, nil).Match("http://host:1/p"), "no paths accept nothing")
}

// TestVerifyTokenWithAudience: a token signed by a client SDK with a wss
// audience verifies against the emulator's http address.
func TestVerifyTokenWithAudience(t *testing.T) {
	a := NewAudience([]string{"http://127.0.0.1:8080"}, []string{"/client/hubs/chat"}, nil)
	for aud, want := range map[string]error{
		"wss://127.0.0.1:8080/client/hubs/chat":    nil,
		"https://127.0.0.1:8080/client/hubs/chat/": nil,
		"wss://10.0.0.1:8080/client/hubs/chat":     ErrAudience,
	} {
		tok := mustSign(t, key1, &Claims{Audience: aud, ExpiresAt: time.Now().Add(time.Hour).Unix()})
		_, err := VerifyToken(tok, []string{key1}, &VerifyOptions{Audience: a.Match})
		if want == nil {
			require.NoError(t, err, aud)
		} else {
			assert.ErrorIs(t, err, want, aud)
		}
	}
}
