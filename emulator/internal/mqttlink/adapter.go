package mqttlink

import (
	"context"
	"hash/maphash"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/access"
	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/hooks"
	"github.com/webpubsub-go/webpubsub/emulator/internal/observe"
	"github.com/webpubsub-go/webpubsub/emulator/internal/tasks"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
)

// Subprotocol is the WebSocket subprotocol of MQTT clients, and the
// protocol name of their connections in the core (core.Conn.Protocol).
const Subprotocol = "mqtt"

// Path is the endpoint's route pattern.
const Path = "GET /clients/mqtt/hubs/{hub}"

// Bounds of the endpoint.
const (
	// MaxWebSocketMessage bounds one WebSocket message from a client: a
	// whole packet of mqtt.DefaultMaxPacketSize and the start of the next
	// (MQTT over WebSocket may join packets in one message). A larger
	// message closes the socket with 1009.
	MaxWebSocketMessage = mqtt.DefaultMaxPacketSize + 64<<10
	// DefaultConnectTimeout bounds the wait for a socket's CONNECT: a
	// socket that sends none (a half-open one) is closed then.
	DefaultConnectTimeout = 10 * time.Second
	// stripes is how many locks serialise the CONNECTs of client ids (by
	// hash): two CONNECTs with one client id attach one at a time.
	stripes = 64
)

// Config configures an Adapter.
type Config struct {
	Core   *core.Core
	Access *access.Access
	Hooks  *hooks.Caller
	// Tasks tracks the sockets' goroutines and the adapter's background
	// work (user events, wills).
	Tasks *tasks.Group
	// AllowsAnonymous reports whether a hub accepts clients without a
	// token (its settings' anonymousConnectPolicy).
	AllowsAnonymous func(hub string) bool
	// WriteTimeout and CloseTimeout bound a socket's writes and graceful
	// close (see wsio.Limits).
	WriteTimeout, CloseTimeout time.Duration
	// ConnectTimeout bounds the wait for a socket's CONNECT;
	// DefaultConnectTimeout when 0.
	ConnectTimeout time.Duration
	Trace          *observe.Trace
	Logger         *slog.Logger
}

// Adapter serves MQTT clients.
type Adapter struct {
	cfg    Config
	log    *slog.Logger
	limits core.Limits
	seed   maphash.Seed
	locks  [stripes]sync.Mutex
	// base ends the adapter's background work when the emulator closes.
	base   context.Context
	cancel context.CancelFunc

	mu sync.Mutex
	// live are the running sockets, including those not attached to a
	// session yet or closing, so that AbortAll can abort them all.
	live   map[*wsio.Socket]struct{}
	closed bool
}

// New returns an adapter.
func New(cfg Config) *Adapter {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base, cancel := context.WithCancel(context.Background())
	return &Adapter{
		cfg: cfg, log: log, limits: cfg.Core.Limits(), seed: maphash.MakeSeed(),
		base: base, cancel: cancel, live: make(map[*wsio.Socket]struct{}),
	}
}

// Handler returns the endpoint's handler; it needs the {hub} path value.
func (a *Adapter) Handler() http.HandlerFunc { return a.cfg.Trace.Handshakes(a.serve) }

// AbortAll aborts every socket and every socket that would start from now
// on, and ends the adapter's background work, so that closing the emulator
// never waits on a peer or an upstream.
func (a *Adapter) AbortAll() {
	a.mu.Lock()
	a.closed = true
	live := make([]*wsio.Socket, 0, len(a.live))
	for s := range a.live {
		live = append(live, s)
	}
	a.mu.Unlock()
	a.cancel()
	for _, s := range live {
		s.Abort()
	}
}

// register records s as live; it reports false once the adapter is
// closing.
func (a *Adapter) register(s *wsio.Socket) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false
	}
	a.live[s] = struct{}{}
	return true
}

// unregister forgets a socket that ended.
func (a *Adapter) unregister(s *wsio.Socket) {
	a.mu.Lock()
	delete(a.live, s)
	a.mu.Unlock()
}

// lockFor returns the lock that serialises the CONNECTs of clientID in
// hub.
func (a *Adapter) lockFor(hub, clientID string) *sync.Mutex {
	var h maphash.Hash
	h.SetSeed(a.seed)
	_, _ = h.WriteString(hub)
	_ = h.WriteByte(0)
	_, _ = h.WriteString(clientID)
	return &a.locks[h.Sum64()%stripes]
}

// newSocket returns a socket under the core's queue limits and the
// adapter's deadlines.
func (a *Adapter) newSocket() *wsio.Socket {
	return wsio.New(wsio.Limits{
		QueueFrames:  a.limits.QueueFrames,
		QueueBytes:   a.limits.QueueBytes,
		WriteTimeout: a.cfg.WriteTimeout,
		CloseTimeout: a.cfg.CloseTimeout,
	}, a.log)
}
