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

// duplicateMessage is the ack error message of an operation whose ackId
// already succeeded.
const duplicateMessage = "the message with this ackId was already processed"

// joinLeave handles joinGroup (join true) and leaveGroup.
func (a *Adapter) joinLeave(c *core.Conn, group string, ackID *uint64, join bool) {
	if err := core.ValidateGroup(group); err != nil {
		a.ackError(c, ackID, protocol.ErrorBadRequest, err.Error())
		return
	}
	if ackID != nil && c.Duplicate(*ackID) {
		a.ackError(c, ackID, protocol.ErrorDuplicate, duplicateMessage)
		return
	}
	if !c.Allowed(core.RoleJoinLeaveGroup, group) {
		a.ackError(c, ackID, protocol.ErrorForbidden, "the connection has no permission to join or leave group "+quote(group))
		return
	}
	h := c.Hub()
	if join {
		switch err := h.Join(c, group, nil); {
		case errors.Is(err, core.ErrGone):
			return // removed meanwhile: no effect and no ack
		case err != nil:
			a.ackError(c, ackID, protocol.ErrorBadRequest, err.Error())
			return
		}
	} else {
		h.Leave(c, group)
	}
	a.ackSuccess(c, ackID)
}

// sendToGroup handles sendToGroup.
func (a *Adapter) sendToGroup(c *core.Conn, m protocol.SendToGroupMessage) {
	if err := core.ValidateGroup(m.Group); err != nil {
		a.ackError(c, m.AckID, protocol.ErrorBadRequest, err.Error())
		return
	}
	if m.AckID != nil && c.Duplicate(*m.AckID) {
		a.ackError(c, m.AckID, protocol.ErrorDuplicate, duplicateMessage)
		return
	}
	if !c.Allowed(core.RoleSendToGroup, m.Group) {
		a.ackError(c, m.AckID, protocol.ErrorForbidden, "the connection has no permission to send to group "+quote(m.Group))
		return
	}
	msg := &core.Message{Origin: core.FromGroup, Group: m.Group, FromUserID: c.UserID(), Data: wire.CorePayload(m.Data)}
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

// event handles event: the upstream answers it.
func (a *Adapter) event(ctx context.Context, c *core.Conn, m protocol.EventMessage) {
	if m.AckID != nil && c.Duplicate(*m.AckID) {
		a.ackError(c, m.AckID, protocol.ErrorDuplicate, duplicateMessage)
		return
	}
	resp, err := a.hooks.UserEvent(ctx, c, m.Event, m.Data, userEventOptions(c, m.Data, m.Metadata))
	if err != nil {
		name, msg := protocol.ErrorInternalServerError, hooks.UpstreamFailed
		var f *hooks.EventFailure
		if errors.As(err, &f) {
			name, msg = f.Name, f.Message
		}
		a.ackError(c, m.AckID, name, msg)
		return
	}
	a.ackSuccess(c, m.AckID)
	a.hooks.Respond(c, resp)
}

// userEventOptions returns how a user event (event or invoke) of c goes
// upstream: a protobuf client's Any payload as application/x-protobuf and
// its metadata as x-webpubsub-metadata-<key> headers; a JSON client's as
// its data type says, without metadata.
func userEventOptions(c *core.Conn, data protocol.Payload, metadata map[string]string) hooks.UserEventOptions {
	var opts hooks.UserEventOptions
	if state(c).codec.Binary() {
		opts.Metadata = metadata
		if data.Type == protocol.DataTypeProtobuf {
			opts.ContentType = protocol.ContentTypeProtobuf
		}
	}
	return opts
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

// ackError acks ackID with an error. A nil ackID means the client asked for
// no ack.
func (a *Adapter) ackError(c *core.Conn, ackID *uint64, name, message string) {
	if ackID == nil {
		return
	}
	a.trace.AckFailed(c, *ackID, name, message)
	a.send(c, protocol.AckMessage{AckID: *ackID, Success: false, Error: &protocol.AckError{Name: name, Message: message}})
}

// quote returns s in double quotes, shortened if long.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + s + `"`
}
