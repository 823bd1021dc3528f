package pubsub

import (
	"context"
	"encoding/json"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wire"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Handle handles one frame c's client sent. ctx ends with the socket the
// frame came from.
func (a *Adapter) Handle(ctx context.Context, c *core.Conn, typ websocket.MessageType, data []byte) {
	s := state(c)
	if s.codec.Binary() {
		a.handleProtobuf(ctx, c, s, typ, data)
		return
	}
	if typ != websocket.MessageText {
		c.Remove(core.CloseReason{Kind: core.CloseUnsupportedData, Text: "binary frames are not allowed with the " + s.subprotocol + " subprotocol"})
		return
	}
	m, err := protocol.Decode(data)
	if err != nil {
		var probe struct {
			AckID *uint64 `json:"ackId"`
		}
		if json.Unmarshal(data, &probe) != nil {
			c.Remove(core.CloseReason{Kind: core.CloseInvalidFrame, Text: "invalid message: not a JSON object with valid fields"})
			return
		}
		if probe.AckID != nil {
			a.ackError(c, probe.AckID, protocol.ErrorBadRequest, wire.CleanText(err))
		}
		a.log.Debug("emulator: ignoring invalid message", "connectionId", c.ID(), "err", err)
		return
	}
	a.handleMessage(ctx, c, m)
}

// handleProtobuf handles one frame of a protobuf client: a binary
// UpstreamMessage. A frame that is not one closes the connection, as a frame
// that is not JSON does for JSON clients; a message that parses but is
// invalid is acked with BadRequest when it carries an ack id.
func (a *Adapter) handleProtobuf(ctx context.Context, c *core.Conn, s *conn, typ websocket.MessageType, data []byte) {
	if typ != websocket.MessageBinary {
		c.Remove(core.CloseReason{Kind: core.CloseUnsupportedData, Text: "text frames are not allowed with the " + s.subprotocol + " subprotocol"})
		return
	}
	m, err := protocol.DecodeUpstream(data)
	if err != nil {
		ackID, ok := protocol.ProbeUpstream(data)
		if !ok {
			c.Remove(core.CloseReason{Kind: core.CloseInvalidFrame, Text: "invalid message: not a protobuf UpstreamMessage"})
			return
		}
		a.ackError(c, ackID, protocol.ErrorBadRequest, wire.CleanText(err))
		a.log.Debug("emulator: ignoring invalid message", "connectionId", c.ID(), "err", err)
		return
	}
	a.handleMessage(ctx, c, m)
}

// handleMessage handles one decoded message, whatever its subprotocol.
func (a *Adapter) handleMessage(ctx context.Context, c *core.Conn, m protocol.Message) {
	if a.refuseChosen(c, m) { // names and ids over their bounds
		return
	}
	if a.handlePreview(ctx, c, m) { // invoke and group streams
		return
	}
	switch m := m.(type) {
	case protocol.JoinGroupMessage:
		a.joinLeave(c, m.Group, m.AckID, true)
	case protocol.LeaveGroupMessage:
		a.joinLeave(c, m.Group, m.AckID, false)
	case protocol.SendToGroupMessage:
		a.sendToGroup(c, m)
	case protocol.EventMessage:
		a.event(ctx, c, m)
	case protocol.SequenceAckMessage:
		if c.Recoverable() && !c.AckUpTo(m.SequenceID) {
			a.log.Debug("emulator: ignoring sequenceAck beyond the last sequence id sent", "connectionId", c.ID(), "sequenceId", m.SequenceID)
		}
	case protocol.PingMessage:
		a.send(c, protocol.PongMessage{})
	case protocol.UnknownMessage:
		// A frame type the service does not know: refused when it asked for
		// an ack, otherwise ignored.
		a.ackError(c, m.AckID, protocol.ErrorBadRequest, m.Reason)
		a.log.Debug("emulator: ignoring unknown message", "connectionId", c.ID(), "reason", m.Reason)
	default:
		// Messages a client has no business sending (ack, system, message
		// from the service) are ignored.
		a.log.Debug("emulator: ignoring message", "connectionId", c.ID(), "type", m.Type())
	}
}

// handlePreview handles the preview frames a client sends. It reports
// false for any other frame.
func (a *Adapter) handlePreview(ctx context.Context, c *core.Conn, m protocol.Message) bool {
	switch m := m.(type) {
	case protocol.SendToGroupMessage:
		if m.Stream == nil {
			return false
		}
		a.openStream(c, m)
	case protocol.StreamDataMessage:
		a.streamData(c, m)
	case protocol.StreamEndMessage:
		a.streamEnd(c, m)
	case protocol.InvokeMessage:
		a.invoke(ctx, c, m)
	case protocol.CancelInvocationMessage:
		state(c).invocations.cancel(m.InvocationID)
	case protocol.SetGroupStateMessage:
		a.groupStateUnsupported(c, m.AckID)
	case protocol.SubscribeGroupStateMessage:
		a.groupStateUnsupported(c, m.AckID)
	case protocol.UnsubscribeGroupStateMessage:
		a.groupStateUnsupported(c, m.AckID)
	default:
		return false
	}
	return true
}

// groupStateUnsupported refuses a group state frame: the reference defines
// only its wire shape (JS 1.1.0 has no API for it), so the emulator does not
// implement it, and says so to a client that asked for an ack instead of
// leaving it waiting.
func (a *Adapter) groupStateUnsupported(c *core.Conn, ackID *uint64) {
	a.ackError(c, ackID, protocol.ErrorBadRequest, "group state is not supported by the emulator")
}
