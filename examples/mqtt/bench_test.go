package main

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// BenchmarkFanout measures messages per second from one MQTT publisher to
// 100 subscribers (deliveries/s), through the emulator and, when
// MQTT_BENCH_MOSQUITTO is a Mosquitto WebSocket URL, through Mosquitto
// with the same Paho clients, interleaved. It is run by hand; see
// scripts/mqtt-bench.sh and BENCHMARKS.md.
func BenchmarkFanout(b *testing.B) {
	type target struct {
		name string
		urls func(b *testing.B) func(id string) string
	}
	targets := []target{{"emulator", emulatorURLs}}
	if u := os.Getenv("MQTT_BENCH_MOSQUITTO"); u != "" {
		targets = append(targets, target{"mosquitto", func(*testing.B) func(string) string { return func(string) string { return u } }})
	}
	for _, qos := range []byte{0, 1} {
		for _, tg := range targets {
			b.Run(fmt.Sprintf("qos%d/%s", qos, tg.name), func(b *testing.B) { fanout(b, tg.urls(b), qos) })
		}
	}
}

// emulatorURLs starts an emulator for the benchmark and returns the MQTT
// URL of each client id (a token minted by the service SDK).
func emulatorURLs(b *testing.B) func(string) string {
	var opts emulator.Options
	if os.Getenv("XTRACEOFF") != "" {
		opts.TraceEvents = -1
	}
	emu, err := emulator.New(&opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = emu.Close() })
	sc, err := webpubsub.NewServiceClientFromConnectionString(emu.ConnectionString(), "bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := sc.GetClientAccessToken(context.Background(), &webpubsub.ServiceClientGetClientAccessTokenOptions{
		Roles: []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"}, Protocol: webpubsub.ClientProtocolMQTT,
	})
	if err != nil {
		b.Fatal(err)
	}
	return func(string) string { return tok.URL }
}

// fanout connects 100 subscribers at qos and one publisher, publishes b.N
// 16-byte messages at QoS 1 (at most 100 unacknowledged, and at most
// maxLag messages ahead of the slowest subscriber: Mosquitto drops, and the
// emulator disconnects, a subscriber 1,000 messages behind) and waits until
// every subscriber has every message.
func fanout(b *testing.B, urlFor func(id string) string, qos byte) {
	const subscribers, maxLag = 100, 200
	var got atomic.Int64
	counts := make([]atomic.Int64, subscribers)
	done := make(chan struct{})
	want := int64(subscribers * b.N)
	for i := range subscribers {
		handler := func(paho.Client, paho.Message) {
			counts[i].Add(1)
			if got.Add(1) == want {
				close(done)
			}
		}
		c := connectBench(b, urlFor, fmt.Sprintf("sub%d", i))
		if t := c.Subscribe("bench", qos, handler); !t.WaitTimeout(10*time.Second) || t.Error() != nil {
			b.Fatalf("subscribe: %v", t.Error())
		}
	}
	pub := connectBench(b, urlFor, "pub")
	payload := []byte("0123456789abcdef")
	b.ResetTimer()
	start := time.Now()
	var inflight []paho.Token
	for i := range b.N {
		for i%10 == 0 && slowest(counts) < int64(i-maxLag) {
			time.Sleep(50 * time.Microsecond)
		}
		inflight = append(inflight, pub.Publish("bench", 1, false, payload))
		if len(inflight) == 100 {
			waitAll(b, inflight)
			inflight = inflight[:0]
		}
	}
	waitAll(b, inflight)
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		b.Fatalf("%d of %d deliveries; %d connections lost", got.Load(), want, lost.Load())
	}
	b.StopTimer()
	b.ReportMetric(float64(want)/time.Since(start).Seconds(), "deliveries/s")
}

// slowest returns the fewest messages a subscriber received.
func slowest(counts []atomic.Int64) int64 {
	low := counts[0].Load()
	for i := range counts {
		low = min(low, counts[i].Load())
	}
	return low
}

// lost counts the connections the benchmark's clients lost.
var lost atomic.Int64

func connectBench(b *testing.B, urlFor func(string) string, id string) paho.Client {
	opts := paho.NewClientOptions().AddBroker(urlFor(id)).SetClientID(id).SetProtocolVersion(4).
		SetAutoReconnect(false).SetCleanSession(true).
		SetConnectionLostHandler(func(paho.Client, error) { lost.Add(1) })
	c := paho.NewClient(opts)
	if t := c.Connect(); !t.WaitTimeout(10*time.Second) || t.Error() != nil {
		b.Fatalf("connect %s: %v", id, t.Error())
	}
	b.Cleanup(func() { c.Disconnect(0) })
	return c
}

func waitAll(b *testing.B, ts []paho.Token) {
	for _, t := range ts {
		if !t.WaitTimeout(time.Minute) || t.Error() != nil {
			b.Fatalf("publish: %v", t.Error())
		}
	}
}
