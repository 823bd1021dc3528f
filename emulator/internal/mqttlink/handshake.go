package mqttlink

import (
	"net/http"
	"strings"

	"github.com/webpubsub-go/webpubsub/emulator/internal/access"
	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// shuttingDown answers handshakes once the emulator is closing.
const shuttingDown = "the emulator is shutting down"

// serve is the endpoint /clients/mqtt/hubs/{hub}: the WebSocket handshake.
// The access token is checked here, before the upgrade (a refusal is an
// HTTP status: 401 for the token); the CONNECT packet that follows is
// answered by a CONNACK.
func (a *Adapter) serve(w http.ResponseWriter, r *http.Request) {
	hub := r.PathValue("hub")
	if err := core.ValidateHub(hub); err != nil {
		a.refuse(w, r, hub, http.StatusBadRequest, err.Error())
		return
	}
	if !offersMQTT(r.Header) {
		a.refuse(w, r, hub, http.StatusBadRequest, `the MQTT endpoint needs the WebSocket subprotocol "mqtt" (Sec-WebSocket-Protocol: mqtt)`)
		return
	}
	claims, status, reason := a.authenticate(r, hub)
	if status != 0 {
		a.refuse(w, r, hub, status, reason)
		return
	}
	if !a.cfg.Tasks.Add() {
		a.refuse(w, r, hub, http.StatusServiceUnavailable, shuttingDown)
		return
	}
	l := newLink(a, hub, r, claims)
	if err := l.sock.Accept(w, r, Subprotocol, MaxWebSocketMessage); err != nil {
		a.log.Debug("emulator: mqtt websocket handshake failed", "err", err)
		a.cfg.Tasks.Done()
		return
	}
	go a.run(l) // a goroutine of its own: the handshake's stack is not kept
}

// authenticate verifies the handshake's access token (query access_token or
// Authorization: Bearer); without one the hub must allow anonymous clients.
// It returns the claims, or the status and reason of a refusal.
func (a *Adapter) authenticate(r *http.Request, hub string) (*auth.Claims, int, string) {
	token := r.URL.Query().Get(protocol.QueryAccessToken)
	if token == "" {
		token = access.BearerToken(r)
	}
	claims := &auth.Claims{}
	switch {
	case token != "":
		var err error
		if claims, err = a.cfg.Access.VerifyMQTTClient(r, hub, token); err != nil {
			return nil, http.StatusUnauthorized, "invalid access token: " + err.Error()
		}
	case !a.cfg.AllowsAnonymous(hub):
		return nil, http.StatusUnauthorized, "missing access token: add the access_token query parameter or an Authorization: Bearer header (or set anonymousConnectPolicy to allow in the hub's settings)"
	}
	for _, g := range claims.Groups {
		if err := core.ValidateGroup(g); err != nil {
			return nil, http.StatusBadRequest, "invalid webpubsub.group claim: " + err.Error()
		}
	}
	if err := a.limits.CheckGroups(claims.Groups); err != nil {
		return nil, http.StatusBadRequest, "the token's webpubsub.group claim: " + err.Error()
	}
	return claims, 0, ""
}

// refuse answers a handshake with status and reason (never the token) and
// logs it.
func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, hub string, status int, reason string) {
	a.log.Warn("emulator: mqtt connection refused", "hub", hub, "status", status, "reason", reason, "remote", r.RemoteAddr)
	http.Error(w, reason, status)
}

// offersMQTT reports whether the client asked for the subprotocol "mqtt".
// mqtt.js asks for "mqttv3.1" only for MQTT 3.1, which the service does not
// support (reference mqtt.md §1).
func offersMQTT(h http.Header) bool {
	for _, v := range h.Values("Sec-WebSocket-Protocol") {
		for _, s := range strings.Split(v, ",") {
			if strings.TrimSpace(s) == Subprotocol {
				return true
			}
		}
	}
	return false
}
