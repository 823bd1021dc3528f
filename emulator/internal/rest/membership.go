package rest

import (
	"errors"
	"net/http"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

// connectionExists is WebPubSub_ConnectionExists. A reliable connection
// waiting for recovery still exists.
func (a *API) connectionExists(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	id, err := pathConnection(r)
	if err == nil && h.Conn(id) == nil {
		err = connectionNotFound(id)
	}
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// groupExists is WebPubSub_GroupExists: a group exists while it has a
// connection. A missing group's 404 carries x-ms-error-code
// Warning.Group.NotExisted, as the service's.
func (a *API) groupExists(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	g, err := pathGroup(r)
	if err == nil && !h.HasGroup(g) {
		err = &apiError{status: http.StatusNotFound, code: codeGroupNotFound, message: "Group `" + g + "` is not found.", target: "Group"}
	}
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// userExists is WebPubSub_UserExists: a user exists while it has a
// connection. A missing user's 404 carries x-ms-error-code
// Warning.User.NotExisted, as the service's.
func (a *API) userExists(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	u, err := pathUser(r)
	if err == nil && !h.HasUser(u) {
		err = userNotFound(u)
	}
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// userNotFound is the 404 of a user without a connection.
func userNotFound(u string) *apiError {
	return &apiError{status: http.StatusNotFound, code: codeUserNotFound, message: "User `" + u + "` is not found.", target: "User"}
}

// addConnectionToGroup is WebPubSub_AddConnectionToGroup.
func (a *API) addConnectionToGroup(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	g, id, err := groupAndConnection(r)
	if err != nil {
		fail(w, err)
		return
	}
	c := h.Conn(id)
	if c == nil {
		fail(w, connectionNotFound(id))
		return
	}
	if err := h.Join(c, g, nil); err != nil {
		if errors.Is(err, core.ErrGone) {
			fail(w, connectionNotFound(id))
			return
		}
		fail(w, badRequest("%s", err.Error()))
		return
	}
	w.WriteHeader(http.StatusOK)
}

// removeConnectionFromGroup is WebPubSub_RemoveConnectionFromGroup.
func (a *API) removeConnectionFromGroup(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	g, id, err := groupAndConnection(r)
	if err != nil {
		fail(w, err)
		return
	}
	if c := h.Conn(id); c != nil {
		h.Leave(c, g)
	}
	w.WriteHeader(http.StatusNoContent)
}

// groupAndConnection returns the validated {group} and {connectionId}.
func groupAndConnection(r *http.Request) (string, string, error) {
	g, err := pathGroup(r)
	if err != nil {
		return "", "", err
	}
	id, err := pathConnection(r)
	return g, id, err
}

// removeConnectionFromAllGroups is WebPubSub_RemoveConnectionFromAllGroups.
func (a *API) removeConnectionFromAllGroups(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	id, err := pathConnection(r)
	if err != nil {
		fail(w, err)
		return
	}
	if c := h.Conn(id); c != nil {
		h.LeaveAll(c)
	}
	w.WriteHeader(http.StatusNoContent)
}

// addUserToGroup is WebPubSub_AddUserToGroup. The user's later connections
// join the group too. A user without a connection is a 404, as Microsoft's
// emulator answers it (AddUserToGroup returns NotFound when the user has no
// connection), and nothing is recorded.
func (a *API) addUserToGroup(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	u, g, err := userAndGroup(r)
	if err != nil {
		fail(w, err)
		return
	}
	if !h.HasUser(u) {
		fail(w, userNotFound(u))
		return
	}
	skipped, err := h.AddUserToGroup(u, g)
	if err != nil {
		fail(w, badRequest("%s", err.Error()))
		return
	}
	if skipped > 0 {
		a.log.Warn("emulator: limit hit: connections already in the maximum number of groups did not join", "hub", h.Name(), "group", g, "connections", skipped, "limit", a.core.Limits().MaxGroupsPerConnection)
	}
	w.WriteHeader(http.StatusOK)
}

// removeUserFromGroup is WebPubSub_RemoveUserFromGroup.
func (a *API) removeUserFromGroup(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	u, g, err := userAndGroup(r)
	if err != nil {
		fail(w, err)
		return
	}
	h.RemoveUserFromGroup(u, g)
	w.WriteHeader(http.StatusNoContent)
}

// userAndGroup returns the validated {userId} and {group}.
func userAndGroup(r *http.Request) (string, string, error) {
	u, err := pathUser(r)
	if err != nil {
		return "", "", err
	}
	g, err := pathGroup(r)
	return u, g, err
}

// removeUserFromAllGroups is WebPubSub_RemoveUserFromAllGroups.
func (a *API) removeUserFromAllGroups(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	u, err := pathUser(r)
	if err != nil {
		fail(w, err)
		return
	}
	h.RemoveUserFromAllGroups(u)
	w.WriteHeader(http.StatusNoContent)
}
