package pubsub

import (
	"context"
	"errors"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/hooks"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wire"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// The requests that carry an ackId are answered as Microsoft's emulator
// answers them (WebPubSubSubprotocolPayloadProcessor.ProcessAsync): an ackId
// that already succeeded is answered Duplicate before anything else is
// checked, with the service's words (protocol.DuplicateAck); a request the
// connection has no permission for is answered Forbidden
// (protocol.ForbiddenAck); an event that fails upstream InternalServerError
// (protocol.InternalServerErrorAck). Only a success records its ackId
// (core.Conn.RecordAckID), so a failed request may be retried with the same
// one.

// joinLeave handles joinGroup (join true) and leaveGroup. The group was
// validated by the request's reader.
func (a *Adapter) joinLeave(c *core.Conn, group string, ackID *uint64, join bool) {
	if a.duplicate(c, ackID) {
		return
	}
	if !c.Allowed(core.RoleJoinLeaveGroup, group) {
		typ := protocol.TypeLeaveGroup
		if join {
			typ = protocol.TypeJoinGroup
		}
		a.ackFailed(c, ackID, func(id uint64) protocol.AckMessage { return protocol.ForbiddenAck(id, typ, group) })
		return
	}
	h := c.Hub()
	if join {
		switch err := h.Join(c, group, nil); {
		case errors.Is(err, core.ErrGone):
			return // removed meanwhile: no effect and no ack
		case err != nil:
			// The emulator's groups-per-connection limit: the service has no
			// text for it.
			a.ackError(c, ackID, protocol.ErrorBadRequest, err.Error())
			return
		}
	} else {
		h.Leave(c, group)
	}
	a.ackSuccess(c, ackID)
}

// sendToGroup handles sendToGroup. The group, ttl and metadata were
// validated by the request's reader.
func (a *Adapter) sendToGroup(c *core.Conn, m protocol.SendToGroupMessage) {
	if a.duplicate(c, m.AckID) {
		return
	}
	if !c.Allowed(core.RoleSendToGroup, m.Group) {
		a.ackFailed(c, m.AckID, func(id uint64) protocol.AckMessage {
			return protocol.ForbiddenAck(id, protocol.TypeSendToGroup, m.Group)
		})
		return
	}
	msg := &core.Message{Origin: core.FromGroup, Group: m.Group, FromUserID: c.UserID(), Data: wire.CorePayload(m.Data), Metadata: m.Metadata}
	if m.TTLSeconds > 0 {
		msg.Expires = time.Now().Add(time.Duration(m.TTLSeconds) * time.Second)
	}
	if err := wire.Check(msg); err != nil {
		a.ackError(c, m.AckID, protocol.ErrorBadRequest, err.Error())
		return
	}
	h := c.Hub()
	send := &core.Send{Message: msg, From: c, Source: "connection", Target: "group " + m.Group, To: h.Group(m.Group)}
	if m.NoEcho {
		send.Skip = func(t *core.Conn) bool { return t == c }
	}
	h.Send(send)
	a.ackSuccess(c, m.AckID)
}

// event handles event: the upstream answers it. Its answer goes back to
// the client before the success ack, as the service does; any failure is
// an InternalServerError ack "Internal server error" (the hooks log why).
func (a *Adapter) event(ctx context.Context, c *core.Conn, m protocol.EventMessage) {
	if a.duplicate(c, m.AckID) {
		return
	}
	reply, err := a.hooks.UserEvent(ctx, c, m.Event, m.Data, userEventOptions(m.Data, m.Metadata))
	if err != nil {
		a.ackFailed(c, m.AckID, protocol.InternalServerErrorAck)
		return
	}
	a.hooks.Respond(c, reply)
	a.ackSuccess(c, m.AckID)
}

// userEventOptions returns how a user event (event or invoke) goes
// upstream, whatever the client's subprotocol: its metadata as
// x-webpubsub-metadata-<key> headers, and a protobuf Any payload as
// application/x-protobuf.
func userEventOptions(data protocol.Payload, metadata map[string]string) hooks.UserEventOptions {
	opts := hooks.UserEventOptions{Metadata: metadata}
	if data.Type == protocol.DataTypeProtobuf {
		opts.ContentType = protocol.ContentTypeProtobuf
	}
	return opts
}

// duplicate answers a request whose ackId already succeeded, and reports
// whether it did.
func (a *Adapter) duplicate(c *core.Conn, ackID *uint64) bool {
	if ackID == nil || !c.Duplicate(*ackID) {
		return false
	}
	a.ackFailed(c, ackID, protocol.DuplicateAck)
	return true
}

// ackSuccess records ackID as processed and acks it with success. A nil
// ackID means the client asked for no ack.
func (a *Adapter) ackSuccess(c *core.Conn, ackID *uint64) {
	if ackID == nil {
		return
	}
	c.RecordAckID(*ackID)
	a.send(c, protocol.AckMessage{AckID: *ackID, Success: true})
}

// ackFailed sends the failed ack that ack builds for ackID. A nil ackID
// means the client asked for no ack.
func (a *Adapter) ackFailed(c *core.Conn, ackID *uint64, ack func(uint64) protocol.AckMessage) {
	if ackID == nil {
		return
	}
	m := ack(*ackID)
	if m.Error != nil {
		a.trace.AckFailed(c, m.AckID, m.Error.Name, m.Error.Message)
	}
	a.send(c, m)
}

// ackError acks ackID with an error of the emulator's own (where the
// service has none). A nil ackID means the client asked for no ack.
func (a *Adapter) ackError(c *core.Conn, ackID *uint64, name, message string) {
	a.ackFailed(c, ackID, func(id uint64) protocol.AckMessage {
		return protocol.AckMessage{AckID: id, Error: &protocol.AckError{Name: name, Message: message}}
	})
}

// quote returns s in double quotes, shortened if long.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + s + `"`
}
