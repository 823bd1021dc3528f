package endpoint

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/webpubsub-go/webpubsub/emulator/internal/access"
	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/hooks"
	"github.com/webpubsub-go/webpubsub/emulator/internal/pubsub"
	"github.com/webpubsub-go/webpubsub/emulator/internal/simple"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wslink"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/permission"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// shuttingDown answers handshakes once the emulator is closing.
const shuttingDown = "the emulator is shutting down"

// serve is the client WebSocket endpoint /client/hubs/{hub}.
func (p *Endpoint) serve(w http.ResponseWriter, r *http.Request) {
	// Hub names are case-insensitive: a client of /client/hubs/Chat is a
	// client of hub chat, whose name the upstream gets as ce-hub.
	hubName, err := core.ParseHub(r.PathValue("hub"))
	if err != nil {
		p.refuse(w, r, r.PathValue("hub"), &hooks.Rejection{Status: http.StatusBadRequest, Reason: err.Error()})
		return
	}
	q := r.URL.Query()
	if q.Has(protocol.QueryConnectionID) || q.Has(protocol.QueryReconnectionToken) {
		p.recover(w, r, hubName, q.Get(protocol.QueryConnectionID), q.Get(protocol.QueryReconnectionToken))
		return
	}
	ev, mode, rej := p.admit(r, hubName)
	if rej != nil {
		p.refuse(w, r, hubName, rej)
		return
	}
	p.open(w, r, ev, mode)
}

// admit decides a handshake: the access token (or the hub's anonymous
// policy), the simple WebSocket mode, the upstream connect event, and the
// limits on what the connection would be.
func (p *Endpoint) admit(r *http.Request, hubName string) (*hooks.ConnectEvent, simple.Mode, *hooks.Rejection) {
	claims, rej := p.authenticate(r, hubName)
	if rej != nil {
		return nil, simple.Mode{}, rej
	}
	q := r.URL.Query()
	requested := headerTokens(r.Header, "Sec-WebSocket-Protocol")
	mode, err := simple.ParseMode(q)
	if err != nil {
		return nil, mode, &hooks.Rejection{Status: http.StatusBadRequest, Reason: err.Error()}
	}
	ev := &hooks.ConnectEvent{
		Hub:          hubName,
		ConnectionID: core.RandomID(16),
		Claims:       claims.Lists(),
		Query:        q,
		Headers:      r.Header.Clone(),
		Subprotocols: requested,
		UserID:       claims.Subject,
		Groups:       append([]string(nil), claims.Groups...),
		Roles:        append([]string(nil), claims.Roles...),
		Subprotocol:  pickSubprotocol(requested),
	}
	if rej := p.cfg.Hooks.Connect(r.Context(), ev); rej != nil {
		if rej.Status < 400 || rej.Status > 599 {
			rej.Status = http.StatusUnauthorized
		}
		return nil, mode, rej
	}
	return ev, mode, p.checkAnswer(ev, mode)
}

// authenticate verifies the handshake's access token; without one the hub
// must allow anonymous clients.
func (p *Endpoint) authenticate(r *http.Request, hubName string) (*auth.Claims, *hooks.Rejection) {
	token := r.URL.Query().Get(protocol.QueryAccessToken)
	if token == "" {
		token = access.BearerToken(r)
	}
	claims := &auth.Claims{}
	switch {
	case token != "":
		var err error
		if claims, err = p.cfg.Access.VerifyClient(r, hubName, token); err != nil {
			return nil, &hooks.Rejection{Status: http.StatusUnauthorized, Reason: "invalid access token: " + err.Error()}
		}
	case !p.cfg.AllowsAnonymous(hubName):
		return nil, &hooks.Rejection{Status: http.StatusUnauthorized, Reason: "missing access token: add the access_token query parameter (or set anonymousConnectPolicy to allow in the hub's settings)"}
	}
	// else: an anonymous connection the hub's anonymousConnectPolicy allows.
	for _, g := range claims.Groups {
		if err := core.ValidateGroup(g); err != nil {
			return nil, &hooks.Rejection{Status: http.StatusBadRequest, Reason: "invalid webpubsub.group claim: " + err.Error()}
		}
	}
	return claims, nil
}

// checkAnswer checks the connection as the token and the upstream's connect
// answer describe it.
func (p *Endpoint) checkAnswer(ev *hooks.ConnectEvent, mode simple.Mode) *hooks.Rejection {
	if ev.Subprotocol != "" {
		canon, ok := supported(ev.Subprotocol)
		if !ok {
			return &hooks.Rejection{Status: http.StatusBadRequest, Reason: fmt.Sprintf("subprotocol %q is not supported", ev.Subprotocol)}
		}
		ev.Subprotocol = canon
	}
	for _, g := range ev.Groups {
		if err := core.ValidateGroup(g); err != nil {
			// The token's groups were checked before: this one is the upstream's.
			return &hooks.Rejection{Status: http.StatusInternalServerError, Reason: fmt.Sprintf("the connect event handler of hub %q answered with an invalid group: %v", ev.Hub, err)}
		}
	}
	if err := p.cfg.Core.Limits().CheckGroups(ev.Groups); err != nil {
		return &hooks.Rejection{Status: http.StatusBadRequest, Reason: err.Error()}
	}
	if ev.Subprotocol == "" {
		if reason := mode.Admit(ev.Roles); reason != "" {
			return &hooks.Rejection{Status: http.StatusForbidden, Reason: reason}
		}
	}
	return nil
}

