package emulator_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

const (
	fanOutBatch = 64 // messages in flight before waiting for delivery
	idleConns   = 10000
)

// receivers counts frames received by a set of WebSocket clients.
type receivers struct {
	got   atomic.Int64
	conns []*websocket.Conn
	wg    sync.WaitGroup
}

// listen starts one reader per connection.
func (r *receivers) listen(ctx context.Context) {
	for _, c := range r.conns {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for {
				if _, _, err := c.Read(ctx); err != nil {
					return
				}
				r.got.Add(1)
			}
		}()
	}
}

// waitFor spins until n frames were received in total.
func (r *receivers) waitFor(b *testing.B, n int64) {
	deadline := time.Now().Add(time.Minute)
	for r.got.Load() < n {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d frames delivered", r.got.Load(), n)
		}
		runtime.Gosched()
	}
}

func (r *receivers) close() {
	for _, c := range r.conns {
		c.CloseNow()
	}
	r.wg.Wait()
}

// dialMany opens n WebSocket connections to u.
func dialMany(b *testing.B, u, subprotocol string, n int) []*websocket.Conn {
	conns := make([]*websocket.Conn, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 32)
	for i := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ws, _, err := dialRaw(u, subprotocol)
			if err != nil {
				errs <- err
				return
			}
			conns[i] = ws
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatalf("dial: %v", err)
	}
	return conns
}

// fanOutSizes are the client counts of BenchmarkBroadcastFanOut.
var fanOutSizes = []int{1000, 5000}

// BenchmarkBroadcastFanOut measures SendToAll through the emulator to 1,000
// and 5,000 WebSocket clients (simple WebSocket, JSON and protobuf
// subprotocols), against a baseline raw coder/websocket write loop to the
// same number of clients. The metric is frames delivered per second.
func BenchmarkBroadcastFanOut(b *testing.B) {
	names := map[string]string{"": "emulator/simple", protocol.JSON: "emulator/json", protocol.Protobuf: "emulator/protobuf"}
	for _, n := range fanOutSizes {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			for _, sub := range []string{"", protocol.JSON, protocol.Protobuf} {
				b.Run(names[sub], func(b *testing.B) { benchEmulatorFanOut(b, sub, n) })
			}
			b.Run("baseline/raw-websocket-write-loop", func(b *testing.B) { benchRawFanOut(b, n) })
		})
	}
}

// benchEmulatorFanOut broadcasts through the emulator's REST API to n
// clients of subprotocol sub.
func benchEmulatorFanOut(b *testing.B, sub string, n int) {
	payload := []byte(strings.Repeat("x", 64))
	e := start(b, emulator.Options{})
	svc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "bench", nil)
	require.NoError(b, err)
	r := &receivers{conns: dialMany(b, clientURL(b, e, "bench", auth.Claims{}), sub, n)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.listen(ctx)
	if sub != "" {
		r.waitFor(b, int64(n)) // connected messages
	}
	base := r.got.Load()
	msg := webpubsub.TextMessage(string(payload))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.SendToAll(ctx, msg, nil); err != nil {
			b.Fatal(err)
		}
		if (i+1)%fanOutBatch == 0 {
			r.waitFor(b, base+int64(i+1-fanOutBatch/2)*int64(n))
		}
	}
	r.waitFor(b, base+int64(b.N)*int64(n))
	b.StopTimer()
	b.ReportMetric(float64(b.N)*float64(n)/b.Elapsed().Seconds(), "deliveries/s")
	r.close()
}

