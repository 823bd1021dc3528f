// Package upstream calls upstream event handlers the way Azure Web PubSub
// does: CloudEvents over HTTP in binary mode, preceded by the
// abuse-protection handshake. The emulator uses it to deliver connect,
// connected, disconnected and user events.
package upstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Default limits.
const (
	// DefaultTimeout bounds one try of an upstream event when Config.Timeout
	// is 0: 100 s, as the service and the official emulator.
	DefaultTimeout = 100 * time.Second
	// DefaultMaxResponseBytes bounds an upstream answer's body when
	// Config.MaxResponseBytes is 0.
	DefaultMaxResponseBytes = 1 << 20
)

// Handler selects the events of some hubs that go to one upstream URL.
type Handler struct {
	// Hub is the hub the handler applies to; "" or "*" means every hub.
	Hub string
	// URLTemplate is the upstream URL; {hub} and {event} (any case) are
	// replaced by the escaped hub and event names. They may appear only in
	// the path and the query (see ValidateURLTemplate).
	URLTemplate string
	// UserEventPattern selects user events: "*" (all), "" (none), or a
	// comma-separated list of names and globs (see MatchEventPattern).
	UserEventPattern string
	// SystemEvents is a subset of "connect", "connected" and "disconnected".
	SystemEvents []string
	// GroupPresenceEvents is a subset of "joined" and "left": the group
	// presence events (azure.webpubsub.gp.joined / gp.left) the handler
	// receives, as the service's groupPresenceEvents.eventNames.
	GroupPresenceEvents []string
}

// Config configures an Invoker.
type Config struct {
	// Handlers are tried in order; the first that matches an event's hub and
	// name (case-insensitively) receives it. Unused when Route is set.
	Handlers []Handler
	// Route, when set, picks the handler of an event instead of Handlers
	// (system says whether event is a system event). It is called for every
	// event, so the handlers it returns may change at any time; its
	// handlers' templates must be valid (see ValidateHandler).
	Route func(hub, event string, system bool) (Handler, bool)
	// AccessKeys sign every event (ce-signature, one value per key).
	AccessKeys []string
	// Origin is the service host sent in WebHook-Request-Origin.
	Origin string
	// Client makes the calls. Nil uses a client of the invoker's own that
	// does not follow redirects (a redirected POST would lose its body).
	Client *http.Client
	// Timeout bounds each try of an event; 0 means DefaultTimeout (100 s).
	// A try that times out is not retried.
	Timeout time.Duration
	// ValidationTimeout bounds each try of the abuse-protection handshake;
	// 0 means DefaultValidationTimeout (10 s, as the service).
	ValidationTimeout time.Duration
	// RetryDelays are the waits before each retry of the abuse-protection
	// handshake and of an event after a 408, a 5xx or a network error; its
	// length is the number of retries. Nil means DefaultRetryDelays (1, 3 and 5 s); an
	// empty non-nil slice disables retries. Tests set short delays.
	RetryDelays []time.Duration
	// MaxResponseBytes bounds the body of an answer; 0 means
	// DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Go runs asynchronous work (connected and disconnected events) and
	// reports false when it cannot (for example while shutting down). Nil
	// runs it in goroutines that Close waits for.
	Go func(f func()) bool
	// Logger receives failures of asynchronous calls; nil discards them.
	Logger *slog.Logger
}

// Invoker calls upstream event handlers. It is safe for concurrent use.
type Invoker struct {
	handlers  []Handler
	route     func(hub, event string, system bool) (Handler, bool)
	keys      []string
	origin    string
	client    *http.Client
	ownClient bool
	timeout   time.Duration
	// validationTimeout bounds one validation try.
	validationTimeout time.Duration
	// retryDelays are the waits before validation retries.
	retryDelays []time.Duration
	maxBody     int64
	spawn       func(func()) bool
	log         *slog.Logger
	base        context.Context
	cancelBase  context.CancelFunc

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
	checks map[string]*originCheck
}

