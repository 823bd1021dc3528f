package client_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// benchOptions are the defaults with short retry delays, so that a drop
// costs the recovery itself and not a 1 s wait.
func benchOptions() *client.Options {
	return &client.Options{
		MessageRetry:   client.RetryOptions{MaxRetries: 100, Delay: time.Millisecond},
		ReconnectRetry: client.RetryOptions{Delay: time.Millisecond},
	}
}

// benchGroup starts a sender and a receiver joined to group "bench".
func benchGroup(b *testing.B) (*client.Client, *sync.WaitGroup) {
	v := newEnv(b, emulator.Options{})
	var received sync.WaitGroup
	o := benchOptions()
	o.OnGroupMessage = func(context.Context, client.GroupMessage) { received.Done() }
	recv := startClient(b, v.url(b, "receiver", allRoles...), o)
	send := startClient(b, v.url(b, "sender", allRoles...), benchOptions())
	_, err := recv.JoinGroup(context.Background(), "bench", nil)
	require.NoError(b, err)
	return send, &received
}

// BenchmarkSendToGroupAck measures acknowledged sendToGroup calls, one at a
// time, each delivered to one receiver.
func BenchmarkSendToGroupAck(b *testing.B) {
	send, received := benchGroup(b)
	ctx := context.Background()
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

// BenchmarkSendToGroupAckParallel measures acknowledged sendToGroup calls
// from 8 goroutines sharing one client.
func BenchmarkSendToGroupAckParallel(b *testing.B) {
	send, received := benchGroup(b)
	ctx := context.Background()
	data := client.Text("benchmark message of moderate size, about sixty-four bytes.")
	received.Add(b.N)
	b.ReportAllocs()
	b.SetParallelism(4) // 4 x GOMAXPROCS goroutines
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := send.SendToGroup(ctx, "bench", data, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	received.Wait()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

// BenchmarkRecoveryAfterDrop measures the time from an abrupt drop of a
// reliable connection until an acknowledged event succeeds on the recovered
// connection. It reports the median and 99th percentile.
func BenchmarkRecoveryAfterDrop(b *testing.B) {
	v := newEnv(b, emulator.Options{})
	c := startClient(b, v.url(b, "u"), benchOptions())
	ctx := context.Background()
	id := c.ConnectionID()
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for c.State() != client.StateConnected {
			time.Sleep(100 * time.Microsecond)
		}
		start := time.Now()
		if !v.e.DropConnection(v.hub, id) {
			b.Fatal("no live connection to drop")
		}
		if _, err := c.SendEvent(ctx, "probe", client.Text("x"), nil); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	if c.ConnectionID() != id {
		b.Fatal("the connection was replaced instead of recovered")
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[(len(times)*99)/100].Microseconds())/1000, "p99-ms")
}

// dropThenSend drops c's connection and times how long acked sends started
// right after the drop by senders goroutines take, from the drop until each
// is acknowledged.
func dropThenSend(b *testing.B, v *env, c *client.Client, id string, senders int) []time.Duration {
	for c.State() != client.StateConnected {
		time.Sleep(100 * time.Microsecond)
	}
	start := time.Now()
	if !v.e.DropConnection(v.hub, id) {
		b.Fatal("no live connection to drop")
	}
	times := make([]time.Duration, senders)
	var wg sync.WaitGroup
	for g := 0; g < senders; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.SendToGroup(context.Background(), "bench", client.Text("after drop"), nil); err != nil {
				b.Error(err)
			}
			times[g] = time.Since(start)
		}()
	}
	wg.Wait()
	return times
}

// BenchmarkDropThenAckedSendDefaults measures, with the default options (a
// 1 s message retry delay), the time from an abrupt drop of a reliable
// connection until an acknowledged SendToGroup started right after the drop
// is acknowledged; each iteration is one drop. Sub-benchmarks send from 1
// and from 8 goroutines at once. It reports the median and the maximum over
// all sends.
func BenchmarkDropThenAckedSendDefaults(b *testing.B) {
	for _, senders := range []int{1, 8} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			v := newEnv(b, emulator.Options{})
			c := startClient(b, v.url(b, "u", allRoles...), nil)
			id := c.ConnectionID()
			var times []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				times = append(times, dropThenSend(b, v, c, id, senders)...)
			}
			b.StopTimer()
			if c.ConnectionID() != id {
				b.Fatal("the connection was replaced instead of recovered")
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
			b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
		})
	}
}

// BenchmarkSlowHandlerBackPressure replays the scenario of #17 fix 8 with
// the default options: 20,000 acked sends of 4 KiB to a receiver whose
// handler takes 1 ms. It reports the most messages the receiver's handler
// queue held, the peak growth of the process heap (receiver, sender and
// emulator share the process) and how often the receiver's connection was
// closed (the emulator closes a connection with more than 1,000
// unacknowledged messages). Run it with -benchtime 1x.
func BenchmarkSlowHandlerBackPressure(b *testing.B) {
	const n = 20_000
	for i := 0; i < b.N; i++ {
		v := newEnv(b, emulator.Options{})
		var disconnects atomic.Int32
		var measured atomic.Bool
		stopped := make(chan struct{})
		recv := startClient(b, v.url(b, "receiver", allRoles...), &client.Options{
			OnGroupMessage: func(context.Context, client.GroupMessage) {
				if !measured.Load() {
					time.Sleep(time.Millisecond)
				}
			},
			OnDisconnected: func(context.Context, client.DisconnectedEvent) { disconnects.Add(1) },
			OnStopped:      func(context.Context, client.StoppedEvent) { close(stopped) },
		})
		if _, err := recv.JoinGroup(context.Background(), "g", nil); err != nil {
			b.Fatal(err)
		}
		send := startClient(b, v.url(b, "sender", allRoles...), nil)
		data := client.Text(strings.Repeat("x", 4096))
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base, peak := ms.HeapAlloc, ms.HeapAlloc
		for j := 0; j < n; j++ {
			if _, err := send.SendToGroup(context.Background(), "g", data, &client.SendToGroupOptions{NoEcho: true}); err != nil {
				b.Fatal(err)
			}
			if j%500 == 499 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		_, highWater, _ := client.QueueStats(recv)
		lost := disconnects.Load() // before Stop adds its own
		// Let the queued handlers finish at once, so that the dispatcher
		// goroutine has ended when the benchmark does.
		measured.Store(true)
		stopClient(b, recv)
		<-stopped
		b.ReportMetric(float64(highWater), "peak-queued")
		b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(lost), "disconnects")
	}
}
