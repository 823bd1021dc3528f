package mqtt

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
)

// harness is a small MQTT broker over WebSocket for the mqtt.js tests: it
// reads with Reader, applies the rules of this package, and writes with
// Encode. It delivers a client's PUBLISH back to the same client when it
// subscribed to the topic (an echo broker); sessions are kept by client id
// while the harness lives. Topics with a meaning:
//   - "denied": SUBSCRIBE refused with 0x87 (3.1.1: 0x80), a QoS 1/2
//     PUBLISH answered with 0x87 (3.1.1: accepted and dropped);
//   - "kick": the broker answers with DISCONNECT 0x98 and closes;
//   - "drop": the broker delivers the message, then closes the network
//     connection without reading the acknowledgement.
//
// A client id "refused" gets CONNACK not authorized.
type harness struct {
	t      *testing.T
	srv    *httptest.Server
	url    string
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	received []received
	changed  chan struct{}
	sessions map[string]*hSession // owned by the connection of the client id
	inflight map[string]int       // Outbound.Len per client id
	headers  []http.Header
}

// received is a packet the broker read, or the error that ended a read.
type received struct {
	clientID string
	p        Packet
	err      error
}

type hSession struct {
	out  *Outbound
	in   *Inbound
	subs map[string]QoS
}

func newHarness(t *testing.T) *harness {
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, ctx: ctx, cancel: cancel, changed: make(chan struct{}), sessions: map[string]*hSession{}, inflight: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serveWS))
	h.url = "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/clients/mqtt/hubs/hub"
	t.Cleanup(func() {
		cancel()
		h.srv.Close()
	})
	return h
}

func (h *harness) record(r received) {
	h.mu.Lock()
	h.received = append(h.received, r)
	close(h.changed)
	h.changed = make(chan struct{})
	h.mu.Unlock()
}

// waitFor returns the first packet read from clientID that match accepts,
// waiting until ctx ends.
func (h *harness) waitFor(ctx context.Context, clientID string, match func(Packet) bool) (Packet, error) {
	for {
		h.mu.Lock()
		for _, r := range h.received {
			if r.clientID == clientID && r.p != nil && match(r.p) {
				h.mu.Unlock()
				return r.p, nil
			}
		}
		ch := h.changed
		h.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (h *harness) serveWS(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"mqtt"}})
	if err != nil {
		return
	}
	if c.Subprotocol() != "mqtt" {
		_ = c.Close(websocket.StatusPolicyViolation, "the subprotocol must be mqtt")
		return
	}
	h.mu.Lock()
	h.headers = append(h.headers, r.Header.Clone())
	h.mu.Unlock()
	nc := websocket.NetConn(h.ctx, c, websocket.MessageBinary)
	defer nc.Close()
	bc := &brokerConn{h: h, nc: nc, r: NewReader(nc, nil)}
	bc.run()
}

// brokerConn is one client connection; its goroutine reads and writes.
type brokerConn struct {
	h    *harness
	nc   net.Conn
	r    *Reader
	v    Version
	id   string
	sess *hSession
}

func (bc *brokerConn) write(p Packet) bool {
	b, err := Encode(nil, p, bc.v)
	if err != nil {
		bc.h.t.Errorf("harness: encoding %T: %v", p, err)
		return false
	}
	_, err = bc.nc.Write(b)
	return err == nil
}

func (bc *brokerConn) run() {
	for {
		p, err := bc.r.ReadPacket()
		if err != nil {
			bc.readFailed(p, err)
			return
		}
		bc.h.record(received{clientID: bc.id, p: p})
		ok := bc.handle(p)
		if bc.sess != nil {
			bc.h.mu.Lock()
			bc.h.inflight[bc.id] = bc.sess.out.Len()
			bc.h.mu.Unlock()
		}
		if !ok {
			return
		}
	}
}

// readFailed answers a refused packet the way the rules say.
func (bc *brokerConn) readFailed(p Packet, err error) {
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		bc.h.record(received{clientID: bc.id, err: err})
	}
	e, ok := AsError(err)
	if !ok {
		return
	}
	if c, isConnect := p.(*Connect); isConnect && e.Code == UnsupportedProtocolVersion {
		ack, v := RefuseVersion(c.Version)
		bc.v = v
		bc.write(ack)
		return
	}
	if bc.v == V5 {
		bc.write(&Disconnect{ReasonCode: e.Code})
	}
}

func (bc *brokerConn) handle(p Packet) bool {
	switch p := p.(type) {
	case *Connect:
		return bc.onConnect(p)
	case *Subscribe:
		return bc.onSubscribe(p)
	case *Unsubscribe:
		return bc.onUnsubscribe(p)
	case *Publish:
		return bc.onPublish(p)
	case *Ack:
		return bc.onAck(p)
	case Pingreq:
		return bc.write(Pingresp{})
	}
	return false // DISCONNECT, or a packet a client does not send
}

