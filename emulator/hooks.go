package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// This file holds the call points for upstream event handlers (see
// Options.Upstream). With no upstream configured every hook is a no-op: the
// connection is accepted as the token describes it, and user events are acked
// with success and get no response. With upstreams, the hooks call them
// through internal/upstream exactly as the service does (CloudEvents over
// HTTP, abuse protection, ce-signature with the emulator's access key,
// connection state carried across events).
//
// The rest of the package calls only these methods and never depends on what
// they do inside.

// hookState is per-connection data owned by the hooks (conn.hooks): the
// upstream session carrying the connection's identity and state.
type hookState struct {
	mu      sync.Mutex
	session *upstream.Session
}

func (h *hookState) set(s *upstream.Session) {
	h.mu.Lock()
	h.session = s
	h.mu.Unlock()
}

func (h *hookState) get() *upstream.Session {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.session
}

// connectEvent describes a connection that is about to be accepted. onConnect
// may change UserID, Groups, Roles and Subprotocol, which start out as the
// access token and the WebSocket request describe them.
type connectEvent struct {
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
	// Subprotocol is the subprotocol that will be negotiated; the emulator
	// picks a supported one the client asked for. "" = simple WebSocket.
	Subprotocol string
}

// hookRejection is returned by onConnect to refuse a connection.
type hookRejection struct {
	// Status is the HTTP status of the handshake response (400, 401, 500...).
	Status int
	// Reason is the response body.
	Reason string
}

// onConnect runs before the WebSocket handshake is accepted. Returning a
// non-nil rejection refuses the connection with that status and reason.
//
// With a connect upstream, its answer can reject the connection (its status
// and reason) or set the user, add groups and roles and choose one of the
// requested subprotocols. An unreachable or failing upstream refuses the
// connection with 500.
func (e *Emulator) onConnect(ctx context.Context, ev *connectEvent) *hookRejection {
	u := e.upstream
	if u == nil {
		return nil
	}
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
		var se *upstream.StatusError
		if errors.As(err, &se) {
			r := se.Reason
			if r == "" {
				r = fmt.Sprintf("the upstream event handler refused the connection (status %d)", se.Status)
			}
			return &hookRejection{Status: se.Status, Reason: r}
		}
		// The details (the upstream's address, the transport error) are for
		// the operator's log, not for the client.
		e.log.Warn("emulator: upstream connect failed", "hub", ev.Hub, "connectionId", ev.ConnectionID, "err", err)
		return &hookRejection{Status: http.StatusInternalServerError, Reason: upstreamFailed}
	}
	if res != nil {
		if res.Subprotocol != "" {
			if !contains(ev.Subprotocols, res.Subprotocol) {
				return &hookRejection{Status: http.StatusInternalServerError, Reason: fmt.Sprintf("the upstream event handler chose subprotocol %q, which the client did not request", res.Subprotocol)}
			}
			ev.Subprotocol = res.Subprotocol
		}
		// As the service: userId overrides (even to ""), roles replace the
		// token's (an empty array removes them), groups replace the token's
		// only when the answer lists some.
		ev.UserID = s.UserID()
		if res.Roles != nil {
			ev.Roles = append([]string(nil), res.Roles...)
		}
		if len(res.Groups) > 0 {
			ev.Groups = append([]string(nil), res.Groups...)
		}
	}
	u.park(ev.ConnectionID, s)
	return nil
}

// upstreamFailed is what a client learns when the upstream could not be
// called or answered something unusable.
const upstreamFailed = "the upstream event handler failed"

// onConnected runs once a new connection is registered and its connected
// message is queued (not after a recovery). The connected upstream event is
// sent in the background.
func (e *Emulator) onConnected(ctx context.Context, c *conn) {
	_ = ctx
	u := e.upstream
	if u == nil {
		return
	}
	s := u.take(c.id)
	if s == nil {
		return
	}
	groups := c.hub.setSessionAndGroups(c, s)
	s.Connected()
	for _, g := range groups {
		s.GroupJoined(g)
	}
}

// onDisconnected runs once when a connection is removed for good (closed by
// the client, by the REST API, by a failure, or after its recovery window
// ran out). It is not called by Reset or Close. The disconnected upstream
// event is sent in the background, after the connected event.
func (e *Emulator) onDisconnected(ctx context.Context, c *conn, reason string) {
	_ = ctx
	if s := c.hooks.get(); s != nil {
		s.Disconnected(reason)
		return
	}
	// Removed before onConnected: forget the parked session.
	if e.upstream != nil {
		e.upstream.take(c.id)
	}
}

// onUserEvent handles a user event: an "event" message of a JSON client, or
// every frame of a simple WebSocket client (event name "message"). A non-nil
// response is delivered back to the caller as a message from the server; a
// non-nil error (always an *eventFailure) fails the event. It runs on the
// connection's reader, so messages of one connection are handled in order.
//
// The upstream is retried on 408, 5xx and network errors (see
// internal/upstream). What the client learns of a failure:
//   - the upstream answered 4xx other than 408: it refused the event for
//     good. The ack names it Forbidden (401, 403) or BadRequest (other
//     4xx) with the upstream's text answer as the message. Our Go client
//     does not retry these names, so a refusal reaches the upstream once
//     and the caller waits for nothing. (The JS client 1.1.0 retries any
//     failed ack, with a new ackId, 3 times 1 s apart; that is its own
//     policy and the emulator cannot tell its retries from new events.)
//   - anything else (5xx after the retries, network errors, timeouts,
//     unusable answers): InternalServerError with a generic message, as the
//     service; the details go to the log. Our Go client retries these with
//     the same ackId, which is sent upstream again because it failed.
func (e *Emulator) onUserEvent(ctx context.Context, c *conn, event string, data protocol.Payload) (*protocol.Payload, error) {
	return e.onUserEventWithOptions(ctx, c, event, data, upstream.UserEventOptions{})
}

// onUserEventWithOptions is onUserEvent with the event's content type and
// metadata (protobuf clients).
func (e *Emulator) onUserEventWithOptions(ctx context.Context, c *conn, event string, data protocol.Payload, opts upstream.UserEventOptions) (*protocol.Payload, error) {
	e.traceUserEvent(c, event, data)
	s := c.hooks.get()
	if s == nil {
		return nil, nil
	}
	p, err := s.UserEventWithOptions(ctx, event, data, opts)
	if err == nil {
		return p, nil
	}
	var se *upstream.StatusError
	if errors.As(err, &se) && se.Status >= 400 && se.Status < 500 && se.Status != http.StatusRequestTimeout {
		e.log.Warn("emulator: upstream refused a user event", "hub", c.hub.name, "connectionId", c.id, "event", event, "status", se.Status, "reason", se.Reason)
		name := protocol.ErrorBadRequest
		if se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden {
			name = protocol.ErrorForbidden
		}
		msg := se.Reason
		if msg == "" {
			msg = fmt.Sprintf("the upstream event handler refused the event (status %d)", se.Status)
		}
		return nil, &eventFailure{name: name, message: msg}
	}
	e.log.Warn("emulator: upstream user event failed", "hub", c.hub.name, "connectionId", c.id, "event", event, "err", err)
	return nil, &eventFailure{name: protocol.ErrorInternalServerError, message: upstreamFailed}
}

// eventFailure is why a user event failed, as the client's ack says it.
type eventFailure struct {
	// name is the ack's error name (BadRequest, Forbidden,
	// InternalServerError).
	name    string
	message string
}

func (f *eventFailure) Error() string { return f.name + ": " + f.message }
