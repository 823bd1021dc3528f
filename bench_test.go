package webpubsub

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// benchTokenOptions is a typical token request: a user, two roles, a group.
var benchTokenOptions = &ServiceClientGetClientAccessTokenOptions{
	UserID: "user-0123456789",
	Roles:  []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.room1"},
	Groups: []string{"room1"},
}

func benchKeyClient(b *testing.B, endpoint string, transport policy.Transporter) *ServiceClient {
	b.Helper()
	c, err := NewServiceClientWithKey(endpoint, azcore.NewKeyCredential(testKey), "hub1",
		&ClientOptions{ClientOptions: policy.ClientOptions{Transport: transport}})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkClientAccessToken signs a client access token locally.
func BenchmarkClientAccessToken(b *testing.B) {
	c := benchKeyClient(b, "https://contoso.webpubsub.azure.com", nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetClientAccessToken(ctx, benchTokenOptions); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientAccessTokenBaseline is the floor of any HS256 token: the
// base64url encoding of as many bytes as the token's claims plus the
// HMAC-SHA256 of as many bytes as its signing input, and the base64url of the
// MAC.
func BenchmarkClientAccessTokenBaseline(b *testing.B) {
	c := benchKeyClient(b, "https://contoso.webpubsub.azure.com", nil)
	tok, err := c.GetClientAccessToken(context.Background(), benchTokenOptions)
	if err != nil {
		b.Fatal(err)
	}
	parts := strings.Split(tok.Token, ".")
	claimsLen := base64.RawURLEncoding.DecodedLen(len(parts[1]))
	signingInput := make([]byte, len(parts[0])+1+len(parts[1]))
	claims := make([]byte, claimsLen)
	key := []byte(testKey)
	b.ReportAllocs()
	for b.Loop() {
		enc := base64.RawURLEncoding.EncodeToString(claims)
		h := hmac.New(sha256.New, key)
		h.Write(signingInput)
		sig := base64.RawURLEncoding.EncodeToString(h.Sum(nil))
		if len(enc)+len(sig) == 0 {
			b.Fatal("empty")
		}
	}
}

// benchSendServer answers every request with 202 after reading the body.
func benchSendServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	b.Cleanup(srv.Close)
	return srv
}

var benchBody = bytes.Repeat([]byte("0123456789abcdef"), 64) // 1 KiB

// BenchmarkSendToAll sends a 1 KiB text message through the client (azcore
// pipeline, JWT signing, retry/log/trace policies) to a local server.
func BenchmarkSendToAll(b *testing.B) {
	srv := benchSendServer(b)
	c := benchKeyClient(b, srv.URL, srv.Client())
	ctx := context.Background()
	msg := TextMessage(string(benchBody))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.SendToAll(ctx, msg, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendToAllBaseline posts the same body to the same server and URL
// with a bare net/http client (same transport, no auth header).
func BenchmarkSendToAllBaseline(b *testing.B) {
	srv := benchSendServer(b)
	client := srv.Client()
	url := srv.URL + "/api/hubs/hub1/:send?api-version=2024-12-01"
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(benchBody))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "text/plain")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			b.Fatal(resp.Status)
		}
	}
}