// benchRawFanOut is the baseline: one goroutine writing each message to n
// coder/websocket connections in turn.
func benchRawFanOut(b *testing.B, n int) {
	payload := []byte(strings.Repeat("x", 64))
	var mu sync.Mutex
	var server []*websocket.Conn
	ready := make(chan struct{}, n)
	hold := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		mu.Lock()
		server = append(server, ws)
		mu.Unlock()
		ready <- struct{}{}
		<-hold
		ws.CloseNow()
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	defer srv.Close()
	defer close(hold)
	r := &receivers{conns: dialMany(b, "ws://"+ln.Addr().String(), "", n)}
	for i := 0; i < n; i++ {
		<-ready
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.listen(ctx)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, ws := range server {
			if err := ws.Write(ctx, websocket.MessageText, payload); err != nil {
				b.Fatal(err)
			}
		}
		if (i+1)%fanOutBatch == 0 {
			r.waitFor(b, int64(i+1-fanOutBatch/2)*int64(n))
		}
	}
	r.waitFor(b, int64(b.N)*int64(n))
	b.StopTimer()
	b.ReportMetric(float64(b.N)*float64(n)/b.Elapsed().Seconds(), "deliveries/s")
	r.close()
}

// settle waits (up to 10 s) until at most n goroutines run, so that writers
// lingering after the connected message have ended.
func settle(n int) {
	for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > n && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
}

// memSnapshot is the live heap and goroutine stack memory at one moment.
type memSnapshot struct{ heap, stacks uint64 }

// heapAndStacks returns the bytes of live heap objects and goroutine stacks.
func heapAndStacks() memSnapshot {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memSnapshot{heap: m.HeapAlloc, stacks: m.StackInuse}
}

// reportPerConn reports the memory growth from before to after per connection.
func reportPerConn(b *testing.B, before, after memSnapshot, n int) {
	heap := float64(after.heap) - float64(before.heap)
	stacks := float64(after.stacks) - float64(before.stacks)
	b.ReportMetric((heap+stacks)/float64(n), "bytes/conn")
	b.ReportMetric(heap/float64(n), "heap-bytes/conn")
	b.ReportMetric(stacks/float64(n), "stack-bytes/conn")
}

// envDialer, when set, turns the test binary into a dialer child process:
// see runDialer.
const envDialer = "WEBPUBSUB_EMULATOR_BENCH_DIALER"

// runDialer opens n idle WebSocket connections to the URL of the dialer
// environment variable ("<n> <subprotocol|-> <url>"), prints "ready", and
// holds them until stdin closes. The client side lives in this separate
// process so that the benchmark process measures the server side only and
// stays under the file descriptor limit.
func runDialer(spec string) int {
	parts := strings.SplitN(spec, " ", 3)
	if len(parts) != 3 {
		fmt.Fprintln(os.Stderr, "dialer: bad spec")
		return 2
	}
	n, err := strconv.Atoi(parts[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "dialer: bad count")
		return 2
	}
	sub := parts[1]
	if sub == "-" {
		sub = ""
	}
	u, err := url.Parse(parts[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "dialer: bad url")
		return 2
	}
	conns := make([]net.Conn, n)
	var wg sync.WaitGroup
	var failed atomic.Int64
	sem := make(chan struct{}, 64)
	for i := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := rawHandshake(u, sub)
			if err != nil {
				if failed.Add(1) == 1 {
					fmt.Fprintln(os.Stderr, "dialer:", err)
				}
				return
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		return 1
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
	return 0
}

// rawHandshake performs a minimal WebSocket client handshake on a plain TCP
// connection and leaves the connection idle.
func rawHandshake(u *url.URL, subprotocol string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", u.Host, 30*time.Second)
	if err != nil {
		return nil, err
	}
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	if subprotocol != "" {
		req += "Sec-WebSocket-Protocol: " + subprotocol + "\r\n"
	}
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		c.Close()
		return nil, err
	}
	br := bufio.NewReader(c)
	status, err := br.ReadString('\n')
	if err != nil || !strings.Contains(status, " 101 ") {
		c.Close()
		return nil, fmt.Errorf("handshake failed: %q %v", status, err)
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			c.Close()
			return nil, err
		}
		if line == "\r\n" {
			return c, nil
		}
	}
}

