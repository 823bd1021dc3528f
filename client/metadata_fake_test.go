package client_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

var allProtocols = []client.Protocol{client.ProtocolJSONReliable, client.ProtocolJSON, client.ProtocolProtobufReliable, client.ProtocolProtobuf}

// writeMsg encodes m with codec and writes it as the subprotocol wants.
func writeMsg(ctx context.Context, ws *websocket.Conn, codec protocol.Codec, m protocol.Message) {
	b, err := codec.Encode(m)
	if err != nil {
		panic(err)
	}
	typ := websocket.MessageText
	if codec.Binary() {
		typ = websocket.MessageBinary
	}
	_ = ws.Write(ctx, typ, b)
}

// upstreamLog records the decoded frames a fake service received.
type upstreamLog struct {
	mu   sync.Mutex
	msgs []protocol.Message
}

func (l *upstreamLog) add(m protocol.Message) {
	l.mu.Lock()
	l.msgs = append(l.msgs, m)
	l.mu.Unlock()
}

func (l *upstreamLog) all() []protocol.Message {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]protocol.Message(nil), l.msgs...)
}

// answeringService is a fake service speaking the client's subprotocol: it
// confirms the connection, sends the frames of downstream, acks every
// acknowledged message, answers invocations, and logs what it received.
func answeringService(t *testing.T, log *upstreamLog, downstream ...protocol.Message) *fakeService {
	return newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
		codec := protocol.CodecFor(ws.Subprotocol())
		writeMsg(ctx, ws, codec, protocol.ConnectedMessage{ConnectionID: "c", UserID: "u", ReconnectionToken: "tok"})
		for _, m := range downstream {
			writeMsg(ctx, ws, codec, m)
		}
		readFrames(ctx, ws, func(b []byte) bool {
			m, err := codec.DecodeUpstream(b)
			if err != nil {
				return true
			}
			log.add(m)
			switch m := m.(type) {
			case protocol.SendToGroupMessage:
				if m.AckID != nil {
					writeMsg(ctx, ws, codec, protocol.AckMessage{AckID: *m.AckID, Success: true})
				}
			case protocol.EventMessage:
				if m.AckID != nil {
					writeMsg(ctx, ws, codec, protocol.AckMessage{AckID: *m.AckID, Success: true})
				}
			case protocol.InvokeMessage:
				writeMsg(ctx, ws, codec, protocol.InvokeSucceeded(m.InvocationID, protocol.Payload{Type: protocol.DataTypeText, Data: []byte("ok")}))
			}
			return true
		})
	})
}

// Metadata go out on sendToGroup, event and invoke and come in on group and
// server messages, on every subprotocol (v0.2.0 refused them on JSON).
func TestMetadataTravelsOnEverySubprotocol(t *testing.T) {
	md := map[string]string{"tenant": "t1", "Trace-Id": "42"}
	text := protocol.Payload{Type: protocol.DataTypeText, Data: []byte("hi")}
	for _, proto := range allProtocols {
		t.Run(string(proto), func(t *testing.T) {
			var log upstreamLog
			f := answeringService(t, &log,
				protocol.GroupDataMessage{Group: "g", FromUserID: "u2", Data: text, SequenceID: 1, Metadata: md},
				protocol.ServerDataMessage{Data: text, SequenceID: 2, Metadata: md},
				protocol.ServerDataMessage{Data: text, SequenceID: 3},
			)
			var r recorder
			c := startClient(t, f.url(), r.hook(withProtocol(proto)))
			ctx := ctxT(t)
			_, err := c.SendToGroup(ctx, "g", client.Text("x"), &client.SendToGroupOptions{Metadata: md})
			require.NoError(t, err)
			_, err = c.SendEvent(ctx, "e", client.Text("x"), &client.SendEventOptions{Metadata: md})
			require.NoError(t, err)
			_, err = c.InvokeEvent(ctx, "q", client.Text("x"), &client.InvokeEventOptions{Metadata: md})
			require.NoError(t, err)

			up := log.all()
			require.Len(t, up, 3)
			assert.Equal(t, md, up[0].(protocol.SendToGroupMessage).Metadata)
			assert.Equal(t, md, up[1].(protocol.EventMessage).Metadata)
			assert.Equal(t, md, up[2].(protocol.InvokeMessage).Metadata)

			waitFor(t, func() bool { return len(r.groupMessages()) == 1 && len(r.serverMessages()) == 2 }, "the messages arrive")
			assert.Equal(t, md, r.groupMessages()[0].Metadata)
			assert.Equal(t, md, r.serverMessages()[0].Metadata)
			assert.Nil(t, r.serverMessages()[1].Metadata, "no metadata is nil metadata")
		})
	}
}

