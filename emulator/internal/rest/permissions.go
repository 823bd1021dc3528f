package rest

import (
	"net/http"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

// Permissions of the REST API and the roles they correspond to.
var permissionRoles = map[string]string{
	"sendToGroup":    core.RoleSendToGroup,
	"joinLeaveGroup": core.RoleJoinLeaveGroup,
}

// permissionRole returns the role for the request's {permission} and
// targetName: the plain role, or the role scoped to the target group. On
// failure it writes a 400 and reports false.
func permissionRole(w http.ResponseWriter, r *http.Request) (plain, role string, ok bool) {
	perm := r.PathValue("permission")
	plain, ok = permissionRoles[perm]
	if !ok {
		badRequest(w, "unknown permission %q: use sendToGroup or joinLeaveGroup", truncateText(perm))
		return "", "", false
	}
	target := r.URL.Query().Get("targetName")
	if target == "" {
		return plain, plain, true
	}
	if err := core.ValidateGroup(target); err != nil {
		badRequest(w, "invalid targetName: %s", err.Error())
		return "", "", false
	}
	return plain, plain + "." + target, true
}

// grantPermission is WebPubSub_GrantPermission.
func (a *API) grantPermission(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	_, role, ok := permissionRole(w, r)
	if !ok {
		return
	}
	id := r.PathValue("connectionId")
	c := h.Conn(id)
	if c == nil || !c.Grant(role) {
		connectionNotFound(w, id)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// revokePermission is WebPubSub_RevokePermission; revoking from an unknown
// connection succeeds.
func (a *API) revokePermission(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	_, role, ok := permissionRole(w, r)
	if !ok {
		return
	}
	if c := h.Conn(r.PathValue("connectionId")); c != nil {
		c.Revoke(role)
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkPermission is WebPubSub_CheckPermission: 200 when the connection has
// the permission (for targetName: the plain or the scoped role), else 404.
func (a *API) checkPermission(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	plain, _, ok := permissionRole(w, r)
	if !ok {
		return
	}
	id := r.PathValue("connectionId")
	c := h.Conn(id)
	if c == nil {
		connectionNotFound(w, id)
		return
	}
	if !c.Allowed(plain, r.URL.Query().Get("targetName")) {
		WriteError(w, http.StatusNotFound, "Info.Permission.NotExisted", "The connection does not have the permission.")
		return
	}
	w.WriteHeader(http.StatusOK)
}
