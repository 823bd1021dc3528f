package rest

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

// defaultCloseReason is the reason given to clients closed through the REST
// API without an explicit reason.
const defaultCloseReason = "The connection was closed by the server."

// closeAll closes the targets that are not excluded and answers 204.
func (a *API) closeAll(w http.ResponseWriter, r *http.Request, targets []*core.Conn) {
	excluded := excludedSet(r)
	reason := r.URL.Query().Get("reason")
	if reason == "" {
		reason = defaultCloseReason
	}
	for _, c := range targets {
		if !excluded[c.ID()] {
			c.Remove(core.CloseReason{Kind: core.CloseNormal, Text: reason})
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
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	a.closeAll(w, r, h.Group(g))
}

// closeUserConnections is WebPubSub_CloseUserConnections.
func (a *API) closeUserConnections(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	a.closeAll(w, r, h.User(r.PathValue("userId")))
}

// closeConnection is WebPubSub_CloseConnection; closing an unknown
// connection succeeds.
func (a *API) closeConnection(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	var targets []*core.Conn
	if c := h.Conn(r.PathValue("connectionId")); c != nil {
		targets = append(targets, c)
	}
	a.closeAll(w, r, targets)
}

// connectionExists is WebPubSub_ConnectionExists. A reliable connection
// waiting for recovery still exists.
func (a *API) connectionExists(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	id := r.PathValue("connectionId")
	if h.Conn(id) == nil {
		connectionNotFound(w, id)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// groupExists is WebPubSub_GroupExists: a group exists while it has a connection.
func (a *API) groupExists(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	if !h.HasGroup(g) {
		WriteError(w, http.StatusNotFound, "Info.Group.NotExisted", "Group `"+g+"` is not found.")
		return
	}
	w.WriteHeader(http.StatusOK)
}

// userExists is WebPubSub_UserExists: a user exists while it has a connection.
func (a *API) userExists(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	u := r.PathValue("userId")
	if !h.HasUser(u) {
		WriteError(w, http.StatusNotFound, "Info.User.NotExisted", "User `"+u+"` is not found.")
		return
	}
	w.WriteHeader(http.StatusOK)
}

// addConnectionToGroup is WebPubSub_AddConnectionToGroup.
func (a *API) addConnectionToGroup(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	id := r.PathValue("connectionId")
	c := h.Conn(id)
	if c == nil {
		connectionNotFound(w, id)
		return
	}
	switch err := h.Join(c, g, nil); {
	case errors.Is(err, core.ErrGone):
		connectionNotFound(w, id)
		return
	case err != nil:
		badRequest(w, "%s", err.Error())
		return
	}
	w.WriteHeader(http.StatusOK)
}

// removeConnectionFromGroup is WebPubSub_RemoveConnectionFromGroup.
func (a *API) removeConnectionFromGroup(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	if c := h.Conn(r.PathValue("connectionId")); c != nil {
		h.Leave(c, g)
	}
	w.WriteHeader(http.StatusNoContent)
}

// removeConnectionFromAllGroups is WebPubSub_RemoveConnectionFromAllGroups.
func (a *API) removeConnectionFromAllGroups(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	if c := h.Conn(r.PathValue("connectionId")); c != nil {
		h.LeaveAll(c)
	}
	w.WriteHeader(http.StatusNoContent)
}

// addUserToGroup is WebPubSub_AddUserToGroup. The user's later connections
// join the group too.
func (a *API) addUserToGroup(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	user := r.PathValue("userId")
	skipped, err := h.AddUserToGroup(user, g)
	if err != nil {
		badRequest(w, "%s", err.Error())
		return
	}
	if skipped > 0 {
		a.log.Warn("emulator: limit hit: connections already in the maximum number of groups did not join", "hub", h.Name(), "group", g, "connections", skipped, "limit", a.core.Limits().MaxGroupsPerConnection)
	}
	w.WriteHeader(http.StatusOK)
}

// removeUserFromGroup is WebPubSub_RemoveUserFromGroup.
func (a *API) removeUserFromGroup(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	h.RemoveUserFromGroup(r.PathValue("userId"), g)
	w.WriteHeader(http.StatusNoContent)
}

// removeUserFromAllGroups is WebPubSub_RemoveUserFromAllGroups.
func (a *API) removeUserFromAllGroups(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	h.RemoveUserFromAllGroups(r.PathValue("userId"))
	w.WriteHeader(http.StatusNoContent)
}

// groupsRequest is the body of :addToGroups and :removeFromGroups.
type groupsRequest struct {
	Groups []string `json:"groups"`
	Filter string   `json:"filter,omitempty"`
}

// parseGroupsRequest parses and validates an :addToGroups or
// :removeFromGroups request. On failure it writes the error response.
func parseGroupsRequest(w http.ResponseWriter, r *http.Request) (*groupsRequest, bool) {
	body, err := readBody(r, maxRESTMessage)
	if err != nil {
		badRequest(w, "%s", err.Error())
		return nil, false
	}
	if len(body) == 0 {
		badRequest(w, `the request body is required: {"groups": [...], "filter": "..."}`)
		return nil, false
	}
	var req groupsRequest
	if err := json.Unmarshal(body, &req); err != nil {
		badRequest(w, `the request body must be a JSON object {"groups": [...], "filter": "..."}`)
		return nil, false
	}
	if len(req.Groups) == 0 {
		badRequest(w, "the groups field is required and must not be empty")
		return nil, false
	}
	for _, g := range req.Groups {
		if err := core.ValidateGroup(g); err != nil {
			badRequest(w, "%s", err.Error())
			return nil, false
		}
	}
	return &req, true
}

// addConnectionsToGroups is WebPubSub_AddConnectionsToGroups.
func (a *API) addConnectionsToGroups(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	a.groupsOperation(w, r, h, true)
}

// removeConnectionsFromGroups is WebPubSub_RemoveConnectionsFromGroups.
func (a *API) removeConnectionsFromGroups(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	a.groupsOperation(w, r, h, false)
}

// groupsOperation adds (add true) or removes the connections that match the
// request's filter to or from its groups.
func (a *API) groupsOperation(w http.ResponseWriter, r *http.Request, h *core.Hub, add bool) {
	req, ok := parseGroupsRequest(w, r)
	if !ok {
		return
	}
	f, ok := parseFilter(w, req.Filter)
	if !ok {
		return
	}
	skipped := 0
	for _, c := range h.Conns() {
		if !matches(c, f, nil) {
			continue
		}
		for _, g := range req.Groups {
			if add {
				if err := h.Join(c, g, nil); err != nil && !errors.Is(err, core.ErrGone) {
					skipped++
				}
			} else {
				h.Leave(c, g)
			}
		}
	}
	if skipped > 0 {
		a.log.Warn("emulator: limit hit: connections already in the maximum number of groups did not join", "hub", h.Name(), "joins", skipped, "limit", a.core.Limits().MaxGroupsPerConnection)
	}
	w.WriteHeader(http.StatusOK)
}
