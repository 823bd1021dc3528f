package endpoint

import (
	"crypto/subtle"
	"net/http"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/pubsub"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wslink"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// recover serves a recovery request of a reliable client. A recovery that
// cannot succeed is answered with an accepted WebSocket closed with code
// 1008, which tells the client to stop trying.
func (p *Endpoint) recover(w http.ResponseWriter, r *http.Request, hubName, id, token string) {
	if !p.cfg.Tasks.Add() {
		http.Error(w, shuttingDown, http.StatusServiceUnavailable)
		return
	}
	served := false
	defer func() {
		if !served {
			p.cfg.Tasks.Done()
		}
	}()
	var c *core.Conn
	if h := p.cfg.Core.LookupHub(hubName); h != nil && id != "" {
		c = h.Conn(id)
	}
	// A recovered connection keeps its subprotocol; the handshake offers it
	// (or, for a connection that cannot be recovered, the one the client
	// asked for) so that the client reads the close that follows.
	sub := protocol.JSONReliable
	if c != nil && c.Recoverable() {
		sub = pubsub.Subprotocol(c)
	} else if s := pickSubprotocol(headerTokens(r.Header, "Sec-WebSocket-Protocol")); protocol.IsReliable(s) {
		sub = s
	}
	s := p.newSocket()
	if err := s.Accept(w, r, sub, MaxClientMessage); err != nil {
		p.log.Debug("emulator: websocket handshake failed", "err", err)
		return
	}
	if c == nil || !c.Recoverable() || token == "" || subtle.ConstantTimeCompare([]byte(pubsub.ReconnectionToken(c)), []byte(token)) != 1 {
		const reason = "the connection cannot be recovered: unknown connection or invalid reconnection token"
		p.log.Warn("emulator: recovery refused", "hub", hubName, "connectionId", id, "reason", reason)
		s.Reject(websocket.StatusPolicyViolation, reason)
		p.cfg.Trace.Refused(hubName, id, int(websocket.StatusPolicyViolation), "recovery refused: unknown connection or invalid reconnection token")
		return
	}
	l := wslink.New(s, pubsub.Framer(c), c.ID(), p.log)
	greet := func(core.Link) {
		if f, err := pubsub.Hello(c); err == nil {
			s.Queue(f)
		}
	}
	if !c.Recover(l, greet) {
		s.Reject(websocket.StatusPolicyViolation, "the connection cannot be recovered: it was closed")
		return
	}
	served = true
	p.run(c, l)
}
