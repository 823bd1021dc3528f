package emulator

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/names"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// maxClientMessage is the largest frame a client may send (1 MiB, as the service).
const maxClientMessage = 1 << 20

// supportedSubprotocols are the subprotocols the emulator speaks, in the
// order it prefers them.
var supportedSubprotocols = []string{protocol.JSONReliable, protocol.JSON, protocol.ProtobufReliable, protocol.Protobuf}

// serveClient is the client WebSocket endpoint /client/hubs/{hub}.
func (e *Emulator) serveClient(w http.ResponseWriter, r *http.Request) {
	hubName := r.PathValue("hub")
	if err := names.ValidateHub(hubName); err != nil {
		e.refuse(w, r, hubName, http.StatusBadRequest, err.Error())
		return
	}
	q := r.URL.Query()
	if q.Has(protocol.QueryConnectionID) || q.Has(protocol.QueryReconnectionToken) {
		e.recoverClient(w, r, hubName, q.Get(protocol.QueryConnectionID), q.Get(protocol.QueryReconnectionToken))
		return
	}
	token := q.Get(protocol.QueryAccessToken)
	if token == "" {
		token = bearerToken(r)
	}
	claims := &auth.Claims{}
	switch {
	case token != "":
		var err error
		if claims, err = auth.Verify(token, []string{e.key}, e.clientAudiences(r, hubName), 0); err != nil {
			e.refuse(w, r, hubName, http.StatusUnauthorized, "invalid access token: "+err.Error())
			return
		}
	case !e.allowsAnonymous(hubName):
		e.refuse(w, r, hubName, http.StatusUnauthorized, "missing access token: add the access_token query parameter (or set anonymousConnectPolicy to allow in the hub's settings)")
		return
	}
	// else: an anonymous connection the hub's anonymousConnectPolicy allows.
	for _, g := range claims.Groups {
		if err := names.ValidateGroup(g); err != nil {
			e.refuse(w, r, hubName, http.StatusBadRequest, "invalid webpubsub.group claim: "+err.Error())
			return
		}
	}
	requested := headerTokens(r.Header, "Sec-WebSocket-Protocol")
	simple, err := parseSimpleMode(q)
	if err != nil {
		e.refuse(w, r, hubName, http.StatusBadRequest, err.Error())
		return
	}
	ev := &connectEvent{
		Hub:          hubName,
		ConnectionID: newConnectionID(),
		Claims:       claimMap(claims),
		Query:        q,
		Headers:      r.Header.Clone(),
		Subprotocols: requested,
		UserID:       claims.Subject,
		Groups:       append([]string(nil), claims.Groups...),
		Roles:        append([]string(nil), claims.Roles...),
		Subprotocol:  pickSubprotocol(requested),
	}
	if rej := e.onConnect(r.Context(), ev); rej != nil {
		status := rej.Status
		if status < 400 || status > 599 {
			status = http.StatusUnauthorized
		}
		e.refuse(w, r, hubName, status, rej.Reason)
		return
	}
	if ev.Subprotocol != "" && !contains(supportedSubprotocols, ev.Subprotocol) {
		e.refuse(w, r, hubName, http.StatusBadRequest, fmt.Sprintf("subprotocol %q is not supported", ev.Subprotocol))
		return
	}
	for _, g := range ev.Groups {
		if err := names.ValidateGroup(g); err != nil {
			// The token's groups were checked above: this one is the upstream's.
			e.log.Warn("emulator: upstream connect answer has an invalid group", "hub", hubName, "err", err)
			e.refuse(w, r, hubName, http.StatusInternalServerError, upstreamFailed)
			return
		}
	}
	if n := countDistinct(ev.Groups); n > maxGroupsPerConnection {
		e.refuse(w, r, hubName, http.StatusBadRequest, fmt.Sprintf("the connection would join %d groups; the emulator's limit per connection is %d", n, maxGroupsPerConnection))
		return
	}
	if ev.Subprotocol == "" && simple.group != "" && !mayPublish(ev.Roles, simple.group) {
		e.refuse(w, r, hubName, http.StatusForbidden, "webpubsub_mode=sendToGroup needs the role "+protocol.RoleSendToGroup+" or "+protocol.RoleSendToGroup+"."+simple.group)
		return
	}
	if !e.track() {
		e.refuse(w, r, hubName, http.StatusServiceUnavailable, "the emulator is shutting down")
		return
	}
	served := false
	defer func() {
		if !served {
			e.wg.Done()
		}
	}()
	h := e.hub(hubName)
	if h == nil {
		e.refuse(w, r, hubName, http.StatusServiceUnavailable, "the emulator is shutting down")
		return
	}
	// The connection is registered before the handshake completes, so that a
	// client that sees the handshake succeed can rely on being reachable.
	// Frames queue until the transport starts.
	reliable := protocol.IsReliable(ev.Subprotocol)
	c := newConn(h, ev.ConnectionID, ev.UserID, ev.Subprotocol, ev.Roles)
	if ev.Subprotocol == "" {
		c.simple = simple
	}
	if reliable {
		c.reconnectionToken = newReconnectionToken()
	}
	t := newSocket(e.log)
	c.t = t
	if c.isPubSub() {
		f, err := c.controlFrame(protocol.ConnectedMessage{ConnectionID: c.id, UserID: c.userID, ReconnectionToken: c.reconnectionToken})
		if err == nil {
			t.Queue(f)
		}
	}
	h.add(c, ev.Groups)
	if err := t.Accept(w, r, ev.Subprotocol, maxClientMessage); err != nil {
		e.log.Debug("emulator: websocket handshake failed", "err", err)
		c.abandon()
		h.remove(c)
		return
	}
	if e.lookupHub(hubName) != h {
		// Reset or Close ran while the connection was being set up.
		c.abandon()
		h.remove(c)
	} else {
		e.log.Debug("emulator: client connected", "hub", hubName, "connectionId", c.id, "userId", c.userID, "subprotocol", c.subprotocol)
		e.traceConn(trace.KindConnected, c, "")
		e.onConnected(context.Background(), c)
	}
	served = true
	go e.serveTransport(c, t)
}