func (bc *brokerConn) onConnect(c *Connect) bool {
	bc.v = c.Version
	if c.ClientID == "refused" {
		bc.write(refuse(NotAuthorized, "test").Connack(c.Version))
		return false
	}
	a, r := AcceptConnect(c, &ConnectOptions{NewClientID: func() string { return "assigned1" }})
	if r != nil {
		if ack := r.Connack(c.Version); ack != nil {
			bc.write(ack)
		}
		return false
	}
	bc.id = a.ClientID
	bc.h.mu.Lock()
	s := bc.h.sessions[a.ClientID]
	present := s != nil && !c.CleanStart
	if !present {
		s = &hSession{out: NewOutbound(c.Version, c.Properties.ReceiveMaximum), in: NewInbound(c.Version, 0), subs: map[string]QoS{}}
		bc.h.sessions[a.ClientID] = s
	} else {
		s.out.Reconnected(c.Version, c.Properties.ReceiveMaximum)
		s.in.Reconnected(c.Version)
	}
	bc.h.mu.Unlock()
	bc.sess = s
	a.Connack.SessionPresent = present
	for _, u := range c.Properties.User {
		a.Connack.Properties.User = append(a.Connack.Properties.User, UserProperty{Name: u.Name, Value: "echo " + u.Value})
	}
	if !bc.write(a.Connack) {
		return false
	}
	for _, p := range s.out.Resend() {
		if !bc.write(p) {
			return false
		}
	}
	return true
}

func (bc *brokerConn) onSubscribe(s *Subscribe) bool {
	ack := &Suback{PacketID: s.PacketID}
	for _, sub := range s.Subscriptions {
		_, r := CheckTopicFilter(sub.Filter)
		if r == nil && sub.Filter == "denied" {
			r = refuse(NotAuthorized, "denied")
		}
		if r != nil {
			ack.ReasonCodes = append(ack.ReasonCodes, SubackCode(bc.v, r.Code))
			continue
		}
		bc.sess.subs[sub.Filter] = sub.QoS
		ack.ReasonCodes = append(ack.ReasonCodes, ReasonCode(sub.QoS))
	}
	return bc.write(ack)
}

func (bc *brokerConn) onUnsubscribe(u *Unsubscribe) bool {
	ack := &Unsuback{PacketID: u.PacketID}
	for _, f := range u.Filters {
		_, had := bc.sess.subs[f]
		delete(bc.sess.subs, f)
		if bc.v == V5 {
			ack.ReasonCodes = append(ack.ReasonCodes, map[bool]ReasonCode{true: Success, false: NoSubscriptionExisted}[had])
		}
	}
	return bc.write(ack)
}

func (bc *brokerConn) onPublish(p *Publish) bool {
	if _, _, r := CheckPublish(bc.v, p); r != nil {
		if r.Disconnect {
			if bc.v == V5 {
				bc.write(&Disconnect{ReasonCode: r.Code})
			}
			return false
		}
		return bc.write(bc.sess.in.Acknowledge(p, r.Code))
	}
	deliver, resend, r := bc.sess.in.Receive(p)
	if r != nil {
		if bc.v == V5 {
			bc.write(&Disconnect{ReasonCode: r.Code})
		}
		return false
	}
	if resend != nil {
		return bc.write(resend)
	}
	switch {
	case p.Topic == "kick":
		if bc.v == V311 {
			return false // 3.1.1 has no server DISCONNECT: close
		}
		bc.write(&Disconnect{ReasonCode: AdministrativeAction, Properties: Properties{ReasonString: "kicked by the test",
			User: []UserProperty{{"by", "harness"}}}})
		return false
	case p.Topic == "denied":
		return p.QoS == QoS0 || bc.write(bc.sess.in.Acknowledge(p, NotAuthorized))
	}
	if ack := bc.sess.in.Acknowledge(p, Success); ack != nil && !bc.write(ack) {
		return false
	}
	if deliver && !bc.echo(p) {
		return false
	}
	return p.Topic != "drop"
}

// echo delivers p to this client if it subscribed to p's topic, at the
// lower of the two QoS, with the properties a broker forwards.
func (bc *brokerConn) echo(p *Publish) bool {
	granted, ok := bc.sess.subs[p.Topic]
	if !ok {
		return true
	}
	out := &Publish{Topic: p.Topic, QoS: min(p.QoS, granted), Payload: append([]byte(nil), p.Payload...)}
	out.Properties = Properties{PayloadFormatIndicator: p.Properties.PayloadFormatIndicator,
		MessageExpiryInterval: p.Properties.MessageExpiryInterval, ContentType: p.Properties.ContentType,
		ResponseTopic: p.Properties.ResponseTopic, CorrelationData: p.Properties.CorrelationData, User: p.Properties.User}
	if err := bc.sess.out.Send(out); err != nil {
		bc.h.t.Errorf("harness: %v", err)
		return false
	}
	return bc.write(out)
}

func (bc *brokerConn) onAck(a *Ack) bool {
	if a.Kind == PUBREL {
		return bc.write(bc.sess.in.Release(a))
	}
	reply, _, r := bc.sess.out.Ack(a)
	if r != nil {
		bc.h.t.Errorf("harness: %v", r)
		return false
	}
	return reply == nil || bc.write(reply)
}

// outboundLen returns the messages in flight to clientID after the last
// packet the broker handled from it.
func (h *harness) outboundLen(clientID string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.inflight[clientID]
}
