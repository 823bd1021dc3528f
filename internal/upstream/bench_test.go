package upstream_test

import (
	"context"
	"testing"

	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// BenchmarkUserEventRoundTrip measures one blocking user event from the
// invoker to an eventhandler over loopback HTTP (keep-alive, handshake
// cached), answer included.
func BenchmarkUserEventRoundTrip(b *testing.B) {
	h, err := eventhandler.New("chat", &eventhandler.Options{
		AccessKeys: []string{testKey},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			resp.SetText("ok")
			return nil
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	srv := newBenchServer(b, h)
	inv, err := upstream.New(upstream.Config{Origin: testOrigin, AccessKeys: []string{testKey}, Handlers: []upstream.Handler{allEvents(srv + "/api/webpubsub/hubs/{hub}")}})
	if err != nil {
		b.Fatal(err)
	}
	defer inv.Close()
	s, _, err := inv.Connect(context.Background(), upstream.ConnectRequest{Hub: "chat", ConnectionID: "c1"})
	if err != nil {
		b.Fatal(err)
	}
	data := protocol.Payload{Type: protocol.DataTypeText, Data: []byte("hello world")}
	b.ReportAllocs()
	for b.Loop() {
		p, err := s.UserEvent(context.Background(), "message", data)
		if err != nil || p == nil {
			b.Fatalf("user event: %v", err)
		}
	}
}
