package hooks

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// The non-blocking events follow the core's lifecycle (core.Observer): the
// connected event when a connection is established (not after a
// recovery), followed by a group presence event (azure.webpubsub.gp.joined)
// for each group it is in then; gp.joined and gp.left when it joins or
// leaves a group by any route (client, REST, token or connect answer), for
// the handlers whose settings ask for them; the disconnected event once
// when it is removed for good (not on Reset or Close). A connection that
// closes leaves its groups without gp.left events: its disconnected event
// says it (the service's behaviour there is not documented; this is the
// emulator's choice). The session queues a connection's events in order.

// OnConnected implements core.Observer.
func (u *Caller) OnConnected(c *core.Conn, groups []string) {
	s := session(c) // an MQTT session is attached before (MQTTAttach)
	if s == nil {
		if s = u.take(c.ID()); s == nil {
			return
		}
		c.SetValue(sessionKey, s)
	}
	s.Connected()
	for _, g := range groups {
		s.GroupJoined(g)
	}
}

// OnRemoved implements core.Observer.
func (u *Caller) OnRemoved(c *core.Conn, reason string) {
	if s := session(c); s != nil {
		s.Disconnected(reason)
		return
	}
	u.take(c.ID()) // removed before it was established: forget the session
}

// OnJoined implements core.Observer.
func (u *Caller) OnJoined(c *core.Conn, group string) {
	if s := session(c); s != nil {
		s.GroupJoined(group)
	}
}

// OnLeft implements core.Observer.
func (u *Caller) OnLeft(c *core.Conn, group string) {
	if s := session(c); s != nil {
		s.GroupLeft(group)
	}
}

// OnDropped implements core.Observer; the upstream hears nothing.
func (u *Caller) OnDropped(*core.Conn) {}

// OnRecovered implements core.Observer; the upstream hears nothing.
func (u *Caller) OnRecovered(*core.Conn) {}

// OnLimit implements core.Observer; the removal that follows is reported.
func (u *Caller) OnLimit(*core.Conn, string) {}

// OnMessage implements core.Observer; messages do not go upstream.
func (u *Caller) OnMessage(*core.Sent) {}

// OnReset implements core.Observer.
func (u *Caller) OnReset() {}

// UserEventOptions are the optional parts of a user event (see
// upstream.UserEventOptions).
type UserEventOptions = upstream.UserEventOptions

// EventFailure is why a user event failed, as the client's ack says it.
type EventFailure struct {
	// Name is the ack's error name (BadRequest, Forbidden,
	// InternalServerError).
	Name    string
	Message string
}

func (f *EventFailure) Error() string { return f.Name + ": " + f.Message }

// UserEvent sends a user event of c: an "event" message or an invocation
// of a PubSub client, or a frame of a simple WebSocket client (event name
// "message"). A non-nil answer goes back to the client as a message from
// the server; a failure is an *EventFailure.
//
// The upstream is retried on 408, 5xx and network errors (see
// internal/upstream). What the client learns of a failure:
//   - the upstream answered 4xx other than 408: it refused the event for
//     good. The ack names it Forbidden (401, 403) or BadRequest (other
//     4xx) with the upstream's text answer as the message. Our Go client
//     does not retry these names, so a refusal reaches the upstream once.
//     (The JS client 1.1.0 retries any failed ack, with a new ackId, 3
//     times 1 s apart; that is its own policy and the emulator cannot tell
//     its retries from new events.)
//   - anything else (5xx after the retries, network errors, timeouts,
//     unusable answers): InternalServerError with a generic message, as the
//     service; the details go to the log.
func (u *Caller) UserEvent(ctx context.Context, c *core.Conn, event string, data protocol.Payload, opts UserEventOptions) (*protocol.Payload, error) {
	u.trace.UserEvent(c, event, data)
	s := session(c)
	if s == nil {
		return nil, nil
	}
	p, err := s.UserEventWithOptions(ctx, event, data, opts)
	if err == nil {
		return p, nil
	}
	hub := c.Hub().Name()
	var se *upstream.StatusError
	if errors.As(err, &se) && se.Status >= 400 && se.Status < 500 && se.Status != http.StatusRequestTimeout {
		u.log.Warn("emulator: upstream refused a user event", "hub", hub, "connectionId", c.ID(), "event", event, "status", se.Status, "reason", se.Reason)
		name := protocol.ErrorBadRequest
		if se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden {
			name = protocol.ErrorForbidden
		}
		msg := se.Reason
		if msg == "" {
			msg = fmt.Sprintf("the upstream event handler refused the event (status %d)", se.Status)
		}
		return nil, &EventFailure{Name: name, Message: msg}
	}
	u.log.Warn("emulator: upstream user event failed", "hub", hub, "connectionId", c.ID(), "event", event, "err", err)
	return nil, &EventFailure{Name: protocol.ErrorInternalServerError, Message: UpstreamFailed}
}
