package trace_test

import (
	"context"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// BenchmarkRecord is the cost of recording one message event (redaction,
// ring, connection table, one subscriber).
func BenchmarkRecord(b *testing.B) {
	r := trace.New(trace.Options{Secrets: []string{"c2VjcmV0LWFjY2Vzcy1rZXktMTIzNDU2Nzg5MA=="}})
	sub, _ := r.Subscribe(0)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-sub.Updates():
			case <-sub.Done():
				return
			}
		}
	}()
	defer func() { sub.Close(); <-stopped }()
	preview := r.Preview([]byte(strings.Repeat("hello world ", 20)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r.Record(trace.Event{Kind: trace.KindMessage, Hub: "chat", Source: "rest", Target: "group lobby",
			Size: 240, ContentType: "text/plain", Preview: preview, RecipientCount: 100})
	}
}

// BenchmarkBroadcastTrace measures a REST broadcast to 100 JSON clients,
// waiting until every client has it, with the live trace on (the default)
// and off: the ratio is what the trace costs the emulator.
func BenchmarkBroadcastTrace(b *testing.B) {
	const clients = 100
	for _, tc := range []struct {
		name   string
		events int
	}{{"on", 0}, {"off", -1}} {
		b.Run(tc.name, func(b *testing.B) {
			e := emulatortest.New(b, &emulator.Options{TraceEvents: tc.events})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			recv := make(chan struct{}, clients)
			done := make(chan struct{}, clients)
			for i := 0; i < clients; i++ {
				ws, _, err := websocket.Dial(ctx, clientURL(b, e, "bench", "", nil, nil), &websocket.DialOptions{Subprotocols: []string{protocol.JSON}})
				require.NoError(b, err)
				defer ws.CloseNow()
				_, _, err = ws.Read(ctx) // connected
				require.NoError(b, err)
				go func() {
					defer func() { done <- struct{}{} }()
					for {
						if _, _, err := ws.Read(ctx); err != nil {
							return
						}
						recv <- struct{}{}
					}
				}()
			}
			svc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "bench", nil)
			require.NoError(b, err)
			msg := webpubsub.TextMessage(strings.Repeat("x", 64))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := svc.SendToAll(ctx, msg, nil); err != nil {
					b.Fatal(err)
				}
				for j := 0; j < clients; j++ {
					<-recv
				}
			}
			b.StopTimer()
			cancel()
			for i := 0; i < clients; i++ {
				<-done
			}
		})
	}
}