// recoverClient serves a recovery request of a reliable client. A recovery
// that cannot succeed is answered with an accepted WebSocket closed with code
// 1008, which tells the client to stop trying.
func (e *Emulator) recoverClient(w http.ResponseWriter, r *http.Request, hubName, id, token string) {
	if !e.track() {
		http.Error(w, "the emulator is shutting down", http.StatusServiceUnavailable)
		return
	}
	served := false
	defer func() {
		if !served {
			e.wg.Done()
		}
	}()
	var c *conn
	if h := e.lookupHub(hubName); h != nil && id != "" {
		c = h.connection(id)
	}
	// A recovered connection keeps its subprotocol; the handshake offers it
	// (or, for a connection that cannot be recovered, the one the client
	// asked for) so that the client reads the close that follows.
	sub := protocol.JSONReliable
	if c != nil && c.reliable {
		sub = c.subprotocol
	} else if p := pickSubprotocol(headerTokens(r.Header, "Sec-WebSocket-Protocol")); protocol.IsReliable(p) {
		sub = p
	}
	t := newSocket(e.log)
	if err := t.Accept(w, r, sub, maxClientMessage); err != nil {
		e.log.Debug("emulator: websocket handshake failed", "err", err)
		return
	}
	if c == nil || !c.reliable || token == "" ||
		subtle.ConstantTimeCompare([]byte(c.reconnectionToken), []byte(token)) != 1 {
		const reason = "the connection cannot be recovered: unknown connection or invalid reconnection token"
		e.log.Warn("emulator: recovery refused", "hub", hubName, "connectionId", id, "reason", reason)
		t.Reject(websocket.StatusPolicyViolation, reason)
		e.traceRefused(hubName, id, int(websocket.StatusPolicyViolation), "recovery refused: unknown connection or invalid reconnection token")
		return
	}
	old, ok := c.attach(t, protocol.ConnectedMessage{ConnectionID: c.id, UserID: c.userID, ReconnectionToken: c.reconnectionToken})
	if !ok {
		t.Reject(websocket.StatusPolicyViolation, "the connection cannot be recovered: it was closed")
		return
	}
	if old != nil {
		old.Abort()
	}
	e.log.Debug("emulator: connection recovered", "hub", hubName, "connectionId", c.id)
	e.traceConn(trace.KindRecovered, c, "")
	served = true
	go e.serveTransport(c, t)
}

// serveTransport runs the transport on a goroutine of its own, so that the
// handshake's deep stack (token parsing, hijacking) is not kept for the
// connection's lifetime. The caller's e.track() is released when it ends.
func (e *Emulator) serveTransport(c *conn, t *wsio.Socket) {
	defer e.wg.Done()
	e.runTransport(c, t)
}

// clientAudiences are the aud values a client token for hub may carry: the
// endpoint as the emulator advertises it and, if the client reached it by
// another of the emulator's own names, by that name.
func (e *Emulator) clientAudiences(r *http.Request, hub string) []string {
	path := "/client/hubs/" + hub
	auds := e.audienceBases(r)
	for i := range auds {
		auds[i] += path
	}
	return auds
}

// pickSubprotocol returns the first subprotocol the client asked for that the
// emulator supports, or "" (simple WebSocket).
func pickSubprotocol(requested []string) string {
	for _, p := range requested {
		if contains(supportedSubprotocols, p) {
			return p
		}
	}
	return ""
}

// headerTokens splits the comma-separated values of header key.
func headerTokens(h http.Header, key string) []string {
	var out []string
	for _, v := range h.Values(key) {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// bearerToken returns the token of an "Authorization: Bearer" header, or "".
func bearerToken(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

// claimMap returns the claims as the string lists of a connect event.
func claimMap(c *auth.Claims) map[string][]string {
	m := make(map[string][]string)
	if len(c.Roles) > 0 {
		m["role"] = append([]string(nil), c.Roles...)
	}
	if len(c.Groups) > 0 {
		m["webpubsub.group"] = append([]string(nil), c.Groups...)
	}
	if c.Subject != "" {
		m["sub"] = []string{c.Subject}
	}
	if c.Audience != "" {
		m["aud"] = []string{c.Audience}
	}
	if c.IssuedAt != 0 {
		m["iat"] = []string{strconv.FormatInt(c.IssuedAt, 10)}
	}
	if c.ExpiresAt != 0 {
		m["exp"] = []string{strconv.FormatInt(c.ExpiresAt, 10)}
	}
	return m
}

// countDistinct returns how many different strings list holds.
func countDistinct(list []string) int {
	seen := make(map[string]struct{}, len(list))
	for _, s := range list {
		seen[s] = struct{}{}
	}
	return len(seen)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