// open registers the admitted connection, completes the handshake and runs
// the socket. The connection is registered before the handshake completes,
// so that a client that sees the handshake succeed can rely on being
// reachable; frames queue until the socket starts.
func (p *Endpoint) open(w http.ResponseWriter, r *http.Request, ev *hooks.ConnectEvent, mode simple.Mode) {
	if !p.cfg.Tasks.Add() {
		p.refuse(w, r, ev.Hub, &hooks.Rejection{Status: http.StatusServiceUnavailable, Reason: shuttingDown})
		return
	}
	served := false
	defer func() {
		if !served {
			p.cfg.Tasks.Done()
		}
	}()
	s := p.newSocket()
	spec := core.ConnSpec{ID: ev.ConnectionID, UserID: ev.UserID, Grants: p.grants(ev), Groups: ev.Groups}
	var framer wslink.Framer
	if ev.Subprotocol != "" {
		var hello wsio.Frame
		framer, hello = p.cfg.PubSub.Open(&spec, ev.Subprotocol)
		s.Queue(hello) // the connected message comes first
	} else {
		framer = p.cfg.Simple.Open(&spec, mode)
	}
	l := wslink.New(s, framer, ev.ConnectionID, p.log)
	spec.Link = l
	h := p.cfg.Core.Hub(ev.Hub)
	if h == nil {
		s.Abort() // gives back what was queued
		p.refuse(w, r, ev.Hub, &hooks.Rejection{Status: http.StatusServiceUnavailable, Reason: shuttingDown})
		return
	}
	c, err := h.Register(spec)
	if err != nil {
		s.Abort()
		reason := shuttingDown
		if errors.Is(err, core.ErrGroupBudget) {
			reason = err.Error()
		}
		p.refuse(w, r, ev.Hub, &hooks.Rejection{Status: http.StatusServiceUnavailable, Reason: reason})
		return
	}
	if err := s.Accept(w, r, ev.Subprotocol, MaxClientMessage); err != nil {
		p.log.Debug("emulator: websocket handshake failed", "err", err)
		c.Discard()
		return
	}
	c.Establish() // false: removed or reset meanwhile; the socket is closing
	served = true
	p.run(c, l)
}

// grants returns the permissions of the connection's roles (from its token
// or the upstream's connect answer). A role that cannot apply (an invalid
// pattern, too many patterns) does not refuse the connection, as in the
// service; it is logged.
func (p *Endpoint) grants(ev *hooks.ConnectEvent) *permission.Grants {
	g, skipped := permission.FromRoles(ev.Roles)
	for _, err := range skipped {
		p.log.Warn("emulator: a role of the connection does not apply", "hub", ev.Hub, "connectionId", ev.ConnectionID, "err", err)
	}
	return g
}

// refuse answers a client handshake with rej and logs it as a warning. The
// reason, the response's body, is where the emulator explains a refusal
// (the service fixes no text there); it must not contain the token.
func (p *Endpoint) refuse(w http.ResponseWriter, r *http.Request, hub string, rej *hooks.Rejection) {
	p.log.Warn("emulator: client connection refused", "hub", hub, "status", rej.Status, "reason", rej.Reason, "remote", r.RemoteAddr)
	http.Error(w, rej.Reason, rej.Status)
}

// pickSubprotocol returns the first subprotocol the client asked for that
// the emulator supports, in its canonical spelling, or "" (simple
// WebSocket). Subprotocols are compared ignoring case, as Microsoft's
// emulator does (ClientWebSocketEndpoint.SelectSubprotocol); the handshake
// answers with the client's own spelling (websocket.Accept picks it), which
// is what the ws package under the JS client requires: it refuses an answer
// that is not exactly one of the values it sent.
func pickSubprotocol(requested []string) string {
	for _, s := range requested {
		if canon, ok := supported(s); ok {
			return canon
		}
	}
	return ""
}

// supported returns the canonical spelling of subprotocol s, if the
// emulator speaks it.
func supported(s string) (string, bool) {
	for _, v := range pubsub.Subprotocols {
		if strings.EqualFold(v, s) {
			return v, true
		}
	}
	return "", false
}

// headerTokens splits the comma-separated values of header key.
func headerTokens(h http.Header, key string) []string {
	var out []string
	for _, v := range h.Values(key) {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