// Metadata the service would refuse fail the call before anything is sent.
func TestInvalidMetadataIsRefusedBeforeSending(t *testing.T) {
	var log upstreamLog
	f := answeringService(t, &log)
	c := startClient(t, f.url(), fastOptions())
	ctx := ctxT(t)
	for _, tc := range []struct {
		md   map[string]string
		want string
	}{
		{map[string]string{"bad key": "v"}, "Metadata key 'bad key' contains invalid characters."},
		{map[string]string{"k": "naïve"}, "Metadata value for key 'k' must be ASCII."},
		{map[string]string{"k": strings.Repeat("v", 1025)}, "Metadata value for key 'k' exceeds 1024 bytes."},
	} {
		_, err := c.SendToGroup(ctx, "g", client.Text("x"), &client.SendToGroupOptions{Metadata: tc.md})
		assert.EqualError(t, err, "client: invalid metadata: "+tc.want)
		_, err = c.SendEvent(ctx, "e", client.Text("x"), &client.SendEventOptions{Metadata: tc.md})
		assert.EqualError(t, err, "client: invalid metadata: "+tc.want)
		_, err = c.InvokeEvent(ctx, "e", client.Text("x"), &client.InvokeEventOptions{Metadata: tc.md})
		assert.EqualError(t, err, "client: invalid metadata: "+tc.want)
	}
	_, err := c.SendEvent(ctx, "e", client.Text("x"), nil)
	require.NoError(t, err)
	assert.Len(t, log.all(), 1, "only the valid call was sent")
}

// A group message without a sender (the service sending to a group for the
// REST API) reaches OnGroupMessage with an empty FromUserID, on JSON (field
// absent or null) and on protobuf (which has no such field).
func TestGroupMessageWithoutSender(t *testing.T) {
	for _, proto := range allProtocols {
		t.Run(string(proto), func(t *testing.T) {
			f := newFakeService(t, fakeRaw, func(ctx context.Context, ws *websocket.Conn, n int, _ url.Values) {
				codec := protocol.CodecFor(ws.Subprotocol())
				writeMsg(ctx, ws, codec, protocol.ConnectedMessage{ConnectionID: "c", ReconnectionToken: "tok"})
				writeMsg(ctx, ws, codec, protocol.GroupDataMessage{Group: "g", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("from REST")}, SequenceID: 1})
				if !codec.Binary() {
					// Microsoft's emulator writes "fromUserId":null.
					send(ctx, ws, `{"type":"message","from":"group","group":"g","fromUserId":null,"dataType":"json","data":{"n":2},"sequenceId":2}`)
				} else {
					writeMsg(ctx, ws, codec, protocol.GroupDataMessage{Group: "g", Data: protocol.Payload{Type: protocol.DataTypeJSON, Data: []byte(`{"n":2}`)}, SequenceID: 2})
				}
				readFrames(ctx, ws, func([]byte) bool { return true })
			})
			var r recorder
			startClient(t, f.url(), r.hook(withProtocol(proto)))
			waitFor(t, func() bool { return len(r.groupMessages()) == 2 }, "both group messages arrive")
			for _, m := range r.groupMessages() {
				assert.Equal(t, "g", m.Group)
				assert.Empty(t, m.FromUserID)
			}
			assert.Equal(t, "from REST", string(r.groupMessages()[0].Data))
			assert.JSONEq(t, `{"n":2}`, string(r.groupMessages()[1].Data))
			assert.Empty(t, r.serverMessages(), "not a server message")
		})
	}
}
