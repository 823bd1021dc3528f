package hooks

import (
	"context"
	"errors"
	"fmt"

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

// Reply is an upstream's answer to a user event: the message to send back
// to the client (Respond), before its ack.
type Reply = upstream.Reply

// UserEvent sends a user event of c, an "event" message of a PubSub client
// or a frame of a simple WebSocket client (event name "message"), and
// waits for the upstream's answer.
//
// Every failure fails the event, as the service and Microsoft's emulator
// do: no handler of the hub takes the event (upstream.ErrNoHandler), the
// handler answered a status that is not 2xx (after the service's retries of
// 408 and 5xx), could not be reached, or answered something unusable (an
// unsupported Content-Type, invalid metadata or connection state). The
// client learns only that the event failed (an InternalServerError ack, or
// a close with 1011 for a simple WebSocket client): why, with the likely
// fix (upstream.Explain), goes to the log as a warning and to the live
// trace. (The JS client 1.1.0 retries a failed event, with a new ackId, 3
// times 1 s apart: its own policy, which the emulator cannot tell from new
// events.)
func (u *Caller) UserEvent(ctx context.Context, c *core.Conn, event string, data protocol.Payload, opts UserEventOptions) (*Reply, error) {
	r, err := u.send(ctx, c, event, data, opts)
	if err != nil && ctx.Err() == nil { // else the client is gone: no one to tell
		u.failed(c, event, err)
	}
	return r, err
}

// Invoke sends the user event of an invocation of c and waits for the
// answer. Unlike an event, an invocation that no handler takes succeeds
// with no answer (nil, nil): the inferred behaviour of the service
// (client-protocol-preview.md, section 2). Other failures are UserEvent's.
func (u *Caller) Invoke(ctx context.Context, c *core.Conn, event string, data protocol.Payload, opts UserEventOptions) (*Reply, error) {
	r, err := u.send(ctx, c, event, data, opts)
	switch {
	case errors.Is(err, upstream.ErrNoHandler):
		return nil, nil
	case err != nil && ctx.Err() == nil:
		u.failed(c, event, err)
	}
	return r, err
}

// send records the user event in the trace and sends it through c's
// session.
func (u *Caller) send(ctx context.Context, c *core.Conn, event string, data protocol.Payload, opts UserEventOptions) (*Reply, error) {
	u.trace.UserEvent(c, event, data)
	s := session(c)
	if s == nil {
		// Established without a connect hook (it always runs): nothing to
		// route by.
		return nil, upstream.ErrNoHandler
	}
	return s.SendUserEvent(ctx, event, data, opts)
}

// failed logs why a user event of c failed, and records it in the trace.
func (u *Caller) failed(c *core.Conn, event string, err error) {
	hub := c.Hub().Name()
	why := upstream.Explain(err)
	if errors.Is(err, upstream.ErrNoHandler) {
		why = fmt.Sprintf("no event handler of hub %q takes the user event %q: add one whose userEventPattern matches it (settings file, Options.Upstream or -upstream)", hub, event)
	}
	u.log.Warn("emulator: user event failed; the client is told only that it failed", "hub", hub, "connectionId", c.ID(), "event", event, "why", why)
	u.trace.UserEventFailed(c, event, why)
}
