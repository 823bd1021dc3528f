package rest

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// groupsRequest is the body of :addToGroups and :removeFromGroups.
type groupsRequest struct {
	Groups []string `json:"groups"`
	Filter string   `json:"filter,omitempty"`
}

// parseGroupsRequest parses and validates an :addToGroups or
// :removeFromGroups request: a JSON body (another Content-Type is a 415, as
// Microsoft's emulator answers it) with at least one valid group and an
// optional filter. A wrong body is a 400 with target "Request"; a wrong
// filter, the problem document of the filter parameter.
func parseGroupsRequest(r *http.Request) (*groupsRequest, error) {
	dt, err := contentDataType(r.Header.Get("Content-Type"))
	if err == nil && dt != protocol.DataTypeJSON {
		err = &apiError{status: http.StatusUnsupportedMediaType, code: codeUnsupportedMedia, message: `The request body must be application/json: {"groups": [...], "filter": "..."}.`, target: targetRequest}
	}
	if err != nil {
		return nil, err
	}
	body, err := readBody(r, maxRESTMessage)
	if err != nil {
		return nil, err
	}
	var req groupsRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, badRequest(`The request body is not a valid groups request: use {"groups": [...], "filter": "..."}.`)
	}
	if len(req.Groups) == 0 {
		return nil, badRequest("The groups field is required and must list at least one group.")
	}
	for _, g := range req.Groups {
		if err := core.ValidateGroup(g); err != nil {
			return nil, badRequest("%s.", err.Error())
		}
	}
	return &req, nil
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
// request's filter (every connection without one) to or from its groups.
func (a *API) groupsOperation(w http.ResponseWriter, r *http.Request, h *core.Hub, add bool) {
	req, err := parseGroupsRequest(r)
	if err != nil {
		fail(w, err)
		return
	}
	f, err := parseFilter(req.Filter)
	if err != nil {
		fail(w, err)
		return
	}
	skipped := 0
	for _, c := range h.Conns() {
		if !matches(c, f, nil) {
			continue
		}
		for _, g := range req.Groups {
			if !add {
				h.Leave(c, g)
			} else if err := h.Join(c, g, nil); err != nil && !errors.Is(err, core.ErrGone) {
				skipped++
			}
		}
	}
	if skipped > 0 {
		a.log.Warn("emulator: limit hit: connections already in the maximum number of groups did not join", "hub", h.Name(), "joins", skipped, "limit", a.core.Limits().MaxGroupsPerConnection)
	}
	w.WriteHeader(http.StatusOK)
}
