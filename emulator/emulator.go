// Package emulator is a local Azure Web PubSub service: the data-plane REST API
// (api-version 2024-12-01) and the client WebSocket endpoint, served in-process
// on a loopback listener. It needs no cloud account and is meant for tests,
// samples and local development.
//
// Many emulators can run at once; each has its own listener, access key and
// state. Hubs are created on first use.
//
// The JSON client subprotocols include the preview features of the JS client
// @azure/web-pubsub-client 1.1.0: invoke (request/response with the upstream)
// and group streams. The service side of these is not documented; the
// emulator implements the behaviour inferred from the client
// (client-protocol-preview.md): an invoke is a synchronous upstream user
// event, cancelled by cancelInvocation, answered without data when no
// upstream handles it and with a generic error when the upstream fails;
// streams need the sendToGroup permission, are delivered fragment by
// fragment with cumulative acks, re-ack replays, close on gaps
// ("ProtocolViolation") and idleness ("IdleTimeout"), and end with a
// terminal frame numbered N+1.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/fault"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
	"github.com/webpubsub-go/webpubsub/emulator/settings"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
)

// Emulator is a running local Web PubSub service. Create one with New and stop
// it with Close. Its methods are safe for concurrent use.
type Emulator struct {
	key    string
	window time.Duration
	log    *slog.Logger
	opts   Options

	ln  net.Listener
	srv *http.Server
	url string
	// hosts are the host:port names the emulator accepts token audiences
	// for (see audience.go).
	hosts     map[string]bool
	serveDone chan struct{}
	// upstream calls the event handlers of the settings in effect.
	upstream *upstreamCaller
	// settings are the hub settings in effect (never nil once New returns).
	settings atomic.Pointer[settings.Settings]
	// stopWatch stops watching Options.SettingsFile; nil without one.
	stopWatch context.CancelFunc
	// faults are the injected faults (faults.go).
	faults *fault.Injector
	// upstreamTransport is the transport of upstream calls when the trace
	// does not provide one; its idle connections are closed by Close.
	upstreamTransport *http.Transport
	// trace records what happens for the live trace page (observe.go); nil
	// when Options.TraceEvents is negative.
	trace         *trace.Recorder
	traceUpstream *http.Transport

	mu     sync.Mutex
	hubs   map[string]*hub
	closed bool
	// live are the running transports, including those of removed
	// connections still closing, so that Close can abort them all.
	live map[*wsio.Socket]struct{}
	// wg counts WebSocket handler goroutines and background work (recovery
	// expiry, asynchronous removals) so that Close can wait for them.
	wg sync.WaitGroup
}

// New starts an emulator serving on opts.Addr (default 127.0.0.1:0). A nil
// opts is the zero Options. New keeps a copy of opts: changing them later has
// no effect.
func New(opts *Options) (*Emulator, error) {
	if opts == nil {
		opts = &Options{}
	}
	return start(*opts)
}

// start builds and starts the emulator of New.
func start(opts Options) (*Emulator, error) {
	e := &Emulator{
		key:       opts.AccessKey,
		window:    opts.RecoveryWindow,
		log:       opts.Logger,
		opts:      opts,
		hubs:      make(map[string]*hub),
		live:      make(map[*wsio.Socket]struct{}),
		faults:    newFaults(),
		serveDone: make(chan struct{}),
	}
	if e.key == "" {
		e.key = DevAccessKey
	}
	if e.window <= 0 {
		e.window = DefaultRecoveryWindow
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.startTrace()
	addr := opts.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	watcher, err := e.loadSettings(opts)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: listening on %s: %w", addr, err)
	}
	if opts.AccessKey == "" && !isLoopback(ln.Addr()) {
		ln.Close()
		return nil, fmt.Errorf("emulator: refusing to listen on %s with the well-known development key (DevAccessKey), which anyone on the network knows: set Options.AccessKey (CLI: -key or -random-key), or listen on 127.0.0.1", ln.Addr())
	}
	e.ln = ln
	e.url = "http://" + urlHost(ln.Addr())
	if e.hosts, err = ownHosts(ln.Addr(), addr, opts.HostNames); err != nil {
		ln.Close()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	if e.upstream, err = newUpstreamCaller(e); err != nil {
		ln.Close()
		return nil, fmt.Errorf("emulator: invalid upstream configuration: %w", err)
	}
	e.srv = &http.Server{
		Handler:           e.handler(),
		ReadHeaderTimeout: httpReadHeaderTimeout,
		ReadTimeout:       httpReadTimeout,
		IdleTimeout:       httpIdleTimeout,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelDebug),
	}
	go func() {
		defer close(e.serveDone)
		if err := e.srv.Serve(newLimitListener(ln, maxConnectionsFor(opts.MaxConnections), e.log)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("emulator: serve failed", "err", err)
		}
	}()
	if watcher != nil {
		e.watchSettings(watcher)
	}
	e.log.Info("emulator started", "url", e.url)
	return e, nil
}

