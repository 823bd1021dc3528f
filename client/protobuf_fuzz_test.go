package client

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// FuzzHandleProtobufFrame is FuzzHandleFrame for a client speaking the
// reliable protobuf subprotocol: any frame from the service is handled
// without a panic, an undecodable one is reported, and a resent sequence id
// is delivered once.
func FuzzHandleProtobufFrame(f *testing.F) {
	for _, m := range []protocol.Message{
		protocol.ConnectedMessage{ConnectionID: "c", UserID: "u", ReconnectionToken: "t"},
		protocol.DisconnectedMessage{Message: "bye"},
		protocol.GroupDataMessage{Group: "g", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("hi")}, SequenceID: 1},
		protocol.ServerDataMessage{Data: protocol.Payload{Type: protocol.DataTypeBinary, Data: []byte{0, 1}}, SequenceID: 2},
		protocol.AckMessage{AckID: 1, Error: &protocol.AckError{Name: "Forbidden", Message: "no"}},
		protocol.PongMessage{},
		protocol.JoinGroupMessage{Group: "g"}, // an upstream frame
	} {
		b, err := protocol.EncodeProtobuf(m)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte{0x12, 0x7f})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, frame []byte) {
		var invalid, events int
		c, err := NewWithURLProvider(func(context.Context) (string, error) { return "", nil }, &Options{
			Protocol: ProtocolProtobufReliable,
			OnInvalidMessage: func(_ context.Context, err error) {
				var ie *InvalidMessageError
				require.ErrorAs(t, err, &ie)
				require.LessOrEqual(t, len(ie.Frame), maxFrameInError)
				invalid++
			},
			OnConnected:     func(context.Context, ConnectedEvent) { events++ },
			OnServerMessage: func(context.Context, ServerMessage) { events++ },
			OnGroupMessage:  func(context.Context, GroupMessage) { events++ },
		})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		sess := &session{ctx: ctx, cancel: cancel, disp: newDispatcher(ctx, DefaultMaxQueuedMessages, DefaultMaxQueuedBytes)}
		conn := &connection{reliable: true, connected: make(chan struct{}), done: make(chan struct{})}

		c.handleFrame(sess, conn, frame)
		c.handleFrame(sess, conn, frame)
		sess.disp.close()
		<-sess.disp.done

		m, decodeErr := protocol.DecodeDownstream(frame)
		switch {
		case decodeErr != nil:
			require.Equal(t, 2, invalid, "an undecodable frame is reported each time")
			require.Zero(t, events)
		case invalid > 0:
			require.Zero(t, events)
		default:
			require.LessOrEqual(t, events, 2)
			if d, ok := m.(protocol.GroupDataMessage); ok && d.SequenceID != 0 {
				require.Equal(t, 1, events, "a resent sequence id is delivered once")
			}
			if d, ok := m.(protocol.ServerDataMessage); ok && d.SequenceID != 0 {
				require.Equal(t, 1, events, "a resent sequence id is delivered once")
			}
		}
	})
}
