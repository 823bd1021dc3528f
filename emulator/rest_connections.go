package emulator

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/internal/names"
)

// defaultCloseReason is the reason given to clients closed through the REST
// API without an explicit reason.
const defaultCloseReason = "The connection was closed by the server."

// closeAll closes the targets that are not excluded and answers 204.
func (e *Emulator) closeAll(w http.ResponseWriter, r *http.Request, targets []*conn) {
	excluded := excludedSet(r)
	reason := r.URL.Query().Get("reason")
	if reason == "" {
		reason = defaultCloseReason
	}
	for _, c := range targets {
		if !excluded[c.id] {
			e.removeConn(c, reason, websocket.StatusNormalClosure)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// closeAllConnections is WebPubSub_CloseAllConnections.
func (e *Emulator) closeAllConnections(w http.ResponseWriter, r *http.Request, h *hub) {
	e.closeAll(w, r, h.all())
}

// closeGroupConnections is WebPubSub_CloseGroupConnections.
func (e *Emulator) closeGroupConnections(w http.ResponseWriter, r *http.Request, h *hub) {
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	e.closeAll(w, r, h.group(g))
}

// closeUserConnections is WebPubSub_CloseUserConnections.
func (e *Emulator) closeUserConnections(w http.ResponseWriter, r *http.Request, h *hub) {
	e.closeAll(w, r, h.user(r.PathValue("userId")))
}

// closeConnection is WebPubSub_CloseConnection; closing an unknown
// connection succeeds.
func (e *Emulator) closeConnection(w http.ResponseWriter, r *http.Request, h *hub) {
	var targets []*conn
	if c := h.connection(r.PathValue("connectionId")); c != nil {
		targets = append(targets, c)
	}
	e.closeAll(w, r, targets)
}

// connectionExists is WebPubSub_ConnectionExists. A reliable connection
// waiting for recovery still exists.
func (e *Emulator) connectionExists(w http.ResponseWriter, r *http.Request, h *hub) {
	id := r.PathValue("connectionId")
	if h.connection(id) == nil {
		connectionNotFound(w, id)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// groupExists is WebPubSub_GroupExists: a group exists while it has a connection.
func (e *Emulator) groupExists(w http.ResponseWriter, r *http.Request, h *hub) {
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	if !h.hasGroup(g) {
		writeError(w, http.StatusNotFound, "Info.Group.NotExisted", "Group `"+g+"` is not found.")
		return
	}
	w.WriteHeader(http.StatusOK)
}

// userExists is WebPubSub_UserExists: a user exists while it has a connection.
func (e *Emulator) userExists(w http.ResponseWriter, r *http.Request, h *hub) {
	u := r.PathValue("userId")
	if !h.hasUser(u) {
		writeError(w, http.StatusNotFound, "Info.User.NotExisted", "User `"+u+"` is not found.")
		return
	}
	w.WriteHeader(http.StatusOK)
}

// addConnectionToGroup is WebPubSub_AddConnectionToGroup.
func (e *Emulator) addConnectionToGroup(w http.ResponseWriter, r *http.Request, h *hub) {
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	id := r.PathValue("connectionId")
	c := h.connection(id)
	if c == nil {
		connectionNotFound(w, id)
		return
	}
	switch err := h.join(c, g); {
	case errors.Is(err, errNotRegistered):
		connectionNotFound(w, id)
		return
	case err != nil:
		badRequest(w, "%s", err.Error())
		return
	}
	w.WriteHeader(http.StatusOK)
}

// removeConnectionFromGroup is WebPubSub_RemoveConnectionFromGroup.
func (e *Emulator) removeConnectionFromGroup(w http.ResponseWriter, r *http.Request, h *hub) {
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	if c := h.connection(r.PathValue("connectionId")); c != nil {
		h.leave(c, g)
	}
	w.WriteHeader(http.StatusNoContent)
}

// removeConnectionFromAllGroups is WebPubSub_RemoveConnectionFromAllGroups.
func (e *Emulator) removeConnectionFromAllGroups(w http.ResponseWriter, r *http.Request, h *hub) {
	if c := h.connection(r.PathValue("connectionId")); c != nil {
		h.leaveAll(c)
	}
	w.WriteHeader(http.StatusNoContent)
}

// addUserToGroup is WebPubSub_AddUserToGroup. The user's later connections
// join the group too.
func (e *Emulator) addUserToGroup(w http.ResponseWriter, r *http.Request, h *hub) {
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	user := r.PathValue("userId")
	skipped, err := h.addUserToGroup(user, g)
	if err != nil {
		badRequest(w, "%s", err.Error())
		return
	}
	if skipped > 0 {
		e.log.Warn("emulator: limit hit: connections already in the maximum number of groups did not join", "hub", h.name, "group", g, "connections", skipped, "limit", maxGroupsPerConnection)
	}
	w.WriteHeader(http.StatusOK)
}

// removeUserFromGroup is WebPubSub_RemoveUserFromGroup.
func (e *Emulator) removeUserFromGroup(w http.ResponseWriter, r *http.Request, h *hub) {
	g, ok := pathGroup(w, r)
	if !ok {
		return
	}
	h.removeUserFromGroup(r.PathValue("userId"), g)
	w.WriteHeader(http.StatusNoContent)
}

// removeUserFromAllGroups is WebPubSub_RemoveUserFromAllGroups.
func (e *Emulator) removeUserFromAllGroups(w http.ResponseWriter, r *http.Request, h *hub) {
	h.removeUserFromAllGroups(r.PathValue("userId"))
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
		if err := names.ValidateGroup(g); err != nil {
			badRequest(w, "%s", err.Error())
			return nil, false
		}
	}
	return &req, true
}

// addConnectionsToGroups is WebPubSub_AddConnectionsToGroups.
func (e *Emulator) addConnectionsToGroups(w http.ResponseWriter, r *http.Request, h *hub) {
	e.groupsOperation(w, r, h, true)
}

// removeConnectionsFromGroups is WebPubSub_RemoveConnectionsFromGroups.
func (e *Emulator) removeConnectionsFromGroups(w http.ResponseWriter, r *http.Request, h *hub) {
	e.groupsOperation(w, r, h, false)
}

// groupsOperation adds (add true) or removes the connections that match the
// request's filter to or from its groups.
func (e *Emulator) groupsOperation(w http.ResponseWriter, r *http.Request, h *hub, add bool) {
	req, ok := parseGroupsRequest(w, r)
	if !ok {
		return
	}
	f, ok := parseFilter(w, req.Filter)
	if !ok {
		return
	}
	skipped := 0
	for _, c := range h.all() {
		if !h.matches(c, f, nil) {
			continue
		}
		for _, g := range req.Groups {
			if add {
				if err := h.join(c, g); err != nil && !errors.Is(err, errNotRegistered) {
					skipped++
				}
			} else {
				h.leave(c, g)
			}
		}
	}
	if skipped > 0 {
		e.log.Warn("emulator: limit hit: connections already in the maximum number of groups did not join", "hub", h.name, "joins", skipped, "limit", maxGroupsPerConnection)
	}
	w.WriteHeader(http.StatusOK)
}
