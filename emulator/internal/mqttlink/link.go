package mqttlink

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// link is one network connection (WebSocket) of an MQTT client: the
// core.Link of its session while it is the session's socket. One goroutine
// reads it (run); its writes go through its wsio.Socket's queue.
type link struct {
	a    *Adapter
	hub  string
	sock *wsio.Socket
	// id is the physical connection id (ce-physicalConnectionId).
	id     string
	reader *mqtt.Reader
	timer  *time.Timer // CONNECT wait, then keep alive

	// The handshake, for the connect event.
	query   url.Values
	headers http.Header
	claims  *auth.Claims
	remote  string

	// Set once the CONNECT is accepted, before the link is given to the
	// core; read-only afterwards.
	v         mqtt.Version
	sess      *session
	keepAlive time.Duration // silence allowed before the keep alive ends the link
	maxPacket int           // the client's Maximum Packet Size; 0 = none
	recvMax   uint16        // the client's Receive Maximum; 0 = absent
	expiry    uint32        // the CONNECT's Session Expiry Interval (5.0)
	gen       uint64        // the session's link generation at attach
	// attached is set once the link is its session's (sess and the fields
	// above are set before): the timer's goroutine reads it first.
	attached atomic.Bool
	// closing says the server closes the socket (after a DISCONNECT):
	// once reading ends, the close is let finish (bounded by the close
	// timeout) before the socket is stopped.
	closing atomic.Bool
	// conn is the session's connection, set once it is registered (a REST
	// call may close the link before the registering goroutine returns).
	conn atomic.Pointer[core.Conn]

	mu sync.Mutex
	// will is the CONNECT's will and when it is published; nil without.
	will *willState
	// endKnown says how the link ended was recorded (the first record
	// wins: a client's or a server's DISCONNECT, else a network failure).
	endKnown bool
	// clientDisconnect says the client sent a DISCONNECT.
	clientDisconnect bool
}

func newLink(a *Adapter, hub string, r *http.Request, claims *auth.Claims) *link {
	l := &link{a: a, hub: hub, sock: a.newSocket(), id: core.RandomID(16),
		query: r.URL.Query(), headers: r.Header.Clone(), claims: claims, remote: r.RemoteAddr}
	l.reader = mqtt.NewReader(&messageReader{sock: l.sock}, nil)
	return l
}

// run serves the link until its socket ends, then tells the session. The
// caller's Tasks.Add is released when it returns.
func (a *Adapter) run(l *link) {
	defer a.cfg.Tasks.Done()
	s := l.sock
	if !a.register(s) {
		s.Abort() // the emulator is closing
	}
	defer a.unregister(s)
	s.Start()
	l.timer = time.AfterFunc(a.cfg.ConnectTimeout, l.timeUp)
	defer l.timer.Stop()
	c := l.connect()
	if c == nil {
		s.Stop() // refused: connect closed the socket
		return
	}
	l.read(c)
	if l.closing.Load() {
		<-s.Context().Done()
	}
	s.Stop()
	l.ended()
}

// read hands the packets of the link to the session, in order, until the
// socket ends. Once the link does not serve its session any more (taken
// over, or the session removed) it stops reading.
func (l *link) read(c *core.Conn) {
	ctx := l.sock.Context()
	for {
		p, err := l.reader.ReadPacket()
		if err != nil {
			l.readFailed(err)
			return
		}
		l.timer.Reset(l.keepAlive)
		if !c.Serves(l) {
			<-ctx.Done()
			return
		}
		l.tracePacket(p, true, mqtt.Success)
		if c.Submit(ctx, l, packetSize(p), func() { l.handle(p) }) != nil {
			return
		}
	}
}