// urlHost returns the host:port to put in URLs for a listener address; an
// unspecified IP (":8080") becomes 127.0.0.1.
func urlHost(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

// isLoopback reports whether a listener address is on a loopback interface
// only (not 0.0.0.0, :: or an external address).
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// URL returns the emulator's endpoint, "http://127.0.0.1:PORT".
func (e *Emulator) URL() string { return e.url }

// AccessKey returns the access key that signs REST and client tokens.
func (e *Emulator) AccessKey() string { return e.key }

// ConnectionString returns "Endpoint=http://127.0.0.1:PORT;AccessKey=...;Version=1.0;".
func (e *Emulator) ConnectionString() string {
	return "Endpoint=" + e.url + ";AccessKey=" + e.key + ";Version=1.0;"
}

// Close stops the listener, drops every connection and waits until every
// goroutine the emulator started has ended. It is safe to call more than once.
func (e *Emulator) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	hubs := e.hubs
	e.hubs = make(map[string]*hub)
	live := make([]*wsio.Socket, 0, len(e.live))
	for t := range e.live {
		live = append(live, t)
	}
	e.mu.Unlock()

	if e.stopWatch != nil {
		e.stopWatch()
	}
	err := e.srv.Close()
	<-e.serveDone
	// Let paused upstream calls fail fast rather than wait for a resume.
	e.faults.ResumeUpstream()
	if e.upstream != nil {
		// Cancel upstream calls in flight so that the wait below is short.
		e.upstream.inv.Close()
	}
	if e.upstreamTransport != nil {
		defer e.upstreamTransport.CloseIdleConnections()
	}
	for _, h := range hubs {
		h.abandon()
	}
	// Transports of connections already removed but still closing (a peer
	// that does not read) are aborted too, so that Close never waits on a peer.
	for _, t := range live {
		t.Abort()
	}
	e.wg.Wait()
	e.stopTrace()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Reset forgets every connection, group, user and permission, like a restart
// of the service: connections are dropped abruptly and cannot be recovered.
func (e *Emulator) Reset() {
	e.mu.Lock()
	hubs := e.hubs
	e.hubs = make(map[string]*hub)
	e.mu.Unlock()
	for _, h := range hubs {
		h.abandon()
	}
	e.traceReset()
}

// DropConnection abruptly drops the transport of a connection (the TCP
// connection is closed without a WebSocket close frame), as a network failure
// would. The connection's state is kept so that a reliable client can recover
// it. It reports whether the connection had a live transport.
func (e *Emulator) DropConnection(hubName, connectionID string) bool {
	h := e.lookupHub(hubName)
	if h == nil {
		return false
	}
	c := h.connection(connectionID)
	if c == nil {
		return false
	}
	return c.dropTransport()
}

// DropAllConnections drops the transport of every connection of hub ("" = all
// hubs) like DropConnection and returns how many were dropped.
func (e *Emulator) DropAllConnections(hubName string) int {
	var hubs []*hub
	e.mu.Lock()
	for name, h := range e.hubs {
		if hubName == "" || name == hubName {
			hubs = append(hubs, h)
		}
	}
	e.mu.Unlock()
	n := 0
	for _, h := range hubs {
		for _, c := range h.all() {
			if c.dropTransport() {
				n++
			}
		}
	}
	return n
}

// hub returns the hub named name, creating it on first use. It returns nil
// once the emulator is closed.
func (e *Emulator) hub(name string) *hub {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	h := e.hubs[name]
	if h == nil {
		h = newHub(e, name)
		e.hubs[name] = h
	}
	return h
}

// lookupHub returns the hub named name or nil if it was never used.
func (e *Emulator) lookupHub(name string) *hub {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hubs[name]
}

// goTracked runs f in a goroutine that Close waits for. It reports false (and
// does not run f) once the emulator is closed.
func (e *Emulator) goTracked(f func()) bool {
	if !e.track() {
		return false
	}
	go func() {
		defer e.wg.Done()
		f()
	}()
	return true
}

// track adds one to the wait group unless the emulator is closed; the caller
// must call e.wg.Done when it reports true.
func (e *Emulator) track() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.wg.Add(1)
	return true
}
