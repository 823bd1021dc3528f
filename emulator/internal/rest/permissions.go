package rest

import (
	"errors"
	"net/http"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/permission"
)

// The permission operations follow Microsoft's emulator
// (RestApiTests.Permissions: PermissionRestContractPreservesVersionsTargetsAndMissingConnections,
// PermissionRestValidatesInputAndAuthentication and
// PermissionRestReturnsConflictWithoutChangingFullLiteralSet): the
// permission name in any case (or its number), a targetName that is
// required and names one group literally, 404 Info.Connection.NotExisted
// for an unknown connection on PUT and HEAD, 204 on DELETE, and 409
// Error.Connection.Conflict when the connection records as many single
// groups as it may.

// permissionTarget returns the request's {permission}, its targetName and
// its {connectionId}, each validated in that order.
func permissionTarget(r *http.Request) (permission.Permission, string, string, error) {
	p, err := permission.ParsePermission(r.PathValue("permission"))
	if err != nil {
		return 0, "", "", badParameter("permission", "%s.", err.Error())
	}
	group, err := permission.ParseTarget(p, r.URL.Query().Get("targetName"))
	if err != nil {
		return 0, "", "", badParameter("targetName", "%s.", err.Error())
	}
	id, err := pathConnection(r)
	return p, group, id, err
}

// conflict is the 409 of a grant or revocation over permission.MaxLiterals.
func conflict(id string) *apiError {
	return &apiError{status: http.StatusConflict, code: codeConflict, message: "Connection `" + id + "` has as many single-group permissions as it may have; grant a role for all groups or a pattern instead.", target: "Connection"}
}

// change grants (grant true) or revokes p on group for connection id.
func change(h *core.Hub, p permission.Permission, group, id string, grant bool) error {
	c := h.Conn(id)
	if c == nil {
		return core.ErrGone
	}
	if grant {
		return c.Grant(p, group)
	}
	return c.Revoke(p, group)
}

// grantPermission is WebPubSub_GrantPermission.
func (a *API) grantPermission(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	p, group, id, err := permissionTarget(r)
	if err == nil {
		err = change(h, p, group, id, true)
	}
	switch {
	case errors.Is(err, core.ErrGone):
		fail(w, connectionNotFound(id))
	case errors.Is(err, permission.ErrTooManyLiterals):
		fail(w, conflict(id))
	case err != nil:
		fail(w, err)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// revokePermission is WebPubSub_RevokePermission; revoking from an unknown
// connection succeeds. Revoking one group from a connection that holds the
// permission for every group (or a pattern) denies that group only.
func (a *API) revokePermission(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	p, group, id, err := permissionTarget(r)
	if err == nil {
		err = change(h, p, group, id, false)
	}
	switch {
	case errors.Is(err, core.ErrGone):
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, permission.ErrTooManyLiterals):
		fail(w, conflict(id))
	case err != nil:
		fail(w, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// checkPermission is WebPubSub_CheckPermission: 200 when the connection
// has the permission on the group, else 404. The 404 of a connection
// without the permission carries the code of a missing connection, as
// Microsoft's emulator answers it (its test expects Info.Connection.NotExisted
// for both); a HEAD answer has no body.
func (a *API) checkPermission(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	p, group, id, err := permissionTarget(r)
	if err == nil {
		if c := h.Conn(id); c == nil || !c.Permits(p, group) {
			err = connectionNotFound(id)
		}
	}
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}
