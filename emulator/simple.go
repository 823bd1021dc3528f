package emulator

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/internal/names"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Query parameters of a simple WebSocket client (no subprotocol) that choose
// what its frames do, as the service defines them.
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

// simpleMode is what a simple WebSocket client's frames do.
type simpleMode struct {
	// group is the group frames are published to; "" means frames are the
	// user event "message".
	group string
	// noEcho keeps the sender's own frames from coming back to it.
	noEcho bool
}

// parseSimpleMode reads the simple WebSocket query parameters.
func parseSimpleMode(q url.Values) (simpleMode, error) {
	var m simpleMode
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
	if err := names.ValidateGroup(m.group); err != nil {
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

// mayPublish reports whether roles allow sending to group.
func mayPublish(roles []string, group string) bool {
	return contains(roles, protocol.RoleSendToGroup) || contains(roles, protocol.RoleSendToGroup+"."+group)
}

// simpleFrame handles a frame of a simple WebSocket client.
func (e *Emulator) simpleFrame(ctx context.Context, c *conn, typ websocket.MessageType, data []byte) {
	p := protocol.Payload{Type: protocol.DataTypeText, Data: data}
	if typ == websocket.MessageBinary {
		p.Type = protocol.DataTypeBinary
	}
	if c.simple.group != "" {
		e.simplePublish(c, p)
		return
	}
	resp, err := e.onUserEvent(ctx, c, protocol.UserEventMessage, p)
	if err != nil {
		// As the service: a generic reason (onUserEvent logged the details).
		e.removeConn(c, upstreamFailed, websocket.StatusInternalError)
		return
	}
	e.respond(c, resp)
}

// simplePublish publishes a simple client's frame to its group.
func (e *Emulator) simplePublish(c *conn, p protocol.Payload) {
	g := c.simple.group
	if !c.hub.allowed(c, protocol.RoleSendToGroup, g) {
		e.log.Warn("emulator: simple WebSocket lost the permission to send to its group; closing it", "hub", c.hub.name, "connectionId", c.id, "group", g)
		e.removeConn(c, "the connection has no permission to send to group "+quote(g), websocket.StatusPolicyViolation)
		return
	}
	msg, err := newMessage(protocol.GroupDataMessage{Group: g, FromUserID: c.userID, Data: p}, p, 0)
	if err != nil {
		e.removeConn(c, "invalid message: "+cleanError(err), websocket.StatusInvalidFramePayloadData)
		return
	}
	tr := e.traceSend(c.hub, c, "connection", "group "+g, p)
	for _, target := range c.hub.group(g) {
		if c.simple.noEcho && target == c {
			continue
		}
		target.deliver(msg)
		tr.to(target)
	}
	tr.done()
}
