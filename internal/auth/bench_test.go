package auth

import (
	"testing"
	"time"
)

func BenchmarkSign(b *testing.B) {
	c := &Claims{
		Roles:     []string{"webpubsub.joinLeaveGroup"},
		Groups:    []string{"g1"},
		IssuedAt:  time.Now().Unix(),
		ExpiresAt: time.Now().Add(time.Hour).Unix(),
		Audience:  "https://example.webpubsub.azure.com/client/hubs/chat",
		Subject:   "user1",
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign("access-key", c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	c := &Claims{ExpiresAt: time.Now().Add(time.Hour).Unix(), Audience: "https://example.webpubsub.azure.com/api/hubs/chat"}
	tok, err := Sign("access-key", c)
	if err != nil {
		b.Fatal(err)
	}
	keys, auds := []string{"access-key"}, []string{c.Audience}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(tok, keys, auds, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyTokenAudience(b *testing.B) {
	c := &Claims{ExpiresAt: time.Now().Add(time.Hour).Unix(), Audience: "wss://127.0.0.1:8080/client/hubs/chat"}
	tok, err := Sign("access-key", c)
	if err != nil {
		b.Fatal(err)
	}
	keys := []string{"access-key"}
	b.ReportAllocs()
	for b.Loop() {
		a := NewAudience([]string{"http://127.0.0.1:8080", "http://localhost:8080"}, []string{"/client/hubs/chat"}, nil)
		if _, err := VerifyToken(tok, keys, &VerifyOptions{Audience: a.Match}); err != nil {
			b.Fatal(err)
		}
	}
}
