package eventhandler

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// BenchmarkServeUserEvent measures the handler alone (no network): signature
// check, state decode, callback, state encode and the answer.
func BenchmarkServeUserEvent(b *testing.B) {
	h, err := New(testHub, &Options{
		AccessKeys: []string{testKey},
		OnUserEvent: func(_ context.Context, req *UserEventRequest, resp *UserEventResponse) error {
			resp.SetText("ok")
			n, _ := req.Context.State["n"].(float64)
			return resp.SetState("n", n+1)
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`hello world`)
	hdr := http.Header{}
	hdr.Set(protocol.HeaderType, protocol.EventTypeUserPrefix+"message")
	hdr.Set(protocol.HeaderHub, testHub)
	hdr.Set(protocol.HeaderConnectionID, testConnID)
	hdr.Set(protocol.HeaderSignature, protocol.Signature(testConnID, testKey))
	hdr.Set(protocol.HeaderConnectionState, "eyJuIjoxfQ==")
	hdr.Set("Content-Type", "text/plain")
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", bytes.NewReader(body))
		req.Header = hdr
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
