package observe

import (
	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
)

// Packet records an MQTT control packet of c's client (trace.KindPacket):
// name is the packet and its direction ("PUBLISH in"), topic its topic,
// size its payload, reason a refusal's code.
func (t *Trace) Packet(c *core.Conn, name, topic string, size int, reason string) {
	if t == nil {
		return
	}
	ev := connEvent(trace.KindPacket, c)
	ev.Subprotocol, ev.Event, ev.Group, ev.Size, ev.Reason = c.Protocol(), name, topic, size, reason
	t.rec.Record(ev)
}
