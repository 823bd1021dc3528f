package emulator

import (
	"context"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// controlFrame encodes a message that is not sequenced (ack, pong, system)
// in the connection's subprotocol.
func (c *conn) controlFrame(m protocol.Message) (wsio.Frame, error) {
	b, err := c.codec.Encode(m)
	if err != nil {
		return wsio.Frame{}, err
	}
	if c.codec.Binary() {
		return wsio.Frame{Type: websocket.MessageBinary, Data: b}, nil
	}
	return wsio.Frame{Type: websocket.MessageText, Data: b}, nil
}

// handleProtobufFrame handles one frame of a protobuf client: a binary
// UpstreamMessage. A frame that is not one closes the connection, as a frame
// that is not JSON does for JSON clients; a message that parses but is
// invalid is acked with BadRequest when it carries an ack id.
func (e *Emulator) handleProtobufFrame(ctx context.Context, c *conn, typ websocket.MessageType, data []byte) {
	if typ != websocket.MessageBinary {
		e.removeConn(c, "text frames are not allowed with the "+c.subprotocol+" subprotocol", websocket.StatusUnsupportedData)
		return
	}
	m, err := protocol.DecodeUpstream(data)
	if err != nil {
		ackID, ok := protocol.ProbeUpstream(data)
		if !ok {
			e.removeConn(c, "invalid message: not a protobuf UpstreamMessage", websocket.StatusInvalidFramePayloadData)
			return
		}
		c.ackError(ackID, protocol.ErrorBadRequest, cleanError(err))
		e.log.Debug("emulator: ignoring invalid message", "connectionId", c.id, "err", err)
		return
	}
	e.handleMessage(ctx, c, m)
}

// onClientEvent sends the event message of a PubSub client upstream.
func (e *Emulator) onClientEvent(ctx context.Context, c *conn, m protocol.EventMessage) (*protocol.Payload, error) {
	return e.onUserEventWithOptions(ctx, c, m.Event, m.Data, c.userEventOptions(m.Data, m.Metadata))
}

// userEventOptions returns how a user event (event or invoke) of this
// connection goes upstream: a protobuf client's Any payload as
// application/x-protobuf and its metadata as x-webpubsub-metadata-<key>
// headers; a JSON client's as its data type says, without metadata.
func (c *conn) userEventOptions(data protocol.Payload, metadata map[string]string) upstream.UserEventOptions {
	var opts upstream.UserEventOptions
	if c.codec != nil && c.codec.Binary() {
		opts.Metadata = metadata
		if data.Type == protocol.DataTypeProtobuf {
			opts.ContentType = protocol.ContentTypeProtobuf
		}
	}
	return opts
}
