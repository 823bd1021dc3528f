package client

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// FuzzHandleFrame feeds arbitrary frames from the service to the client's
// frame handler: it must never panic, must report every frame it cannot
// understand through OnInvalidMessage and must deliver at most one event per
// frame.
func FuzzHandleFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"system","event":"connected","connectionId":"c","userId":"u","reconnectionToken":"t"}`,
		`{"type":"system","event":"disconnected","message":"bye"}`,
		`{"type":"message","from":"group","group":"g","fromUserId":"u","dataType":"text","data":"hi","sequenceId":1}`,
		`{"type":"message","from":"server","dataType":"binary","data":"AAE=","sequenceId":2}`,
		`{"type":"message","from":"server","dataType":"json","data":{"a":[1,2]}}`,
		`{"type":"ack","ackId":1,"success":false,"error":{"name":"Forbidden","message":"no"}}`,
		`{"type":"pong"}`,
		`{"type":"joinGroup","group":"g"}`,
		`{"type":"message","from":"server","dataType":"binary","data":"!!"}`,
		`{"type":"system","event":"connected"}`,
		`{"type":`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		var invalid, events int
		c, err := NewWithURLProvider(func(context.Context) (string, error) { return "", nil }, &Options{
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
		c.handleFrame(sess, conn, frame) // a resend of a sequenced message is dropped
		sess.disp.close()
		<-sess.disp.done

		m, decodeErr := protocol.Decode(frame)
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
