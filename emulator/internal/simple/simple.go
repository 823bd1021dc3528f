// Package simple is the emulator's adapter for simple WebSocket clients (no
// subprotocol): each frame is a user event "message" whose upstream answer
// comes back as a raw frame, or, with webpubsub_mode=sendToGroup, a message
// to one group. Messages reach these clients as their raw payload (without
// metadata). A user event that fails (no handler of the hub takes
// "message", the handler answers a status that is not 2xx or cannot be
// reached) closes the connection with 1011, as the service and Microsoft's
// emulator do.
package simple

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/hooks"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wire"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wslink"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Query parameters of a simple WebSocket client that choose what its frames
// do, as the service defines them.
const (
	queryMode   = "webpubsub_mode"
	queryGroup  = "group"
	queryNoEcho = "noEcho"
	// modeSendEvent (the default) sends every frame as the user event
	// "message"; the upstream's answer comes back as a raw frame.
	modeSendEvent = "sendEvent"
	// modeSendToGroup publishes every frame to the group of queryGroup.
	modeSendToGroup = "sendToGroup"
)

// Mode is what a simple WebSocket client's frames do.
type Mode struct {
	// group is the group frames are published to; "" means frames are the
	// user event "message".
	group string
	// noEcho keeps the sender's own frames from coming back to it.
	noEcho bool
}

// ParseMode reads the simple WebSocket query parameters of a handshake.
func ParseMode(q url.Values) (Mode, error) {
	var m Mode
	mode := q.Get(queryMode)
	switch {
	case mode == "" || strings.EqualFold(mode, modeSendEvent):
		if q.Has(queryGroup) || q.Has(queryNoEcho) {
			return m, fmt.Errorf("the %s and %s query parameters need %s=%s", queryGroup, queryNoEcho, queryMode, modeSendToGroup)
		}
		return m, nil
	case strings.EqualFold(mode, modeSendToGroup):
	default:
		return m, fmt.Errorf("%s=%q is not a mode; use %s (the default) or %s", queryMode, mode, modeSendEvent, modeSendToGroup)
	}
	m.group = q.Get(queryGroup)
	if m.group == "" {
		return m, fmt.Errorf("%s=%s needs the group query parameter", queryMode, modeSendToGroup)
	}
	if err := core.ValidateGroup(m.group); err != nil {
		return m, fmt.Errorf("invalid group query parameter: %w", err)
	}
	if v := q.Get(queryNoEcho); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return m, fmt.Errorf("%s=%q is not true or false", queryNoEcho, v)
		}
		m.noEcho = b
	}
	return m, nil
}

// Admit returns why a client with roles cannot use mode, or "".
func (m Mode) Admit(roles []string) string {
	if m.group != "" && !core.RolesAllow(roles, core.RoleSendToGroup, m.group) {
		return "webpubsub_mode=sendToGroup needs the role " + core.RoleSendToGroup + " or " + core.RoleSendToGroup + "." + m.group
	}
	return ""
}

// Adapter handles simple WebSocket connections.
type Adapter struct {
	hooks *hooks.Caller
	log   *slog.Logger
}

// New returns an adapter.
func New(h *hooks.Caller, log *slog.Logger) *Adapter { return &Adapter{hooks: h, log: log} }

// Open completes spec for a simple WebSocket client in mode and returns the
// framer of its socket.
func (a *Adapter) Open(spec *core.ConnSpec, mode Mode) wslink.Framer {
	spec.Adapter = &mode
	return framer{}
}

// framer frames messages as their raw payload.
type framer struct{}

// Frame implements wslink.Framer: a text frame for text and JSON data, a
// binary one for the rest.
func (framer) Frame(m *core.Message, _ uint64) (wsio.Frame, error) {
	typ := websocket.MessageText
	if m.Data.Type == core.DataBinary || m.Data.Type == core.DataProtobuf {
		typ = websocket.MessageBinary
	}
	return wsio.Frame{Type: typ, Data: m.Data.Data}, nil
}

// Goodbye implements wslink.Framer: a simple client gets only the close
// frame.
func (framer) Goodbye(string) (wsio.Frame, bool) { return wsio.Frame{}, false }

// Handle handles one frame of c's client. ctx ends with its socket.
func (a *Adapter) Handle(ctx context.Context, c *core.Conn, typ websocket.MessageType, data []byte) {
	p := protocol.Payload{Type: protocol.DataTypeText, Data: data}
	if typ == websocket.MessageBinary {
		p.Type = protocol.DataTypeBinary
	}
	if mode := c.Adapter().(*Mode); mode.group != "" {
		a.publish(c, mode, p)
		return
	}
	reply, err := a.hooks.UserEvent(ctx, c, protocol.UserEventMessage, p, hooks.UserEventOptions{})
	if err != nil {
		// As the service: 1011 with a generic reason (UserEvent logged why).
		c.Remove(core.CloseReason{Kind: core.CloseServerError, Text: hooks.UpstreamFailed})
		return
	}
	a.hooks.Respond(c, reply)
}

// publish publishes a frame of c to its group.
func (a *Adapter) publish(c *core.Conn, mode *Mode, p protocol.Payload) {
	g := mode.group
	h := c.Hub()
	if !c.Allowed(core.RoleSendToGroup, g) {
		a.log.Warn("emulator: simple WebSocket lost the permission to send to its group; closing it", "hub", h.Name(), "connectionId", c.ID(), "group", g)
		c.Remove(core.CloseReason{Kind: core.ClosePolicyViolation, Text: "The connection is not authorized for raw sendToGroup mode."}) // Microsoft's emulator's words
		return
	}
	msg := &core.Message{Origin: core.FromGroup, Group: g, FromUserID: c.UserID(), Data: wire.CorePayload(p)}
	if err := wire.Check(msg); err != nil {
		c.Remove(core.CloseReason{Kind: core.CloseInvalidFrame, Text: "invalid message: " + err.Error()})
		return
	}
	send := &core.Send{Message: msg, From: c, Source: "connection", Target: "group " + g, To: h.Group(g)}
	if mode.noEcho {
		send.Skip = func(t *core.Conn) bool { return t == c }
	}
	h.Send(send)
}
