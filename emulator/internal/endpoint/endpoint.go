// Package endpoint is the client WebSocket endpoint, /client/hubs/{hub}:
// the handshake (access token, the upstream connect event, subprotocol
// negotiation), the recovery of reliable connections, and the sockets
// themselves, whose frames go in order through the core to the adapter of
// the connection's wire (package pubsub for the PubSub subprotocols,
// package simple for simple WebSocket clients).
package endpoint

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/internal/access"
	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/hooks"
	"github.com/webpubsub-go/webpubsub/emulator/internal/observe"
	"github.com/webpubsub-go/webpubsub/emulator/internal/pubsub"
	"github.com/webpubsub-go/webpubsub/emulator/internal/simple"
	"github.com/webpubsub-go/webpubsub/emulator/internal/tasks"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wslink"
)

// MaxClientMessage is the largest frame a client may send (1 MiB, as the
// service).
const MaxClientMessage = 1 << 20

// Config configures an Endpoint.
type Config struct {
	Core   *core.Core
	Access *access.Access
	Hooks  *hooks.Caller
	PubSub *pubsub.Adapter
	Simple *simple.Adapter
	// Tasks tracks the sockets' goroutines.
	Tasks *tasks.Group
	// AllowsAnonymous reports whether a hub accepts clients without a
	// token (its settings' anonymousConnectPolicy).
	AllowsAnonymous func(hub string) bool
	// WriteTimeout and CloseTimeout bound a socket's writes and graceful
	// close (see wsio.Limits).
	WriteTimeout, CloseTimeout time.Duration
	Trace                      *observe.Trace
	Logger                     *slog.Logger
}

// Endpoint serves client WebSockets.
type Endpoint struct {
	cfg Config
	log *slog.Logger

	mu sync.Mutex
	// live are the running sockets, including those of removed connections
	// still closing, so that AbortAll can abort them all.
	live   map[*wsio.Socket]struct{}
	closed bool // AbortAll ran: no socket may start
}

// New returns an endpoint.
func New(cfg Config) *Endpoint {
	return &Endpoint{cfg: cfg, log: cfg.Logger, live: make(map[*wsio.Socket]struct{})}
}

// Handler returns the endpoint's handler; it needs the {hub} path value.
func (p *Endpoint) Handler() http.HandlerFunc { return p.cfg.Trace.Handshakes(p.serve) }

// AbortAll aborts every socket, so that closing never waits on a peer, and
// every socket that would start from now on.
func (p *Endpoint) AbortAll() {
	p.mu.Lock()
	p.closed = true
	live := make([]*wsio.Socket, 0, len(p.live))
	for s := range p.live {
		live = append(live, s)
	}
	p.mu.Unlock()
	for _, s := range live {
		s.Abort()
	}
}

// newSocket returns a socket under the core's queue limits and budget and
// the endpoint's deadlines.
func (p *Endpoint) newSocket() *wsio.Socket {
	lim := p.cfg.Core.Limits()
	l := wsio.Limits{
		QueueFrames:  lim.QueueFrames,
		QueueBytes:   lim.QueueBytes,
		WriteTimeout: p.cfg.WriteTimeout,
		CloseTimeout: p.cfg.CloseTimeout,
	}
	if b := p.cfg.Core.Outbound(); b != nil {
		l.Budget = b // emulator-wide (core.Limits.TotalQueueBytes)
	}
	return wsio.New(l, p.log)
}

// frameHandler handles the frames of one wire.
type frameHandler interface {
	Handle(ctx context.Context, c *core.Conn, typ websocket.MessageType, data []byte)
}

// handlerOf returns the adapter of c's wire.
func (p *Endpoint) handlerOf(c *core.Conn) frameHandler {
	if pubsub.Subprotocol(c) != "" {
		return p.cfg.PubSub
	}
	return p.cfg.Simple
}

// run serves socket l of c on a goroutine of its own (so that the
// handshake's deep stack is not kept for the connection's lifetime) until
// it ends, then tells the core. The caller's Tasks.Add is released when it
// ends.
func (p *Endpoint) run(c *core.Conn, l *wslink.Link) {
	go func() {
		defer p.cfg.Tasks.Done()
		s := l.Socket()
		if !p.register(s) {
			s.Abort() // the emulator is closing
		}
		defer p.unregister(s)
		s.Start()
		err := p.read(c, l)
		s.Stop()
		status := websocket.CloseStatus(err)
		c.LinkEnded(l, status == websocket.StatusNormalClosure || status == websocket.StatusGoingAway)
	}()
}

// read reads frames and hands them to the connection's inbox until the
// socket fails. Once the connection is removed (or the socket replaced by a
// recovery) it stops reading at once: a frame read after that has no
// effect, and the socket ends when its close handshake does (bounded by
// the close timeout) or when it is aborted.
func (p *Endpoint) read(c *core.Conn, l *wslink.Link) error {
	s := l.Socket()
	ctx := s.Context()
	h := p.handlerOf(c)
	for {
		typ, data, err := s.Read()
		if err != nil {
			p.logReadEnd(c, err)
			return err
		}
		if !c.Serves(l) {
			<-ctx.Done()
			return ctx.Err()
		}
		if err := c.Submit(ctx, l, len(data), func() { h.Handle(ctx, c, typ, data) }); err != nil {
			return err
		}
	}
}

// register records s as live; it reports false once the emulator is
// closing.
func (p *Endpoint) register(s *wsio.Socket) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.live[s] = struct{}{}
	return true
}

// unregister forgets a socket that ended.
func (p *Endpoint) unregister(s *wsio.Socket) {
	p.mu.Lock()
	delete(p.live, s)
	p.mu.Unlock()
}

// logReadEnd warns when a client's read ended because of a limit: a frame
// over MaxClientMessage (the connection is closed with 1009).
func (p *Endpoint) logReadEnd(c *core.Conn, err error) {
	if errors.Is(err, websocket.ErrMessageTooBig) {
		p.log.Warn("emulator: limit hit: a client frame is larger than the emulator accepts; closing the connection with 1009", "hub", c.Hub().Name(), "connectionId", c.ID(), "limit", MaxClientMessage)
	}
}
