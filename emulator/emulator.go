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
//
// How the emulator is built (a protocol-neutral core with an adapter per
// client wire around it) is described in ARCHITECTURE.md at the root of the
// repository.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/fault"
	"github.com/webpubsub-go/webpubsub/emulator/internal/access"
	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/endpoint"
	"github.com/webpubsub-go/webpubsub/emulator/internal/hooks"
	"github.com/webpubsub-go/webpubsub/emulator/internal/mqttlink"
	"github.com/webpubsub-go/webpubsub/emulator/internal/observe"
	"github.com/webpubsub-go/webpubsub/emulator/internal/pubsub"
	"github.com/webpubsub-go/webpubsub/emulator/internal/rest"
	"github.com/webpubsub-go/webpubsub/emulator/internal/simple"
	"github.com/webpubsub-go/webpubsub/emulator/internal/tasks"
	"github.com/webpubsub-go/webpubsub/emulator/settings"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
)

// Budgets and deadlines of emulators created from now on. (Variables so
// that tests can lower them.)
var (
	// limits are the core's budgets (core.DefaultLimits).
	limits = core.DefaultLimits()
	// writeTimeout bounds one network write: a client that takes nothing
	// for that long is dropped (its socket is aborted), as a network
	// failure would be.
	writeTimeout = 10 * time.Second
	// closeTimeout bounds a graceful close: if the frames queued before the
	// close and the close frame itself are not written within it, the
	// socket is aborted.
	closeTimeout = 5 * time.Second
	// mqttConnectTimeout bounds the wait for an MQTT socket's CONNECT (0:
	// mqttlink.DefaultConnectTimeout).
	mqttConnectTimeout time.Duration
	// upstreamRetryDelays, when not nil, replace the service's 1, 3 and 5 s
	// waits between retries of upstream validation; tests shorten them.
	upstreamRetryDelays []time.Duration
)

// Emulator is a running local Web PubSub service. Create one with New and stop
// it with Close. Its methods are safe for concurrent use.
type Emulator struct {
	opts   Options
	key    string
	log    *slog.Logger
	url    string
	access *access.Access
	// settings are the hub settings in effect (never nil once New returns).
	settings atomic.Pointer[settings.Settings]
	// stopWatch stops watching Options.SettingsFile; nil without one.
	stopWatch context.CancelFunc
	faults    *fault.Injector
	// trace records what happens for the live trace page, through tr; both
	// nil when Options.TraceEvents is negative.
	trace *trace.Recorder
	tr    *observe.Trace
	// upstreamTransport carries the upstream calls; Close closes its idle
	// connections.
	upstreamTransport *http.Transport

	tasks    tasks.Group // every goroutine the emulator starts
	core     *core.Core
	hooks    *hooks.Caller
	endpoint *endpoint.Endpoint
	mqtt     *mqttlink.Adapter

	ln        net.Listener
	srv       *http.Server
	serveDone chan struct{}
	closeOnce sync.Once
	closeErr  error
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
	e := &Emulator{opts: opts, key: opts.AccessKey, log: opts.Logger, serveDone: make(chan struct{})}
	e.faults = fault.New(rest.Operations()...)
	if e.key == "" {
		e.key = DevAccessKey
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	} else {
		e.log = observe.ClipLogger(e.log) // what clients choose reaches the log cut short
	}
	e.startTrace()
	watcher, err := e.loadSettings(opts)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	if err := e.listen(opts); err != nil {
		return nil, err
	}
	if err := e.build(); err != nil {
		e.ln.Close()
		return nil, fmt.Errorf("emulator: invalid upstream configuration: %w", err)
	}
	e.serve(opts)
	if watcher != nil {
		e.watchSettings(watcher)
	}
	e.log.Info("emulator started", "url", e.url)
	return e, nil
}

// listen opens the listener of opts.Addr and learns the names the
// emulator is reachable as.
func (e *Emulator) listen(opts Options) error {
	addr := opts.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("emulator: listening on %s: %w", addr, err)
	}
	if opts.AccessKey == "" && !access.IsLoopback(ln.Addr()) {
		ln.Close()
		return fmt.Errorf("emulator: refusing to listen on %s with the well-known development key (DevAccessKey), which anyone on the network knows: set Options.AccessKey (CLI: -key or -random-key), or listen on 127.0.0.1", ln.Addr())
	}
	hosts, err := access.OwnHosts(ln.Addr(), addr, opts.HostNames)
	if err != nil {
		ln.Close()
		return fmt.Errorf("emulator: %w", err)
	}
	e.ln = ln
	e.url = "http://" + access.URLHost(ln.Addr())
	e.access = access.New(e.key, e.url, hosts)
	return nil
}

