package emulator

import (
	"net/http"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// sendToAll is WebPubSub_SendToAll.
func (e *Emulator) sendToAll(w http.ResponseWriter, r *http.Request, h *hub) {
	p, ok := parseSend(w, r, true, true)
	if !ok {
		return
	}
	e.broadcast(w, h, "hub", h.all(), p)
}

// sendToConnection is WebPubSub_SendToConnection. Sending to an unknown
// connection succeeds and does nothing, as in the service.
func (e *Emulator) sendToConnection(w http.ResponseWriter, r *http.Request, h *hub) {
	p, ok := parseSend(w, r, false, false)
	if !ok {
		return
	}
	var targets []*conn
	if c := h.connection(r.PathValue("connectionId")); c != nil {
		targets = append(targets, c)
	}
	e.broadcast(w, h, "connection "+r.PathValue("connectionId"), targets, p)
}

// sendToGroup is WebPubSub_SendToGroup.
func (e *Emulator) sendToGroup(w http.ResponseWriter, r *http.Request, h *hub) {
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	p, ok := parseSend(w, r, true, true)
	if !ok {
		return
	}
	e.broadcast(w, h, "group "+g, h.group(g), p)
}

// sendToUser is WebPubSub_SendToUser.
func (e *Emulator) sendToUser(w http.ResponseWriter, r *http.Request, h *hub) {
	p, ok := parseSend(w, r, false, true)
	if !ok {
		return
	}
	e.broadcast(w, h, "user "+r.PathValue("userId"), h.user(r.PathValue("userId")), p)
}

// broadcast delivers p to the targets that pass its filter and exclusions
// and answers 202. target describes them for the live trace.
func (e *Emulator) broadcast(w http.ResponseWriter, h *hub, target string, targets []*conn, p *sendParams) {
	msg, err := newMessage(protocol.ServerDataMessage{Data: p.payload}, p.payload, p.ttl)
	if err != nil {
		badRequest(w, "invalid message for content type %s: %s", p.payload.ContentType(), cleanError(err))
		return
	}
	tr := e.traceSend(h, nil, "rest", target, p.payload)
	for _, c := range targets {
		if h.matches(c, p.filter, p.excluded) {
			c.deliver(msg)
			tr.to(c)
		}
	}
	tr.done()
	w.WriteHeader(http.StatusAccepted)
}
