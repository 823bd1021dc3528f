package client

import (
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

// maxReasonLen bounds the service's reason text kept from a refused
// handshake (the WebSocket library keeps at most the first 1024 bytes of
// the response body).
const maxReasonLen = 512

// handshakeReason returns the reason text of a refused WebSocket handshake
// (the response body, e.g. "Unauthorized: the access token expired"),
// trimmed, made valid UTF-8, without the URL's secrets and shortened; ""
// when there is none.
func handshakeReason(resp *http.Response, rawURL string) string {
	if resp == nil || resp.Body == nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	s := strings.TrimSpace(strings.ToValidUTF8(string(b), "\uFFFD"))
	for _, secret := range urlSecrets(rawURL) {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, redacted)
		}
	}
	if len(s) > maxReasonLen {
		s = s[:maxReasonLen]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "..."
	}
	return s
}