// readFailed closes the link after a packet the codec refused (DISCONNECT
// with the code on 5.0, a close on 3.1.1) or a text message.
func (l *link) readFailed(err error) {
	var e *mqtt.Error
	switch {
	case errors.As(err, &e):
		l.a.log.Warn("emulator: mqtt client sent a packet the emulator refuses; closing", "hub", l.hub, "clientId", l.clientID(), "err", err)
		l.serverDisconnect(e.Code, "")
	case errors.Is(err, errTextMessage):
		l.a.log.Warn("emulator: mqtt client sent a text WebSocket message; MQTT travels in binary messages; closing", "hub", l.hub, "clientId", l.clientID())
		l.serverDisconnect(mqtt.MalformedPacket, "")
	case errors.Is(err, websocket.ErrMessageTooBig):
		l.a.log.Warn("emulator: limit hit: an mqtt client's WebSocket message is larger than the emulator accepts; closing with 1009", "hub", l.hub, "clientId", l.clientID(), "limit", MaxWebSocketMessage)
	}
}

// timeUp ends a link that sent no CONNECT in time, or nothing for longer
// than its keep alive allows.
func (l *link) timeUp() {
	if !l.attached.Load() {
		l.a.log.Debug("emulator: mqtt socket sent no CONNECT in time; closing", "hub", l.hub, "timeout", l.a.cfg.ConnectTimeout)
		l.sock.Kill()
		return
	}
	l.a.log.Debug("emulator: mqtt keep alive expired; closing", "hub", l.hub, "clientId", l.clientID(), "silence", l.keepAlive)
	l.serverDisconnect(mqtt.KeepAliveTimeout, "")
}

// c returns the link's connection, nil until its session is registered.
func (l *link) c() *core.Conn { return l.conn.Load() }

// clientID returns the link's client id ("" before its CONNECT).
func (l *link) clientID() string {
	if !l.attached.Load() {
		return ""
	}
	return l.sess.clientID
}

// packetSize estimates what a packet holds, for the inbox's byte bound.
func packetSize(p mqtt.Packet) int {
	if pub, ok := p.(*mqtt.Publish); ok {
		return len(pub.Payload) + len(pub.Topic) + 16
	}
	return 64
}

// errTextMessage is a text WebSocket message on an MQTT socket.
var errTextMessage = errors.New("mqtt: a text WebSocket message")

// messageReader is the byte stream of a socket's binary messages, joined
// end to end (MQTT over WebSocket may split or join packets across
// messages, MQTT 5.0 §6).
type messageReader struct {
	sock *wsio.Socket
	buf  []byte
}

// Read implements io.Reader.
func (m *messageReader) Read(p []byte) (int, error) {
	for len(m.buf) == 0 {
		typ, data, err := m.sock.Read()
		if err != nil {
			if websocket.CloseStatus(err) != -1 {
				return 0, io.EOF
			}
			return 0, err
		}
		if typ != websocket.MessageBinary {
			return 0, errTextMessage
		}
		m.buf = data
	}
	n := copy(p, m.buf)
	m.buf = m.buf[n:]
	return n, nil
}

// queue encodes p for the link's client and queues it, starting the
// socket's writer. It reports false only when the socket is over its
// limits. A packet larger than the client's Maximum Packet Size is not sent
// (5.0 §3.1.2.11.4: discarded as if delivered).
func (l *link) queue(p mqtt.Packet) bool { return l.put(p, false) }

// stage is queue for the core's deliveries, which run under the core's
// connection lock: the packet waits for Flush, which the core calls once it
// holds no lock.
func (l *link) stage(p mqtt.Packet) bool { return l.put(p, true) }

// put encodes p and queues or stages it (see queue, stage).
func (l *link) put(p mqtt.Packet, staged bool) bool {
	b, err := mqtt.Encode(nil, p, l.v)
	if err != nil {
		l.a.log.Error("emulator: encoding an mqtt packet", "type", p.Type(), "clientId", l.clientID(), "err", err)
		return true
	}
	return l.putFrame(b, staged)
}

// putFrame queues or stages an encoded packet (see queue, stage).
func (l *link) putFrame(b []byte, staged bool) bool {
	if l.maxPacket > 0 && len(b) > l.maxPacket {
		l.a.log.Debug("emulator: an mqtt packet is larger than the client's maximum packet size; not sent", "clientId", l.clientID(), "size", len(b), "max", l.maxPacket)
		return true
	}
	f := wsio.Frame{Type: websocket.MessageBinary, Data: b}
	if staged {
		return l.sock.Stage(f)
	}
	return l.sock.Queue(f)
}

