package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// State is the connection state of a Client.
type State int

// States of a Client.
const (
	// StateStopped: not started, or stopped.
	StateStopped State = iota
	// StateConnecting: opening a new connection (in Start or after a
	// connection was lost and could not be recovered).
	StateConnecting
	// StateConnected: connected to the service.
	StateConnected
	// StateRecovering: recovering a dropped reliable connection.
	StateRecovering
)

// String returns the state's name.
func (s State) String() string {
	switch s {
	case StateStopped:
		return "stopped"
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateRecovering:
		return "recovering"
	}
	return "unknown"
}

// Client is a Web PubSub client connection. It is safe for concurrent use.
// Create it with New or NewWithURLProvider, then call Start.
type Client struct {
	provider  func(ctx context.Context) (string, error)
	cfg       config
	nextAckID atomic.Uint64
	seq       sequenceTracker

	mu                sync.Mutex
	state             State
	changed           chan struct{} // closed and replaced on every change of state or conn
	sess              *session
	conn              *connection
	lastURL           string
	connectionID      string
	userID            string
	reconnectionToken string
	groups            map[string]struct{}
	groupLocks        map[string]*groupLock
	acks              map[uint64]ackWaiter
	rejoining         *rejoinRun // the rejoin of the current connection, if running

	// preview is owned by invoke.go, stream_send.go and stream_recv.go.
	preview previewState
}

// session is one Start..Stop run of a client.
type session struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // the supervisor, connection goroutines and rejoins
	disp   *dispatcher
}

// New returns a client for a fixed client access URL
// (wss://<host>/client/hubs/<hub>?access_token=...). The token in it must
// stay valid for as long as the client may need to reconnect; use
// NewWithURLProvider to fetch a fresh URL for every new connection.
func New(url string, opts *Options) (*Client, error) {
	u, err := normalizeURL(url)
	if err != nil {
		return nil, err
	}
	return NewWithURLProvider(func(context.Context) (string, error) { return u, nil }, opts)
}

// NewWithURLProvider returns a client that calls provider for the client
// access URL before every new connection (like getClientAccessUrl of the
// JavaScript client). Recovering a dropped connection reuses the last URL.
func NewWithURLProvider(provider func(ctx context.Context) (string, error), opts *Options) (*Client, error) {
	if provider == nil {
		return nil, errors.New("client: the URL provider must not be nil")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return &Client{
		provider:   provider,
		cfg:        cfg,
		changed:    make(chan struct{}),
		groups:     make(map[string]struct{}),
		groupLocks: make(map[string]*groupLock),
		acks:       make(map[uint64]ackWaiter),
	}, nil
}

// usable returns ErrNotInitialized for a Client not made by New or
// NewWithURLProvider (a zero Client), whose methods must not panic.
func (c *Client) usable() error {
	if c.cfg.codec == nil {
		return ErrNotInitialized
	}
	return nil
}

// State returns the client's current state.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// ConnectionID returns the id of the current (or last) connection, or "".
func (c *Client) ConnectionID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connectionID
}

// Start connects to the service. It returns once the service has confirmed
// the connection, or with the error that prevented it (the first connection
// is not retried). ctx bounds only the connecting; the client then runs until
// Stop. A stopped client may be started again: the new run has a dispatcher
// of its own, so its events are delivered even if a handler of the previous
// run is still running (see Stop).
func (c *Client) Start(ctx context.Context) error {
	if err := c.usable(); err != nil {
		return err
	}
	c.mu.Lock()
	if c.state != StateStopped {
		c.mu.Unlock()
		return ErrAlreadyStarted
	}
	sctx, cancel := context.WithCancel(context.Background())
	sess := &session{ctx: sctx, cancel: cancel, disp: newDispatcher(sctx, c.cfg.MaxQueuedMessages, c.cfg.MaxQueuedBytes)}
	c.sess = sess
	c.setStateLocked(StateConnecting, nil)
	sess.wg.Add(1) // before unlocking, so that a concurrent Stop waits for it
	c.mu.Unlock()

	result := make(chan error, 1)
	go c.supervise(ctx, sess, result)
	return <-result
}

// Stop ends the run: it closes the connection, fails pending operations with
// ErrStopped and cancels the ctx given to event handlers. The messages
// already received are still delivered (with that ctx canceled: a handler
// should then return quickly), followed by the Disconnected and Stopped
// events. Stop waits until the client's goroutines have ended and every
// handler has returned, or until ctx ends: its error then wraps ctx's error
// and names the handler still running. Stopping a stopped client does
// nothing but wait for the handlers again.
//
// A handler may call Stop, but must pass its own ctx (or a context derived
// from it): Stop then does not wait for the handlers, since it cannot wait
// for the one that called it. Called from a handler with any other ctx,
// Stop returns only when that ctx ends.
func (c *Client) Stop(ctx context.Context) error {
	c.mu.Lock()
	sess := c.sess
	c.mu.Unlock()
	if sess == nil {
		return nil
	}
	fromHandler := ctx.Value(handlerKey{}) == sess.disp
	if fromHandler {
		// The handler's ctx is canceled by this Stop; keep its deadline.
		var cancel context.CancelFunc = func() {}
		if dl, ok := ctx.Deadline(); ok {
			ctx, cancel = context.WithDeadline(context.WithoutCancel(ctx), dl)
		} else {
			ctx = context.WithoutCancel(ctx)
		}
		defer cancel()
	}
	sess.cancel()
	done := make(chan struct{})
	go func() {
		sess.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("client: Stop gave up waiting for the client's goroutines to end: %w", ctx.Err())
	}
	if fromHandler {
		return nil
	}
	return sess.disp.wait(ctx)
}

// setStateLocked changes the state and current connection and wakes waiters.
// c.mu must be held.
func (c *Client) setStateLocked(s State, conn *connection) {
	c.state = s
	c.conn = conn
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Client) setState(s State, conn *connection) {
	c.mu.Lock()
	c.setStateLocked(s, conn)
	c.mu.Unlock()
}
