package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/internal/names"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// handleFrame handles one frame a client sent.
func (e *Emulator) handleFrame(ctx context.Context, c *conn, typ websocket.MessageType, data []byte) {
	if !c.isPubSub() {
		e.simpleFrame(ctx, c, typ, data)
		return
	}
	if c.codec.Binary() {
		e.handleProtobufFrame(ctx, c, typ, data)
		return
	}
	if typ != websocket.MessageText {
		e.removeConn(c, "binary frames are not allowed with the "+c.subprotocol+" subprotocol", websocket.StatusUnsupportedData)
		return
	}
	m, err := protocol.Decode(data)
	if err != nil {
		var probe struct {
			AckID *uint64 `json:"ackId"`
		}
		if json.Unmarshal(data, &probe) != nil {
			e.removeConn(c, "invalid message: not a JSON object with valid fields", websocket.StatusInvalidFramePayloadData)
			return
		}
		if probe.AckID != nil {
			c.ackError(probe.AckID, protocol.ErrorBadRequest, cleanError(err))
		}
		e.log.Debug("emulator: ignoring invalid message", "connectionId", c.id, "err", err)
		return
	}
	e.handleMessage(ctx, c, m)
}

// handleMessage handles one decoded message a PubSub client sent, whatever
// its subprotocol.
func (e *Emulator) handleMessage(ctx context.Context, c *conn, m protocol.Message) {
	if e.handlePreviewFrame(ctx, c, m) { // invoke and group streams: streams.go
		return
	}
	switch m := m.(type) {
	case protocol.JoinGroupMessage:
		e.clientJoinLeave(c, m.Group, m.AckID, true)
	case protocol.LeaveGroupMessage:
		e.clientJoinLeave(c, m.Group, m.AckID, false)
	case protocol.SendToGroupMessage:
		e.clientSendToGroup(c, m)
	case protocol.EventMessage:
		e.clientEvent(ctx, c, m)
	case protocol.SequenceAckMessage:
		if c.reliable && !c.ackSequence(m.SequenceID) {
			e.log.Debug("emulator: ignoring sequenceAck beyond the last sequence id sent", "connectionId", c.id, "sequenceId", m.SequenceID)
		}
	case protocol.PingMessage:
		c.sendControl(protocol.PongMessage{})
	case protocol.UnknownMessage:
		// A frame type the service does not know: refused when it asked for
		// an ack, otherwise ignored.
		c.ackError(m.AckID, protocol.ErrorBadRequest, m.Reason)
		e.log.Debug("emulator: ignoring unknown message", "connectionId", c.id, "reason", m.Reason)
	default:
		// Messages a client has no business sending (ack, system, message
		// from the service) are ignored.
		e.log.Debug("emulator: ignoring message", "connectionId", c.id, "type", m.Type())
	}
}

// clientJoinLeave handles joinGroup (join true) and leaveGroup.
func (e *Emulator) clientJoinLeave(c *conn, group string, ackID *uint64, join bool) {
	if err := names.ValidateGroup(group); err != nil {
		c.ackError(ackID, protocol.ErrorBadRequest, err.Error())
		return
	}
	if ackID != nil && c.isDuplicate(*ackID) {
		c.ackError(ackID, protocol.ErrorDuplicate, "the message with this ackId was already processed")
		return
	}
	if !c.hub.allowed(c, protocol.RoleJoinLeaveGroup, group) {
		c.ackError(ackID, protocol.ErrorForbidden, "the connection has no permission to join or leave group "+quote(group))
		return
	}
	if join {
		switch err := c.hub.join(c, group); {
		case errors.Is(err, errNotRegistered):
			return // removed meanwhile: no effect and no ack
		case err != nil:
			c.ackError(ackID, protocol.ErrorBadRequest, err.Error())
			return
		}
	} else {
		c.hub.leave(c, group)
	}
	c.ackSuccess(ackID)
}

// clientSendToGroup handles sendToGroup.
func (e *Emulator) clientSendToGroup(c *conn, m protocol.SendToGroupMessage) {
	if err := names.ValidateGroup(m.Group); err != nil {
		c.ackError(m.AckID, protocol.ErrorBadRequest, err.Error())
		return
	}
	if m.AckID != nil && c.isDuplicate(*m.AckID) {
		c.ackError(m.AckID, protocol.ErrorDuplicate, "the message with this ackId was already processed")
		return
	}
	if !c.hub.allowed(c, protocol.RoleSendToGroup, m.Group) {
		c.ackError(m.AckID, protocol.ErrorForbidden, "the connection has no permission to send to group "+quote(m.Group))
		return
	}
	msg, err := newMessage(protocol.GroupDataMessage{Group: m.Group, FromUserID: c.userID, Data: m.Data}, m.Data, time.Duration(m.TTLSeconds)*time.Second)
	if err != nil {
		c.ackError(m.AckID, protocol.ErrorBadRequest, cleanError(err))
		return
	}
	tr := e.traceSend(c.hub, c, "connection", "group "+m.Group, m.Data)
	for _, target := range c.hub.group(m.Group) {
		if m.NoEcho && target == c {
			continue
		}
		target.deliver(msg)
		tr.to(target)
	}
	tr.done()
	c.ackSuccess(m.AckID)
}

// clientEvent handles event: the upstream hook answers it.
func (e *Emulator) clientEvent(ctx context.Context, c *conn, m protocol.EventMessage) {
	if m.AckID != nil && c.isDuplicate(*m.AckID) {
		c.ackError(m.AckID, protocol.ErrorDuplicate, "the message with this ackId was already processed")
		return
	}
	resp, err := e.onClientEvent(ctx, c, m)
	if err != nil {
		name, msg := protocol.ErrorInternalServerError, upstreamFailed
		var f *eventFailure
		if errors.As(err, &f) {
			name, msg = f.name, f.message
		}
		c.ackError(m.AckID, name, msg)
		return
	}
	c.ackSuccess(m.AckID)
	e.respond(c, resp)
}

// respond delivers an upstream response to the connection as a message from
// the server.
func (e *Emulator) respond(c *conn, resp *protocol.Payload) {
	if resp == nil {
		return
	}
	msg, err := newMessage(protocol.ServerDataMessage{Data: *resp}, *resp, 0)
	if err != nil {
		e.log.Debug("emulator: invalid upstream response", "connectionId", c.id, "err", err)
		return
	}
	c.deliver(msg)
	tr := e.traceSend(c.hub, nil, "upstream", "connection "+c.id, *resp)
	tr.to(c)
	tr.done()
}

// isDuplicate reports whether ackID was already processed successfully.
func (c *conn) isDuplicate(ackID uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.ackIDs[ackID]
	return ok
}

// ackSuccess records ackID as processed and acks it with success. A nil
// ackID means the client asked for no ack.
func (c *conn) ackSuccess(ackID *uint64) {
	if ackID == nil {
		return
	}
	c.recordAckID(*ackID)
	c.sendControl(protocol.AckMessage{AckID: *ackID, Success: true})
}

// ackError acks ackID with an error. A nil ackID means the client asked for
// no ack.
func (c *conn) ackError(ackID *uint64, name, message string) {
	if ackID == nil {
		return
	}
	c.hub.e.traceAck(c, *ackID, name, message)
	c.sendControl(protocol.AckMessage{AckID: *ackID, Success: false, Error: &protocol.AckError{Name: name, Message: message}})
}

// cleanError returns err's text without the package prefix.
func cleanError(err error) string {
	return strings.TrimPrefix(err.Error(), "protocol: ")
}

// quote returns s in double quotes, shortened if long.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return `"` + s + `"`
}
