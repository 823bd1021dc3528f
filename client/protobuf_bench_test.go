package client_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// BenchmarkSendToGroupAckProtobuf is BenchmarkSendToGroupAck over the
// reliable protobuf subprotocol: one acknowledged sendToGroup at a time, each
// delivered to one receiver, both clients speaking protobuf.
func BenchmarkSendToGroupAckProtobuf(b *testing.B) {
	v := newEnv(b, emulator.Options{})
	var received sync.WaitGroup
	o := benchOptions()
	o.Protocol = client.ProtocolProtobufReliable
	o.OnGroupMessage = func(context.Context, client.GroupMessage) { received.Done() }
	recv := startClient(b, v.url(b, "receiver", allRoles...), o)
	so := benchOptions()
	so.Protocol = client.ProtocolProtobufReliable
	send := startClient(b, v.url(b, "sender", allRoles...), so)
	ctx := context.Background()
	_, err := recv.JoinGroup(ctx, "bench", nil)
	require.NoError(b, err)
	data := client.Text("benchmark message of moderate size, about sixty-four bytes.")
	received.Add(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := send.SendToGroup(ctx, "bench", data, nil); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	received.Wait()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}
