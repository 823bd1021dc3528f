package client

import (
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// previewState is a client's state for the preview features of the JS
// client 1.1.0: invocations in flight, outbound and inbound group streams.
// Its zero value is ready to use.
type previewState struct {
	invocations invocationTable
	outbound    outboundTable
	inbound     inboundDispatcher
}

// handlePreviewFrame handles the preview frames from the service (invoke
// responses, stream acks and closes) and reports whether m was one.
// Frames for unknown invocations or streams are ignored, as in the JS
// client.
func (c *Client) handlePreviewFrame(m protocol.Message) bool {
	switch m := m.(type) {
	case protocol.InvokeResponseMessage:
		c.preview.invocations.resolve(m)
	case protocol.StreamAckMessage:
		if w := c.preview.outbound.get(m.StreamID); w != nil {
			w.onAck(m.ExpectedSequenceID)
		}
	case protocol.StreamNackMessage:
		if w := c.preview.outbound.get(m.StreamID); w != nil {
			w.onAck(m.ExpectedSequenceID)
		}
	case protocol.StreamClosedMessage:
		if w := c.preview.outbound.get(m.StreamID); w != nil {
			w.onClosed(m.Error)
		}
	default:
		return false
	}
	return true
}

// groupStreamInfo converts the stream metadata of a group message.
func groupStreamInfo(s *protocol.StreamInfo) *GroupStreamInfo {
	if s == nil {
		return nil
	}
	info := &GroupStreamInfo{StreamID: s.StreamID, StreamSequenceID: s.StreamSequenceID, EndOfStream: s.EndOfStream}
	if s.Error != nil {
		info.Error = &StreamError{Name: s.Error.Name, Message: s.Error.Message, UserErrorCode: s.Error.UserErrorCode}
	}
	return info
}
