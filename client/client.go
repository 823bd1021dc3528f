package client

import (
	"context"
	"errors"
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
// Stop. A stopped client may be started again; the events of the new run are
// delivered after the handlers of the previous run have returned.
func (c *Client) Start(ctx context.Context) error {
	c.mu.Lock()
	if c.state != StateStopped {
		c.mu.Unlock()
		return ErrAlreadyStarted
	}
	var prev *dispatcher
	if c.sess != nil {
		prev = c.sess.disp
	}
	sctx, cancel := context.WithCancel(context.Background())
	sess := &session{ctx: sctx, cancel: cancel, disp: newDispatcher(prev, c.cfg.MaxQueuedMessages, c.cfg.MaxQueuedBytes)}
	c.sess = sess
	c.setStateLocked(StateConnecting, nil)
	sess.wg.Add(1) // before unlocking, so that a concurrent Stop waits for it
	c.mu.Unlock()

	result := make(chan error, 1)
	go c.supervise(ctx, sess, result)
	return <-result
}

// Stop closes the connection, fails pending operations with ErrStopped and
// waits (bounded by ctx) until the client's goroutines have ended. The
// Disconnected and Stopped events are then delivered on the dispatcher
// goroutine, which exits after the Stopped handler. Stop may be called from an
// event handler. Stopping a stopped client does nothing.
func (c *Client) Stop(ctx context.Context) error {
	c.mu.Lock()
	sess := c.sess
	c.mu.Unlock()
	if sess == nil {
		return nil
	}
	sess.cancel()
	done := make(chan struct{})
	go func() {
		sess.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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

// post queues a lifecycle event handler call on the session's dispatcher.
func (c *Client) post(sess *session, f func()) {
	sess.disp.post(f)
}

// postData queues the handler call of a data message that arrived on conn
// in a frame of size bytes, pausing the read loop (the caller) while the
// handler queue is full. The message is dropped if the session stops first.
func (c *Client) postData(sess *session, conn *connection, size int, f func()) {
	sess.disp.postData(f, int64(size), sess.ctx.Done(), conn.setPaused)
}

// handlerCall marks a client operation that waits for the service, when
// called from an event handler, so that the handler queue takes in the
// messages in front of the answer; call the returned function when done.
func (c *Client) handlerCall() (leave func()) {
	c.mu.Lock()
	sess := c.sess
	c.mu.Unlock()
	if sess == nil {
		return func() {}
	}
	if leave := sess.disp.enterCall(); leave != nil {
		return leave
	}
	return func() {}
}
