package rest

import (
	"net/http"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

// closedByServer is what a client closed through the REST API is told, in
// the service's words: the disconnected system message says it, the close
// frame carries no description, and the upstream's disconnected event has it
// as its reason (Microsoft's emulator, RestApiTests.
// CloseConnectionSendsDisconnectedMessageWithReason and
// UpstreamNotificationTests; the JS SDK's docs show the same text from the
// service).
const closedByServer = "Application server closed the connection."

// closeText returns the reason a connection closed through the REST API
// gives: closedByServer, followed by " Reason: <reason>" when the call gave
// one.
func closeText(reason string) string {
	if reason == "" {
		return closedByServer
	}
	return closedByServer + " Reason: " + reason
}

// closeAll closes the targets that are not excluded and answers 204.
func (a *API) closeAll(w http.ResponseWriter, r *http.Request, targets []*core.Conn) {
	excluded := excludedSet(r)
	reason := r.URL.Query().Get("reason")
	why := core.CloseReason{Kind: core.CloseNormal, Text: closeText(reason), Detail: reason}
	for _, c := range targets {
		if !excluded[c.ID()] {
			c.Remove(why)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// closeAllConnections is WebPubSub_CloseAllConnections.
func (a *API) closeAllConnections(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	a.closeAll(w, r, h.Conns())
}

// closeGroupConnections is WebPubSub_CloseGroupConnections.
func (a *API) closeGroupConnections(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	g, err := pathGroup(r)
	if err != nil {
		fail(w, err)
		return
	}
	a.closeAll(w, r, h.Group(g))
}

// closeUserConnections is WebPubSub_CloseUserConnections.
func (a *API) closeUserConnections(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	u, err := pathUser(r)
	if err != nil {
		fail(w, err)
		return
	}
	a.closeAll(w, r, h.User(u))
}

// closeConnection is WebPubSub_CloseConnection; closing an unknown
// connection succeeds.
func (a *API) closeConnection(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	id, err := pathConnection(r)
	if err != nil {
		fail(w, err)
		return
	}
	var targets []*core.Conn
	if c := h.Conn(id); c != nil {
		targets = append(targets, c)
	}
	a.closeAll(w, r, targets)
}
