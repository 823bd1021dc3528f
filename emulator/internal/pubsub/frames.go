package pubsub

import (
	"context"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wire"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Handle handles one frame c's client sent. ctx ends with the socket the
// frame came from.
//
// Frames are read as the service reads them (protocol.DecodeJSONRequest,
// protocol.DecodeProtobufRequest): a frame that cannot be a valid request
// closes the connection with 1007 and the service's fixed reason
// (protocol.InvalidMessageReason), and a frame of the wrong WebSocket
// message type with 1003, as Microsoft's emulator does
// (WebPubSubSubprotocolPayloadProcessor.ProcessAsync). What was wrong goes
// to the log only.
func (a *Adapter) Handle(ctx context.Context, c *core.Conn, typ websocket.MessageType, data []byte) {
	s := state(c)
	if typ != s.frameType() {
		c.Remove(core.CloseReason{Kind: core.CloseUnsupportedData, Text: s.wrongTypeReason()})
		return
	}
	decode := protocol.DecodeJSONRequest
	if s.codec.Binary() {
		decode = protocol.DecodeProtobufRequest
	}
	m, err := decode(data)
	if err != nil {
		a.log.Warn("emulator: a client sent a frame that is not a valid request; closing its connection with 1007", "hub", c.Hub().Name(), "connectionId", c.ID(), "subprotocol", s.subprotocol, "err", wire.CleanText(err))
		c.Remove(core.CloseReason{Kind: core.CloseInvalidFrame, Text: protocol.InvalidMessageReason(s.subprotocol)})
		return
	}
	a.handleMessage(ctx, c, m)
}

// wrongTypeReason is the close reason of a frame whose WebSocket message
// type the subprotocol does not use, in the words of Microsoft's emulator.
func (s *conn) wrongTypeReason() string {
	if s.codec.Binary() {
		return "The " + protocol.Protobuf + " subprotocol requires binary messages."
	}
	return "The JSON subprotocol requires text messages."
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
	default:
		// The strict readers return only requests: nothing else arrives.
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