// send queues p for the client, ordered with the messages the core
// delivers (core.Conn.Control); nothing is sent once another link took the
// session over. A socket over its limits closes the session.
func (l *link) send(p mqtt.Packet) {
	l.c().Control(func(cl core.Link) bool {
		if cl != core.Link(l) {
			return true
		}
		return l.queue(p)
	})
}

// Deliver implements core.Link.
func (l *link) Deliver(m *core.Message, _ uint64) bool { return l.sess.deliver(m, l) }

// Abort implements core.Link.
func (l *link) Abort() { l.sock.Kill() }

// Flush implements core.Link: what the core's deliveries staged is written
// now (a small packet for an idle socket on the caller's goroutine) or
// handed to the socket's writer.
func (l *link) Flush() { l.sock.Flush() }

// Close implements core.Link: a 5.0 client gets a DISCONNECT with the code
// the reason maps to (see disconnectCode), a 3.1.1 client only the close.
// A fault's WebSocket code closes the WebSocket with it, without a packet.
func (l *link) Close(r core.CloseReason) {
	switch r.Kind {
	case core.CloseWireCode:
		l.sock.Close(websocket.StatusCode(r.Code), r.Text)
		return
	case core.CloseLimitExceeded:
		l.a.log.Warn("emulator: limit hit: closing an mqtt session", "hub", l.hub, "clientId", l.clientID(), "reason", r.Text)
	}
	code := disconnectCode(r)
	reason := ""
	if code == mqtt.AdministrativeAction {
		reason = r.Detail // the REST API's reason (reference mqtt.md §7)
	}
	l.serverDisconnect(code, reason)
}

// disconnectCode maps the core's close reasons to 5.0 DISCONNECT codes
// (not documented by the service; the specification's codes of the same
// meaning, see mqtt.DisconnectCode).
func disconnectCode(r core.CloseReason) mqtt.ReasonCode {
	switch r.Kind {
	case core.CloseNormal:
		return mqtt.DisconnectCode(mqtt.CloseAdministrative)
	case core.CloseTakenOver:
		return mqtt.DisconnectCode(mqtt.CloseSessionTakenOver)
	case core.CloseLimitExceeded:
		return mqtt.DisconnectCode(mqtt.CloseQuotaExceeded)
	case core.ClosePolicyViolation:
		return mqtt.DisconnectCode(mqtt.CloseNotAuthorized)
	case core.CloseUnsupportedData, core.CloseInvalidFrame:
		return mqtt.ProtocolError
	}
	return mqtt.DisconnectCode(mqtt.CloseInternalError)
}

// serverDisconnect ends the link from the server's side: a DISCONNECT with
// code (and reason as its Reason String, when not empty) on 5.0, then the
// WebSocket close. A socket whose queue is full is aborted instead.
func (l *link) serverDisconnect(code mqtt.ReasonCode, reason string) {
	var packet *protocol.MQTTDisconnectPacket
	if l.v == mqtt.V5 {
		d := &mqtt.Disconnect{ReasonCode: code}
		d.Properties.ReasonString = reason
		if !l.queue(d) {
			l.sock.Kill()
		}
		l.tracePacket(d, false, code)
		packet = &protocol.MQTTDisconnectPacket{Code: int(code)}
	}
	l.recordEnd(false, packet)
	l.closing.Store(true)
	l.sock.Close(websocket.StatusNormalClosure, "")
}

// recordEnd records how the link ends (the first record wins) and, while
// the link is its session's socket, tells the upstream caller for the
// disconnected event. It only stores: it may run with the core's locks
// held.
func (l *link) recordEnd(byClient bool, packet *protocol.MQTTDisconnectPacket) {
	if !l.attached.Load() {
		return
	}
	l.mu.Lock()
	if l.endKnown {
		l.mu.Unlock()
		return
	}
	l.endKnown = true
	l.clientDisconnect = byClient
	l.mu.Unlock()
	if c := l.c(); c != nil && l.sess.isLink(l) {
		l.a.cfg.Hooks.MQTTDisconnect(c, byClient, packet)
	}
}
