package mqttlink

import (
	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// handle handles a packet the client sent after its CONNECT, in order with
// the session's other packets (core.Conn.Submit).
func (l *link) handle(p mqtt.Packet) {
	switch p := p.(type) {
	case *mqtt.Publish:
		l.publish(p)
	case *mqtt.Ack:
		if p.Kind == mqtt.PUBREL {
			l.released(p)
			return
		}
		l.acked(p)
	case *mqtt.Subscribe:
		l.subscribe(p)
	case *mqtt.Unsubscribe:
		l.unsubscribe(p)
	case mqtt.Pingreq:
		l.send(mqtt.Pingresp{})
	case *mqtt.Disconnect:
		l.disconnected(p)
	default: // a second CONNECT, AUTH (never started), a server's packet
		l.protocolError(&mqtt.Refusal{Code: mqtt.ProtocolError, Msg: "a client may not send " + p.Type().String() + " here"})
	}
}

// released answers the client's PUBREL of a QoS 2 message with PUBCOMP.
func (l *link) released(rel *mqtt.Ack) {
	s := l.sess
	s.mu.Lock()
	comp := s.in.Release(rel)
	s.mu.Unlock()
	l.send(comp)
}

// disconnected handles the client's DISCONNECT: a 5.0 client may change
// the session expiry (not from 0, 5.0 §3.14.2.2.2); the will is kept after
// reason 0, published after any other (WillOnClose); the upstream's
// disconnected event will carry the packet. The server then closes the
// socket.
func (l *link) disconnected(d *mqtt.Disconnect) {
	s := l.sess
	if l.v == mqtt.V5 {
		s.mu.Lock()
		granted := s.expiry
		s.mu.Unlock()
		exp, r := mqtt.DisconnectExpiry(l.expiry, granted, d)
		if r != nil {
			l.protocolError(r)
			return
		}
		s.setExpiry(exp)
	}
	l.mu.Lock()
	if l.will != nil {
		l.will.onClose = mqtt.WillOnClose(d)
	}
	l.mu.Unlock()
	l.recordEnd(true, &protocol.MQTTDisconnectPacket{Code: int(d.ReasonCode), UserProperties: wireProperties(d.Properties.User)})
	l.closing.Store(true)
	l.sock.Close(websocket.StatusNormalClosure, "")
}

// ended runs once the link's socket ended: how it ended is recorded (a
// network failure unless a DISCONNECT said otherwise), its will is
// published or scheduled, and the core learns that the session lost its
// socket (the session then waits for its expiry, or ends at once).
func (l *link) ended() {
	l.timer.Stop()
	s, c := l.sess, l.c()
	l.recordEnd(false, nil)
	s.mu.Lock()
	current := s.link == l
	if current {
		s.link = nil
	}
	resumed, gone, expiry := s.gen != l.gen, s.gone, s.expiry
	s.mu.Unlock()
	l.scheduleWill(resumed, gone)
	l.mu.Lock()
	byClient := l.clientDisconnect
	l.mu.Unlock()
	// A client that sent DISCONNECT and whose session does not outlive
	// the socket "closed"; any other end leaves a session with an expiry
	// waiting (core.Conn.SetRecoveryWindow).
	c.LinkEnded(l, byClient && expiry == 0)
}

// observer keeps the sessions' subscription options in step with the
// core's memberships: a group the connection left by any route (REST,
// another wire's call) loses its option, so that joining it again
// otherwise has the default.
type observer struct{}

// Observer is the adapter's core.Observer; add it to the core's.
var Observer core.Observer = observer{}

func (observer) OnLeft(c *core.Conn, group string) {
	if s := state(c); s != nil {
		s.forget(group)
	}
}
func (observer) OnConnected(*core.Conn, []string) {}
func (observer) OnDropped(*core.Conn)             {}
func (observer) OnRecovered(*core.Conn)           {}
func (observer) OnRemoved(*core.Conn, string)     {}
func (observer) OnJoined(*core.Conn, string)      {}
func (observer) OnLimit(*core.Conn, string)       {}
func (observer) OnMessage(*core.Sent)             {}
func (observer) OnReset()                         {}