// dialerProcess starts the dialer child for n connections to u and waits
// until they are open. Closing the returned function's stdin ends it.
func dialerProcess(b *testing.B, n int, sub, u string) (stop func()) {
	if sub == "" {
		sub = "-"
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envDialer+"="+fmt.Sprintf("%d %s %s", n, sub, u))
	stdin, err := cmd.StdinPipe()
	require.NoError(b, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(b, err)
	cmd.Stderr = os.Stderr
	require.NoError(b, cmd.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		b.Fatalf("dialer did not get ready: %q %v", line, err)
	}
	return func() {
		stdin.Close()
		_ = cmd.Wait()
	}
}

// BenchmarkIdleConnectionMemory measures the server-side memory (live heap
// plus goroutine stacks) of 10,000 idle JSON connections to the emulator,
// against a baseline coder/websocket server that only holds each connection
// in a blocked Read. The measurement is a snapshot, taken once whatever b.N
// is, so it can run with any -benchtime next to the throughput benchmarks.
func BenchmarkIdleConnectionMemory(b *testing.B) {
	b.Run("emulator/json", func(b *testing.B) {
		{
			srv := emulatortest.New(b, &emulator.Options{MaxConnections: idleConns + 100})
			e := srv.Emulator
			u := clientURL(b, e, "idle", auth.Claims{Subject: "u"})
			before := heapAndStacks()
			goroutines := runtime.NumGoroutine()
			stop := dialerProcess(b, idleConns, protocol.JSON, u)
			settle(goroutines + idleConns)
			after := heapAndStacks()
			reportPerConn(b, before, after, idleConns)
			b.ReportMetric(float64(runtime.NumGoroutine()-goroutines)/idleConns, "goroutines/conn")
			stop()
			require.NoError(b, srv.Close())
		}
	})
	b.Run("baseline/coder-websocket-read", func(b *testing.B) {
		{
			var open atomic.Int64
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{protocol.JSON}})
				if err != nil {
					return
				}
				open.Add(1)
				_, _, _ = ws.Read(context.Background())
				ws.CloseNow()
				open.Add(-1)
			})}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(b, err)
			go srv.Serve(ln) //nolint:errcheck // ends with Close
			before := heapAndStacks()
			goroutines := runtime.NumGoroutine()
			stop := dialerProcess(b, idleConns, protocol.JSON, "ws://"+ln.Addr().String()+"/")
			for open.Load() < idleConns {
				time.Sleep(time.Millisecond)
			}
			after := heapAndStacks()
			reportPerConn(b, before, after, idleConns)
			b.ReportMetric(float64(runtime.NumGoroutine()-goroutines)/idleConns, "goroutines/conn")
			stop()
			for open.Load() > 0 {
				time.Sleep(time.Millisecond)
			}
			srv.Close()
		}
	})
}

// BenchmarkStalledReliableMemory measures, in one run, the server-side memory
// of 50 reliable JSON clients that never read, first idle and then after
// 15 MiB of distinct broadcasts (120 messages of 128 KiB), each of which
// every client holds unacknowledged. Shared message bytes keep the stalled
// clients near one copy of the traffic instead of one copy per client. The
// clients run in a child process so that only the server side is measured.
func BenchmarkStalledReliableMemory(b *testing.B) {
	const (
		clients  = 50
		messages = 120
		size     = 128 << 10
	)
	e := start(b, emulator.Options{})
	svc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "stall", nil)
	require.NoError(b, err)
	u := clientURL(b, e, "stall", auth.Claims{Subject: "u"})
	before := heapAndStacks()
	goroutines := runtime.NumGoroutine()
	stop := dialerProcess(b, clients, protocol.JSONReliable, u)
	defer stop()
	settle(goroutines + clients)
	idle := heapAndStacks()
	payload := strings.Repeat("x", size)
	for i := 0; i < messages; i++ {
		_, err := svc.SendToAll(context.Background(), webpubsub.TextMessage(fmt.Sprint(i, payload)), nil)
		require.NoError(b, err)
	}
	stalled := heapAndStacks()
	per := func(m memSnapshot) float64 {
		return (float64(m.heap+m.stacks) - float64(before.heap+before.stacks)) / clients
	}
	b.ReportMetric(per(idle), "idle-bytes/conn")
	b.ReportMetric(per(stalled), "stalled-bytes/conn")
	b.ReportMetric(float64(messages*size)/clients, "traffic-bytes/conn")
}
