package rest

import (
	"net/http"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wire"
)

// sendToAll is WebPubSub_SendToAll.
func (a *API) sendToAll(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	p, ok := parseSend(w, r, true, true)
	if !ok {
		return
	}
	a.broadcast(w, h, "hub", h.Conns(), p)
}

// sendToConnection is WebPubSub_SendToConnection. Sending to an unknown
// connection succeeds and does nothing, as in the service.
func (a *API) sendToConnection(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	p, ok := parseSend(w, r, false, false)
	if !ok {
		return
	}
	var targets []*core.Conn
	if c := h.Conn(r.PathValue("connectionId")); c != nil {
		targets = append(targets, c)
	}
	a.broadcast(w, h, "connection "+r.PathValue("connectionId"), targets, p)
}

// sendToGroup is WebPubSub_SendToGroup.
func (a *API) sendToGroup(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	p, ok := parseSend(w, r, true, true)
	if !ok {
		return
	}
	a.broadcastTo(w, h, "group "+g, g, h.Group(g), p)
}

// sendToUser is WebPubSub_SendToUser.
func (a *API) sendToUser(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	p, ok := parseSend(w, r, false, true)
	if !ok {
		return
	}
	a.broadcast(w, h, "user "+r.PathValue("userId"), h.User(r.PathValue("userId")), p)
}

// broadcast delivers p to the targets that pass its filter and exclusions
// and answers 202. target describes them for the live trace.
func (a *API) broadcast(w http.ResponseWriter, h *core.Hub, target string, targets []*core.Conn, p *sendParams) {
	a.broadcastTo(w, h, target, "", targets, p)
}

// broadcastTo is broadcast of a message sent to group ("" for none), which
// wires that name it (MQTT's topic) read from core.Message.Group.
func (a *API) broadcastTo(w http.ResponseWriter, h *core.Hub, target, group string, targets []*core.Conn, p *sendParams) {
	msg := &core.Message{Origin: core.FromServer, Group: group, Data: wire.CorePayload(p.payload)}
	if p.ttl > 0 {
		msg.Expires = time.Now().Add(p.ttl)
	}
	if err := wire.Check(msg); err != nil {
		badRequest(w, "invalid message for content type %s: %s", p.payload.ContentType(), err.Error())
		return
	}
	send := &core.Send{Message: msg, Source: "rest", Target: target, To: targets}
	if p.filter != nil || p.excluded != nil {
		send.Skip = func(c *core.Conn) bool { return !matches(c, p.filter, p.excluded) }
	}
	h.Send(send)
	w.WriteHeader(http.StatusAccepted)
}
