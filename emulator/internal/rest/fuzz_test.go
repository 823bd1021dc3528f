package rest

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/fault"
	"github.com/webpubsub-go/webpubsub/emulator/internal/access"
	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/auth"
)

// FuzzRESTSend sends arbitrary queries, content types and bodies to
// SendToAll: the answer is always 202, 400, 413 or 415, never a panic.
func FuzzRESTSend(f *testing.F) {
	f.Add("messageTtlSeconds=15&filter=startswith(userId,%20'a')", "text/plain", []byte("Message to send"))
	f.Add("excluded=a&excluded=b", "application/json", []byte(`{"x":true}`))
	f.Add("messageTtlSeconds=-1", "application/octet-stream", []byte{0})
	f.Add("filter=%27", "text/plain; charset=utf-8", []byte("x"))
	f.Add("", "application/json", []byte("{"))
	const key, base = "a2V5LWtleS1rZXkta2V5LWtleQ==", "http://127.0.0.1:1"
	k := core.New(core.Config{})
	f.Cleanup(k.Close)
	root := http.NewServeMux()
	New(Config{
		Core:   k,
		Access: access.New(key, base, map[string]bool{"127.0.0.1:1": true}),
		Faults: fault.New(Operations()...),
		Logger: slog.New(slog.DiscardHandler),
	}).Register(root)
	f.Fuzz(func(t *testing.T, query, contentType string, body []byte) {
		if !utf8.ValidString(query) {
			return // a JWT aud claim cannot carry it, so no client can sign for it
		}
		target := "/api/hubs/hub1/:send?api-version=2024-12-01&" + query
		req, err := http.NewRequest(http.MethodPost, base+target, bytes.NewReader(body))
		if err != nil {
			return // not a URL a client could send
		}
		req.RequestURI = target
		tok, err := auth.Sign(key, &auth.Claims{Audience: base + target, ExpiresAt: time.Now().Add(time.Hour).Unix()})
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		root.ServeHTTP(rec, req)
		require.Contains(t, []int{http.StatusAccepted, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType}, rec.Code, rec.Body.String())
	})
}
