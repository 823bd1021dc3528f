package eventhandler

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// FuzzServeHTTP throws arbitrary events at a handler: it must never panic,
// must answer with a known status and must never run a callback for an event
// whose signature does not match.
func FuzzServeHTTP(f *testing.F) {
	sig := protocol.Signature(testConnID, testKey)
	state := base64.StdEncoding.EncodeToString([]byte(`{"a":1}`))
	f.Add("POST", protocol.EventTypeConnect, testHub, testConnID, sig, "", "application/json", testOrigin, []byte(`{"query":{"a":["b"]}}`))
	f.Add("POST", protocol.EventTypeUserPrefix+"message", testHub, testConnID, sig, state, "text/plain", testOrigin, []byte("hello"))
	f.Add("POST", protocol.EventTypeUserPrefix+"j", testHub, testConnID, sig, state, "application/json", testOrigin, []byte(`{"x":[1,2]}`))
	f.Add("POST", protocol.EventTypeDisconnected, testHub, testConnID, sig, "", "application/json", testOrigin, []byte(`{"reason":"bye"}`))
	f.Add("POST", protocol.EventTypeConnected, "CHAT", testConnID, "sha256=,sha256=zz", "e30=", "", "", []byte{})
	f.Add("OPTIONS", "", "", "", "", "", "", testOrigin, []byte{})
	f.Add("PUT", "x", "y", "z", "sha256", "!!", "a/b;c", "evil", []byte{0xff})

	var checked bool
	h, err := New(testHub, &Options{
		AccessKeys:       []string{testKey},
		AllowedEndpoints: []string{testOrigin},
		MaxBodyBytes:     256,
		OnConnect: func(_ context.Context, req *ConnectRequest, resp *ConnectResponse) error {
			checked = true
			resp.UserID = req.Query.Get("a")
			return resp.SetState("n", len(req.Context.State))
		},
		OnUserEvent: func(_ context.Context, req *UserEventRequest, resp *UserEventResponse) error {
			checked = true
			resp.SetBinary(req.Data)
			return nil
		},
		OnConnected:    func(context.Context, *ConnectedRequest) { checked = true },
		OnDisconnected: func(context.Context, *DisconnectedRequest) { checked = true },
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, ceType, hub, connID, signature, state, contentType, origin string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1"+testPath, bytes.NewReader(body))
		req.Method = method
		for k, v := range map[string]string{
			protocol.HeaderType:            ceType,
			protocol.HeaderHub:             hub,
			protocol.HeaderConnectionID:    connID,
			protocol.HeaderSignature:       signature,
			protocol.HeaderConnectionState: state,
			"Content-Type":                 contentType,
			protocol.HeaderRequestOrigin:   origin,
		} {
			req.Header.Set(k, v)
		}
		checked = false
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 204, 400, 401, 403, 405, 413, 415:
		default:
			t.Fatalf("unexpected status %d: %s", rec.Code, rec.Body)
		}
		if checked && !protocol.VerifySignature(signature, connID, testKey) {
			t.Fatalf("a callback ran for an event with a bad signature")
		}
		if method == http.MethodPost && rec.Code < 300 && !checked {
			t.Fatalf("event accepted with %d but no callback ran", rec.Code)
		}
	})
}

// FuzzDecodeState checks that any ce-connectionState value either decodes to
// an object that re-encodes and decodes to the same keys, or is refused.
func FuzzDecodeState(f *testing.F) {
	for _, s := range []string{"", "e30=", base64.StdEncoding.EncodeToString([]byte(`{"a":{"b":[1,"x",null]}}`)), "bnVsbA==", "%%", "W10="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		m, err := decodeState(header)
		if err != nil {
			return
		}
		enc, err := encodeState(m)
		if err != nil {
			t.Fatalf("decoded state does not re-encode: %v", err)
		}
		again, err := decodeState(enc)
		if err != nil || len(again) != len(m) {
			t.Fatalf("re-encoded state does not decode to the same keys: %v", err)
		}
		_ = stateValues(m)
	})
}

// FuzzDecodeBase64Lenient checks that every canonical spelling of any
// bytes (standard or URL-safe alphabet, padded or not, wrapped in white
// space) decodes to those bytes, as Node decodes them, and that garbage
// never panics.
func FuzzDecodeBase64Lenient(f *testing.F) {
	for _, s := range []string{"", "a", "ab", "abc", "\x00\xff\xfe", `{"a":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = decodeBase64Lenient(string(b))
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			s := enc.EncodeToString(b)
			if got := decodeBase64Lenient(s); !bytes.Equal(got, b) {
				t.Fatalf("%q decodes to %x, want %x", s, got, b)
			}
			if len(s) > 4 {
				wrapped := s[:4] + "\r\n " + s[4:]
				if got := decodeBase64Lenient(wrapped); !bytes.Equal(got, b) {
					t.Fatalf("%q decodes to %x, want %x", wrapped, got, b)
				}
			}
		}
	})
}