// build makes the emulator's parts: the core, observed by the log, the
// live trace and the upstream caller, and the adapters around it.
func (e *Emulator) build() error {
	tr := e.tr
	var err error
	e.hooks, err = hooks.New(hooks.Config{
		Route:       e.route,
		AccessKey:   e.key,
		Origin:      strings.TrimPrefix(e.url, "http://"),
		Go:          e.tasks.Go,
		Client:      e.upstreamClient(),
		RetryDelays: upstreamRetryDelays,
		Logger:      e.log,
		Trace:       tr,
	})
	if err != nil {
		return err
	}
	observers := []core.Observer{observe.NewLog(e.log)}
	if tr != nil {
		observers = append(observers, tr)
	}
	lim := limits
	if e.opts.RecoveryWindow > 0 {
		lim.RecoveryWindow = e.opts.RecoveryWindow
	}
	e.opts.Budgets.apply(&lim)
	e.core = core.New(core.Config{Limits: lim, Observers: append(observers, e.hooks, mqttlink.Observer), Go: e.tasks.Go})
	e.endpoint = endpoint.New(endpoint.Config{
		Core:            e.core,
		Access:          e.access,
		Hooks:           e.hooks,
		PubSub:          pubsub.New(pubsub.Config{Hooks: e.hooks, Trace: tr, Logger: e.log, Go: e.tasks.Go, Limits: lim, Invocations: e.core.Invocations()}),
		Simple:          simple.New(e.hooks, e.log),
		Tasks:           &e.tasks,
		AllowsAnonymous: e.allowsAnonymous,
		WriteTimeout:    writeTimeout,
		CloseTimeout:    closeTimeout,
		Trace:           tr,
		Logger:          e.log,
	})
	e.mqtt = mqttlink.New(mqttlink.Config{
		Core:            e.core,
		Access:          e.access,
		Hooks:           e.hooks,
		Tasks:           &e.tasks,
		AllowsAnonymous: e.allowsAnonymous,
		WriteTimeout:    writeTimeout,
		CloseTimeout:    closeTimeout,
		ConnectTimeout:  mqttConnectTimeout,
		Trace:           tr,
		Logger:          e.log,
	})
	return nil
}

// serve starts serving the emulator's HTTP handler: the client endpoint, the
// REST API, the live trace and the fault-injection admin endpoints.
func (e *Emulator) serve(opts Options) {
	root := http.NewServeMux()
	root.HandleFunc("GET /client/hubs/{hub}", e.endpoint.Handler())
	root.HandleFunc(mqttlink.Path, e.mqtt.Handler())
	rest.New(rest.Config{Core: e.core, Access: e.access, Faults: e.faults, Logger: e.log, Trace: e.tr}).Register(root)
	e.routeTrace(root)
	e.routeFaults(root)
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		rest.WriteError(w, http.StatusNotFound, rest.CodeNotFound, "no operation matches "+r.Method+" "+r.URL.Path)
	})
	e.srv = &http.Server{
		Handler:           root,
		ReadHeaderTimeout: httpReadHeaderTimeout,
		ReadTimeout:       httpReadTimeout,
		IdleTimeout:       httpIdleTimeout,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelDebug),
	}
	ln := newLimitListener(e.ln, maxConnectionsFor(opts.MaxConnections), e.log)
	go func() {
		defer close(e.serveDone)
		if err := e.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("emulator: serve failed", "err", err)
		}
	}()
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
	e.closeOnce.Do(func() {
		e.tasks.Close()
		e.core.Close()
		if e.stopWatch != nil {
			e.stopWatch()
		}
		err := e.srv.Close()
		<-e.serveDone
		// Let paused upstream calls fail fast rather than wait for a resume,
		// and cancel those in flight so that the wait below is short.
		e.faults.ResumeUpstream()
		e.hooks.Close()
		defer e.upstreamTransport.CloseIdleConnections()
		// Sockets of connections already removed but still closing (a peer
		// that does not read) are aborted too, so that Close never waits on
		// a peer.
		e.endpoint.AbortAll()
		e.mqtt.AbortAll()
		e.tasks.Wait()
		e.stopTrace()
		if !errors.Is(err, http.ErrServerClosed) {
			e.closeErr = err
		}
	})
	return e.closeErr
}

// Reset forgets every connection, group, user and permission, like a restart
// of the service: connections are dropped abruptly and cannot be recovered.
func (e *Emulator) Reset() { e.core.Reset() }
