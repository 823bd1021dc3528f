package emulatortest_test

import (
	"context"
	"testing"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
)

// alice is the token every benchmark client gets.
var alice = &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "alice"}

// BenchmarkStartStop measures what a test pays for an emulator of its own:
// New and the test's cleanup (a fake TB runs it at the end of every
// iteration), against a bare emulator.New and Close (baseline) in the same
// run.
func BenchmarkStartStop(b *testing.B) {
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e, err := emulator.New(nil)
			if err != nil {
				b.Fatal(err)
			}
			if err := e.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("emulatortest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ft := &fakeTB{}
			emulatortest.New(ft, nil)
			ft.finish()
			if msgs := append(ft.fatalMessages(), ft.errorMessages()...); len(msgs) > 0 {
				b.Fatal(msgs)
			}
		}
	})
}

// BenchmarkStartConnectStop adds one connected Go client to
// BenchmarkStartStop: with emulatortest, New, NewClient and the cleanup
// (which stops the client, then the emulator); the baseline does the same
// with emulator.New, the service SDK's token, client.New, Start, Stop and
// Close directly.
func BenchmarkStartConnectStop(b *testing.B) {
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		ctx := context.Background()
		for b.Loop() {
			e, err := emulator.New(nil)
			if err != nil {
				b.Fatal(err)
			}
			sc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "chat", nil)
			if err != nil {
				b.Fatal(err)
			}
			tok, err := sc.GetClientAccessToken(ctx, alice)
			if err != nil {
				b.Fatal(err)
			}
			c, err := client.New(tok.URL, nil)
			if err != nil {
				b.Fatal(err)
			}
			if err := c.Start(ctx); err != nil {
				b.Fatal(err)
			}
			if err := c.Stop(ctx); err != nil {
				b.Fatal(err)
			}
			if err := e.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("emulatortest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ft := &fakeTB{}
			emulatortest.New(ft, nil).NewClient("chat", alice, nil)
			ft.finish()
			if msgs := append(ft.fatalMessages(), ft.errorMessages()...); len(msgs) > 0 {
				b.Fatal(msgs)
			}
		}
	})
}
