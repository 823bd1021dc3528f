// Package hooks is the emulator's upstream caller: the connect event that
// decides a handshake, the user events of clients (events, invocations,
// simple WebSocket frames), and, as an observer of the core, the connected,
// disconnected and group presence events. With no upstream configured for
// a hub a connection is accepted as its token describes it and the other
// system events go nowhere, but a user event fails, as in the service: a
// user event needs a handler. With upstreams, the hooks call them through
// internal/upstream exactly as the service does (CloudEvents over HTTP,
// abuse protection, ce-signature with the access key, connection state
// carried across events). Why a call failed (upstream.Explain: the
// handler's URL, the hub, the status and answer, the likely fix) goes to
// the log and the live trace, and to a refused handshake's body, where the
// service fixes no text; never into an ack or a frame, whose texts are the
// service's.
package hooks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/observe"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// UpstreamFailed is the close reason of a simple WebSocket client whose
// user event failed (the service fixes no text for it); the details go to
// the log.
const UpstreamFailed = "the upstream event handler failed"

// pendingTTL is how long a session created by Connect waits for its
// connection to be established before it is forgotten.
const pendingTTL = time.Minute

// sessionKey holds a connection's upstream session (core.Conn.Value).
var sessionKey = core.NewKey()

// Config configures a Caller.
type Config struct {
	// Route picks the handler of an event from the settings in effect.
	Route func(hub, event string, system bool) (upstream.Handler, bool)
	// AccessKey signs the events (ce-signature).
	AccessKey string
	// Origin is the emulator's host:port (WebHook-Request-Origin).
	Origin string
	// Go runs the background sends; see upstream.Config.Go.
	Go func(func()) bool
	// Client sends the requests.
	Client *http.Client
	// RetryDelays replace the service's waits between validation retries
	// when not nil (tests).
	RetryDelays []time.Duration
	Logger      *slog.Logger
	// Trace records user events; nil when the trace is off.
	Trace *observe.Trace
}

// Caller calls the upstream event handlers. It is a core.Observer.
type Caller struct {
	inv   *upstream.Invoker
	log   *slog.Logger
	trace *observe.Trace

	mu      sync.Mutex
	pending map[string]pendingSession // by connection id
}

// pendingSession is a session whose connection is being set up.
type pendingSession struct {
	s  *upstream.Session
	at time.Time
}

// New returns a caller.
func New(cfg Config) (*Caller, error) {
	inv, err := upstream.New(upstream.Config{
		Route:       cfg.Route,
		AccessKeys:  []string{cfg.AccessKey},
		Origin:      cfg.Origin,
		Go:          cfg.Go,
		Client:      cfg.Client,
		RetryDelays: cfg.RetryDelays,
		Logger:      cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Caller{inv: inv, log: log, trace: cfg.Trace, pending: make(map[string]pendingSession)}, nil
}

// Revalidate makes upstream hosts be validated again before their next
// event (the settings changed).
func (u *Caller) Revalidate() { u.inv.Revalidate() }

// Close cancels the calls in flight and refuses new ones.
func (u *Caller) Close() { u.inv.Close() }

// ConnectEvent describes a connection about to be accepted. Connect may
// change UserID, Groups, Roles and Subprotocol, which start out as the
// access token and the WebSocket request describe them.
type ConnectEvent struct {
	Hub          string
	ConnectionID string
	// Claims are the access token's claims by name (role, webpubsub.group,
	// sub, aud, iat, exp) as string lists.
	Claims  map[string][]string
	Query   url.Values
	Headers http.Header
	// Subprotocols are the subprotocols the client asked for.
	Subprotocols []string

	UserID string
	Groups []string
	Roles  []string
	// Subprotocol is the subprotocol that will be negotiated. "" = simple
	// WebSocket.
	Subprotocol string
}

// Rejection refuses a connection.
type Rejection struct {
	// Status is the HTTP status of the handshake response (400, 401, 500...).
	Status int
	// Reason is the response body.
	Reason string
}

// Connect runs before a WebSocket handshake is accepted; a non-nil
// rejection refuses the connection with its status and reason.
//
// With a connect upstream, any 2xx answer accepts the connection (202
// included, as the service and Microsoft's emulator); its body can set the
// user, add groups and roles and choose one of the requested subprotocols
// (compared ignoring case). A non-2xx answer refuses the connection with
// that status; an unreachable upstream, or one whose answer cannot be used,
// with 500. The refusal's reason, the handshake's body, says why and what
// to do (upstream.Explain: the handler's URL, the hub, the status and the
// start of the answer, the likely fix): the service fixes no text there.
func (u *Caller) Connect(ctx context.Context, ev *ConnectEvent) *Rejection {
	s, res, err := u.inv.Connect(ctx, upstream.ConnectRequest{
		Hub:          ev.Hub,
		ConnectionID: ev.ConnectionID,
		UserID:       ev.UserID,
		Subprotocol:  ev.Subprotocol,
		Claims:       ev.Claims,
		Query:        ev.Query,
		Headers:      ev.Headers,
		Subprotocols: ev.Subprotocols,
	})
	if err != nil {
		rej := &Rejection{Status: http.StatusInternalServerError, Reason: upstream.Explain(err)}
		var se *upstream.StatusError
		if errors.As(err, &se) {
			rej.Status = se.Status
		}
		return rej
	}
	if res != nil {
		if rej := applyAnswer(ev, s, res); rej != nil {
			return rej
		}
	}
	u.park(ev.ConnectionID, s)
	return nil
}

// applyAnswer applies a connect answer to ev, as the service does: userId
// overrides (even to ""), roles replace the token's (an empty array removes
// them), groups replace the token's only when the answer lists some.
func applyAnswer(ev *ConnectEvent, s *upstream.Session, res *protocol.ConnectResponse) *Rejection {
	if res.Subprotocol != "" {
		if !containsFold(ev.Subprotocols, res.Subprotocol) {
			return &Rejection{Status: http.StatusInternalServerError, Reason: fmt.Sprintf("the connect event handler of hub %q chose subprotocol %q, which the client did not request: answer with one of the subprotocols of the connect event", ev.Hub, res.Subprotocol)}
		}
		ev.Subprotocol = res.Subprotocol
	}
	ev.UserID = s.UserID()
	if res.Roles != nil {
		ev.Roles = append([]string(nil), res.Roles...)
	}
	if len(res.Groups) > 0 {
		ev.Groups = append([]string(nil), res.Groups...)
	}
	return nil
}

// containsFold reports whether list holds s, ignoring case (subprotocols
// are negotiated ignoring case, as Microsoft's emulator does).
func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// park keeps s until the connection id is established, forgetting sessions
// whose connection never was.
func (u *Caller) park(id string, s *upstream.Session) {
	now := time.Now()
	u.mu.Lock()
	defer u.mu.Unlock()
	for k, p := range u.pending {
		if now.Sub(p.at) > pendingTTL {
			delete(u.pending, k)
		}
	}
	u.pending[id] = pendingSession{s: s, at: now}
}

// take removes and returns the session parked for id, or nil.
func (u *Caller) take(id string) *upstream.Session {
	u.mu.Lock()
	defer u.mu.Unlock()
	p, ok := u.pending[id]
	if !ok {
		return nil
	}
	delete(u.pending, id)
	return p.s
}

// session returns c's session, or nil before it is established.
func session(c *core.Conn) *upstream.Session {
	s, _ := c.Value(sessionKey).(*upstream.Session)
	return s
}
