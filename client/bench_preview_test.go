package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// The invoke and group stream benchmarks run against the in-process
// emulator without an upstream, so they measure the protocol round trip, not
// an event handler. Their baselines are BenchmarkSendEventAck and
// BenchmarkSendToGroupAck.

var benchPayload = client.Text("benchmark message of moderate size, about sixty-four bytes.")

// BenchmarkSendEventAck measures acknowledged SendEvent calls, one at a time
// (the baseline of BenchmarkInvokeEvent).
func BenchmarkSendEventAck(b *testing.B) {
	v := newEnv(b, emulator.Options{})
	c := startClient(b, v.url(b, "u"), benchOptions())
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := c.SendEvent(ctx, "bench", benchPayload, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
}

// BenchmarkInvokeEvent measures InvokeEvent round trips, one at a time.
func BenchmarkInvokeEvent(b *testing.B) {
	v := newEnv(b, emulator.Options{})
	c := startClient(b, v.url(b, "u"), benchOptions())
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := c.InvokeEvent(ctx, "bench", benchPayload, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
}

// BenchmarkGroupStreamFragments measures fragments written to a group
// stream and read by one receiver (the baseline is BenchmarkSendToGroupAck:
// the same payload, one acked sendToGroup at a time, one receiver). The
// clock stops when the receiver has read the last fragment. The writer keeps
// at most 256 fragments ahead of the reader: without such a window a sender
// outruns a reliable receiver, whose unacknowledged messages the service
// bounds (1,000) by closing it.
func BenchmarkGroupStreamFragments(b *testing.B) {
	v := newEnv(b, emulator.Options{})
	recv := startClient(b, v.url(b, "receiver", allRoles...), benchOptions())
	sub := recv.SubscribeGroupStreams(nil)
	b.Cleanup(sub.Close)
	ctx := context.Background()
	_, err := recv.JoinGroup(ctx, "bench", nil)
	require.NoError(b, err)
	send := startClient(b, v.url(b, "sender", allRoles...), benchOptions())
	w, err := send.OpenGroupStream(ctx, "bench", nil)
	require.NoError(b, err)
	read := make(chan int, 1)
	var readErr error
	const window = 256
	credits := make(chan struct{}, window)
	for i := 0; i < window; i++ {
		credits <- struct{}{}
	}
	go func() {
		s, err := sub.Next(ctx)
		if err != nil {
			read <- -1
			return
		}
		n := 0
		for _, err := range s.Fragments(ctx) {
			if err != nil {
				readErr = err
				break
			}
			n++
			select {
			case credits <- struct{}{}:
			default:
			}
			if n == b.N {
				break
			}
		}
		read <- n
	}()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		select {
		case <-credits:
		case n := <-read:
			b.Fatalf("the receiver stopped after %d fragments: %v", n, readErr)
		}
		if err := w.Write(ctx, benchPayload); err != nil {
			b.Fatal(err)
		}
	}
	n := <-read
	elapsed := time.Since(start)
	b.StopTimer()
	if n != b.N {
		b.Fatalf("the receiver read %d of %d fragments: %v", n, b.N, readErr)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "fragments/s")
	require.NoError(b, w.End(ctx))
}
