package emulator

import (
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// FuzzClientProtobufFrame feeds arbitrary frames to a reliable protobuf
// connection: nothing may panic, and a connection that survives stays
// registered and consistent.
func FuzzClientProtobufFrame(f *testing.F) {
	one := uint64(1)
	for _, m := range []protocol.Message{
		protocol.JoinGroupMessage{Group: "g", AckID: &one},
		protocol.SendToGroupMessage{Group: "g", NoEcho: true, Data: protocol.Payload{Type: protocol.DataTypeBinary, Data: []byte{0, 1}}},
		protocol.EventMessage{Event: "e", Data: protocol.Payload{Type: protocol.DataTypeJSON, Data: []byte(`{"a":[1]}`)}, Metadata: map[string]string{"k": "v"}},
		protocol.SequenceAckMessage{SequenceID: 1<<64 - 1},
		protocol.PingMessage{},
		protocol.LeaveGroupMessage{Group: "\n", AckID: &one},
		protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "s"}},
	} {
		b, err := protocol.EncodeProtobuf(m)
		require.NoError(f, err)
		f.Add(b, true)
	}
	f.Add([]byte{0xff, 0xff}, true)
	f.Add([]byte(`{"type":"ping"}`), false)
	e, err := New(Options{})
	require.NoError(f, err)
	f.Cleanup(func() { require.NoError(f, e.Close()) })
	h := e.hub("fuzz")
	f.Fuzz(func(t *testing.T, data []byte, binary bool) {
		c := newConn(h, newConnectionID(), "u", protocol.ProtobufReliable, []string{protocol.RoleJoinLeaveGroup, protocol.RoleSendToGroup})
		h.add(c, nil)
		typ := websocket.MessageText
		if binary {
			typ = websocket.MessageBinary
		}
		e.handleFrame(t.Context(), c, typ, data)
		c.mu.Lock()
		gone := c.gone
		c.mu.Unlock()
		if gone {
			require.Nil(t, h.connection(c.id), "a removed connection is unregistered")
			return
		}
		require.Same(t, c, h.connection(c.id))
		for _, g := range h.groupsOf(c) {
			require.Contains(t, h.group(g), c)
		}
		e.removeConn(c, "done", 0)
	})
}