// New validates cfg and returns an Invoker.
func New(cfg Config) (*Invoker, error) {
	for i, h := range cfg.Handlers {
		if err := ValidateHandler(h); err != nil {
			return nil, fmt.Errorf("upstream: handler %d: %w", i, err)
		}
	}
	if cfg.Origin == "" {
		return nil, errors.New("upstream: Origin (the service host) is required")
	}
	inv := &Invoker{
		handlers:          append([]Handler(nil), cfg.Handlers...),
		route:             cfg.Route,
		keys:              append([]string(nil), cfg.AccessKeys...),
		origin:            cfg.Origin,
		client:            cfg.Client,
		timeout:           cfg.Timeout,
		validationTimeout: cfg.ValidationTimeout,
		retryDelays:       append([]time.Duration(nil), cfg.RetryDelays...),
		maxBody:           cfg.MaxResponseBytes,
		spawn:             cfg.Go,
		log:               cfg.Logger,
		checks:            make(map[string]*originCheck),
	}
	if inv.client == nil {
		inv.ownClient = true
		inv.client = &http.Client{
			Transport: http.DefaultTransport.(*http.Transport).Clone(),
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	if inv.timeout <= 0 {
		inv.timeout = DefaultTimeout
	}
	if inv.validationTimeout <= 0 {
		inv.validationTimeout = DefaultValidationTimeout
	}
	if cfg.RetryDelays == nil {
		inv.retryDelays = append([]time.Duration(nil), DefaultRetryDelays...)
	}
	if inv.maxBody <= 0 {
		inv.maxBody = DefaultMaxResponseBytes
	}
	if inv.log == nil {
		inv.log = slog.New(slog.DiscardHandler)
	}
	inv.base, inv.cancelBase = context.WithCancel(context.Background())
	return inv, nil
}

// ValidateHandler checks a handler's template (see ValidateURLTemplate),
// user event pattern (see ValidateEventPattern) and event names.
func ValidateHandler(h Handler) error {
	if err := ValidateURLTemplate(h.URLTemplate); err != nil {
		return err
	}
	if err := ValidateEventPattern(h.UserEventPattern); err != nil {
		return err
	}
	for _, e := range h.SystemEvents {
		switch strings.ToLower(e) {
		case protocol.EventConnect, protocol.EventConnected, protocol.EventDisconnected:
		default:
			return fmt.Errorf("unknown system event %q; use connect, connected or disconnected", e)
		}
	}
	for _, e := range h.GroupPresenceEvents {
		if !isGroupEvent(e) {
			return fmt.Errorf("unknown group presence event %q; use joined or left", e)
		}
	}
	return nil
}

// isGroupEvent reports whether name is a group presence event name.
func isGroupEvent(name string) bool {
	return strings.EqualFold(name, protocol.EventGroupJoined) || strings.EqualFold(name, protocol.EventGroupLeft)
}

// handlerFor returns the first handler for event in hub; system reports
// whether event is a system event.
func (inv *Invoker) handlerFor(hub, event string, system bool) (Handler, bool) {
	if inv.route != nil {
		return inv.route(hub, event, system)
	}
	for _, h := range inv.handlers {
		if h.Hub != "" && h.Hub != "*" && !strings.EqualFold(h.Hub, hub) {
			continue
		}
		if system && isGroupEvent(event) {
			for _, e := range h.GroupPresenceEvents {
				if strings.EqualFold(e, event) {
					return h, true
				}
			}
			continue
		}
		if system {
			for _, e := range h.SystemEvents {
				if strings.EqualFold(e, event) {
					return h, true
				}
			}
			continue
		}
		if MatchEventPattern(h.UserEventPattern, event) {
			return h, true
		}
	}
	return Handler{}, false
}

// Revalidate forgets which upstream hosts passed abuse protection, so that
// the next event to each is preceded by a new validation (as the service
// does after its event handler settings change).
func (inv *Invoker) Revalidate() {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	for k, c := range inv.checks {
		select {
		case <-c.done:
			delete(inv.checks, k)
		default: // in flight: its callers wait for it
		}
	}
}

// Close cancels asynchronous calls in flight, waits for the goroutines the
// invoker started itself and closes the idle connections of its own client.
// Later asynchronous events are dropped and blocking calls fail.
func (inv *Invoker) Close() {
	inv.mu.Lock()
	inv.closed = true
	inv.mu.Unlock()
	inv.cancelBase()
	inv.wg.Wait()
	if inv.ownClient {
		inv.client.CloseIdleConnections()
	}
}

// goAsync runs f asynchronously; it reports false when f will not run.
func (inv *Invoker) goAsync(f func()) bool {
	inv.mu.Lock()
	if inv.closed {
		inv.mu.Unlock()
		return false
	}
	if inv.spawn != nil {
		inv.mu.Unlock()
		return inv.spawn(f)
	}
	inv.wg.Add(1)
	inv.mu.Unlock()
	go func() {
		defer inv.wg.Done()
		f()
	}()
	return true
}

// isClosed reports whether Close was called.
func (inv *Invoker) isClosed() bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.closed
}
