package pubsub

import (
	"testing"

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
	fuzzClientFrames(f, protocol.ProtobufReliable)
}
