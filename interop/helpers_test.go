package interop

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if cliDir != "" {
		_ = os.RemoveAll(cliDir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// waitLong bounds waits for something the other side must do; generous
// because the machine running the tests may be loaded.
const waitLong = 30 * time.Second

// testCtx returns a context that ends after d or with the test.
func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// goToken mints a client access URL with the Go service SDK.
func goToken(t *testing.T, connStr, hub string, o webpubsub.ServiceClientGetClientAccessTokenOptions) webpubsub.ClientAccessToken {
	t.Helper()
	sc, err := webpubsub.NewServiceClientFromConnectionString(connStr, hub, nil)
	require.NoError(t, err)
	tok, err := sc.GetClientAccessToken(t.Context(), &o)
	require.NoError(t, err)
	return tok.ClientAccessToken
}

// received is a message a Go client received.
type received struct {
	Group      string // "" for a server message
	FromUserID string
	DataType   client.DataType
	Data       string
	SequenceID uint64
}

// goClient is a Go client whose events are recorded.
type goClient struct {
	*client.Client
	t *testing.T

	mu           sync.Mutex
	msgs         []received
	connected    []client.ConnectedEvent
	disconnected []client.DisconnectedEvent
	stopped      int
	changed      chan struct{}
}

// newGoClient starts a Go client at url with opts (callbacks are set by the
// helper) and stops it when the test ends.
func newGoClient(t *testing.T, url string, opts client.Options) *goClient {
	t.Helper()
	g := &goClient{t: t, changed: make(chan struct{})}
	opts.OnServerMessage = func(_ context.Context, m client.ServerMessage) {
		g.add(func() {
			g.msgs = append(g.msgs, received{DataType: m.DataType, Data: string(m.Data), SequenceID: m.SequenceID})
		})
	}
	opts.OnGroupMessage = func(_ context.Context, m client.GroupMessage) {
		g.add(func() {
			g.msgs = append(g.msgs, received{Group: m.Group, FromUserID: m.FromUserID, DataType: m.DataType, Data: string(m.Data), SequenceID: m.SequenceID})
		})
	}
	opts.OnConnected = func(_ context.Context, e client.ConnectedEvent) {
		g.add(func() { g.connected = append(g.connected, e) })
	}
	opts.OnDisconnected = func(_ context.Context, e client.DisconnectedEvent) {
		g.add(func() { g.disconnected = append(g.disconnected, e) })
	}
	opts.OnStopped = func(context.Context, client.StoppedEvent) { g.add(func() { g.stopped++ }) }
	c, err := client.New(url, &opts)
	require.NoError(t, err)
	g.Client = c
	require.NoError(t, c.Start(testCtx(t, waitLong)))
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	return g
}

func (g *goClient) add(f func()) {
	g.mu.Lock()
	f()
	close(g.changed)
	g.changed = make(chan struct{})
	g.mu.Unlock()
}

// waitFor waits until cond (called under the client's lock) holds.
func (g *goClient) waitFor(what string, cond func() bool) {
	g.t.Helper()
	deadline := time.After(waitLong)
	for {
		g.mu.Lock()
		ok := cond()
		ch := g.changed
		g.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			g.t.Fatalf("Go client: timed out waiting for %s", what)
		}
	}
}

// waitMessage waits for a message with data and returns it.
func (g *goClient) waitMessage(data string) received {
	g.t.Helper()
	var got received
	g.waitFor("message "+data, func() bool {
		for _, m := range g.msgs {
			if m.Data == data {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

// messages returns every message received so far.
func (g *goClient) messages() []received {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]received(nil), g.msgs...)
}

// datas returns the data of every message so far, in order.
func (g *goClient) datas() []string {
	var out []string
	for _, m := range g.messages() {
		out = append(out, m.Data)
	}
	return out
}

// waitDisconnected waits for a disconnected event and returns it.
func (g *goClient) waitDisconnected() client.DisconnectedEvent {
	g.t.Helper()
	var e client.DisconnectedEvent
	g.waitFor("disconnected", func() bool {
		if len(g.disconnected) == 0 {
			return false
		}
		e = g.disconnected[0]
		return true
	})
	return e
}

// hasMessage waits a little for a message with data and reports whether it
// arrived.
func (g *goClient) hasMessage(data string) bool {
	deadline := time.After(200 * time.Millisecond)
	for {
		g.mu.Lock()
		for _, m := range g.msgs {
			if m.Data == data {
				g.mu.Unlock()
				return true
			}
		}
		ch := g.changed
		g.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			return false
		}
	}
}
