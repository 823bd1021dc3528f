package mqttlink

import (
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
)

// tracePacket records a packet in the live trace: what the client sent
// (in), but acknowledgements and pings, and what the emulator answers that
// decides something (CONNACK, SUBACK, DISCONNECT, a refusing ack). The
// PUBLISHes delivered to clients are the core's message events.
func (l *link) tracePacket(p mqtt.Packet, in bool, code mqtt.ReasonCode) {
	t := l.a.cfg.Trace
	c := l.c()
	if t == nil || c == nil {
		return
	}
	typ := p.Type()
	if in && (typ == mqtt.PINGREQ || typ == mqtt.PUBACK || typ == mqtt.PUBREC || typ == mqtt.PUBREL || typ == mqtt.PUBCOMP) {
		return
	}
	name := typ.String() + " out"
	if in {
		name = typ.String() + " in"
	}
	var topic string
	var size int
	if pub, ok := p.(*mqtt.Publish); ok {
		topic, size = pub.Topic, len(pub.Payload)
	}
	reason := ""
	if code.IsError() {
		reason = code.String()
	}
	t.Packet(c, name, topic, size, reason)
}
