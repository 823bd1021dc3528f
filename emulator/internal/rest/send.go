package rest

import (
	"net/http"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wire"
)

// sendToAll is WebPubSub_SendToAll.
func (a *API) sendToAll(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	p, err := parseSend(r, true, true)
	if err != nil {
		fail(w, err)
		return
	}
	a.broadcast(w, h, serverMessage(p), "hub", h.Conns(), p)
}

// sendToConnection is WebPubSub_SendToConnection. Sending to an unknown
// connection succeeds and does nothing, as in the service.
func (a *API) sendToConnection(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	id, err := pathConnection(r)
	if err != nil {
		fail(w, err)
		return
	}
	p, err := parseSend(r, false, false)
	if err != nil {
		fail(w, err)
		return
	}
	var targets []*core.Conn
	if c := h.Conn(id); c != nil {
		targets = append(targets, c)
	}
	a.broadcast(w, h, serverMessage(p), "connection "+id, targets, p)
}

// sendToGroup is WebPubSub_SendToGroup. The message reaches the group's
// members as a message of the group, without a sender's user: the service
// delivers a REST send to a group as {"type":"message","from":"group",
// "group":...} (a GroupMessage in protobuf), as Microsoft's emulator does
// for every group send and the JS client's live test "receives binary
// group message sent by service" expects. Simple WebSocket clients get the
// payload as always.
func (a *API) sendToGroup(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	g, err := pathGroup(r)
	if err != nil {
		fail(w, err)
		return
	}
	p, err := parseSend(r, true, true)
	if err != nil {
		fail(w, err)
		return
	}
	msg := &core.Message{Origin: core.FromGroup, Group: g, Data: wire.CorePayload(p.payload), Metadata: p.metadata}
	a.broadcast(w, h, msg, "group "+g, h.Group(g), p)
}

// sendToUser is WebPubSub_SendToUser.
func (a *API) sendToUser(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	u, err := pathUser(r)
	if err != nil {
		fail(w, err)
		return
	}
	p, err := parseSend(r, false, true)
	if err != nil {
		fail(w, err)
		return
	}
	a.broadcast(w, h, serverMessage(p), "user "+u, h.User(u), p)
}

// serverMessage is the message of a send to the hub, a user or a
// connection: a message from the server.
func serverMessage(p *sendParams) *core.Message {
	return &core.Message{Origin: core.FromServer, Data: wire.CorePayload(p.payload), Metadata: p.metadata}
}

// broadcast delivers msg to the targets that pass p's filter and
// exclusions and answers 202. target describes them for the live trace.
func (a *API) broadcast(w http.ResponseWriter, h *core.Hub, msg *core.Message, target string, targets []*core.Conn, p *sendParams) {
	if p.ttl > 0 {
		msg.Expires = time.Now().Add(p.ttl)
	}
	if err := wire.Check(msg); err != nil {
		fail(w, badRequest("The message cannot be sent as %s: %s", p.payload.ContentType(), err.Error()))
		return
	}
	send := &core.Send{Message: msg, Source: "rest", Target: target, To: targets}
	if p.filter != nil || p.excluded != nil {
		send.Skip = func(c *core.Conn) bool { return !matches(c, p.filter, p.excluded) }
	}
	h.Send(send)
	w.WriteHeader(http.StatusAccepted)
}
