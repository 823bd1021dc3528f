package pubsub

import (
	"strconv"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/names"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// MaxIDBytes bounds the ids a client chooses for its group streams and
// invocations: 128 bytes. The service documents no bound (the features are
// a preview); the JS client 1.1.0 makes stream ids with randomUUID (36
// characters) and invocation ids from a decimal counter, far shorter. The
// ids are kept in per-connection tables (open and recently closed streams,
// invocations in flight), whose bytes this bounds. A stream open with a
// longer id is answered with streamClosed, an invoke with an invokeResponse,
// both with an error named "BadRequest".
const MaxIDBytes = 128

// refuseChosen refuses a frame whose client-chosen names break the
// service's rules or the emulator's bounds, and reports whether it did:
//   - an event or invoke whose event name is invalid
//     (names.ValidateEventName) is not a valid message: the connection is
//     closed with 1007, as the service closes it (Microsoft's emulator
//     refuses such frames as invalid; internal/protocol's strict decoders
//     say the same);
//   - a stream id or invocation id over MaxIDBytes is answered with an
//     error and kept nowhere.
func (a *Adapter) refuseChosen(c *core.Conn, m protocol.Message) bool {
	switch m := m.(type) {
	case protocol.EventMessage:
		return a.refuseEventName(c, m.Event)
	case protocol.InvokeMessage:
		if a.refuseEventName(c, m.Event) {
			return true
		}
		if len(m.InvocationID) > MaxIDBytes {
			a.send(c, protocol.InvokeFailed(m.InvocationID, protocol.ErrorBadRequest, idTooLong("invocation", m.InvocationID)))
			return true
		}
	case protocol.SendToGroupMessage:
		if m.Stream != nil && len(m.Stream.StreamID) > MaxIDBytes {
			a.send(c, protocol.StreamClosedMessage{StreamID: m.Stream.StreamID, Error: &protocol.AckError{Name: protocol.ErrorBadRequest, Message: idTooLong("stream", m.Stream.StreamID)}})
			return true
		}
	}
	return false
}

// refuseEventName closes c when event is not a valid event name.
func (a *Adapter) refuseEventName(c *core.Conn, event string) bool {
	err := names.ValidateEventName(event)
	if err == nil {
		return false
	}
	a.log.Debug("emulator: invalid message: closing the connection", "connectionId", c.ID(), "err", err)
	c.Remove(core.CloseReason{Kind: core.CloseInvalidFrame, Text: protocol.InvalidMessageReason(state(c).subprotocol)})
	return true
}

// idTooLong says that a client's id is over MaxIDBytes.
func idTooLong(what, id string) string {
	return "the " + what + " id is " + strconv.Itoa(len(id)) + " bytes long; the emulator accepts ids of at most " + strconv.Itoa(MaxIDBytes) + " bytes"
}

// invokeBytes is what an invocation holds until the upstream answers: its
// payload, event name, id and metadata (core.Limits.TotalInvokeBytes).
func invokeBytes(m protocol.InvokeMessage) int {
	n := len(m.Data.Data) + len(m.Event) + len(m.InvocationID)
	for k, v := range m.Metadata {
		n += len(k) + len(v)
	}
	return n
}
