package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/fault"
)

// restOperations names the REST API's operations by route pattern; the
// names are those fault injection uses (Emulator.FailREST).
var restOperations = map[string]string{
	"POST /api/hubs/{hub}/:addToGroups":                                          "addConnectionsToGroups",
	"POST /api/hubs/{hub}/:removeFromGroups":                                     "removeConnectionsFromGroups",
	"POST /api/hubs/{hub}/:closeConnections":                                     "closeAllConnections",
	"POST /api/hubs/{hub}/:generateToken":                                        "generateClientToken",
	"POST /api/hubs/{hub}/:send":                                                 "sendToAll",
	"DELETE /api/hubs/{hub}/connections/{connectionId}":                          "closeConnection",
	"HEAD /api/hubs/{hub}/connections/{connectionId}":                            "connectionExists",
	"POST /api/hubs/{hub}/connections/{connectionId}/:send":                      "sendToConnection",
	"DELETE /api/hubs/{hub}/connections/{connectionId}/groups":                   "removeConnectionFromAllGroups",
	"HEAD /api/hubs/{hub}/groups/{group}":                                        "groupExists",
	"POST /api/hubs/{hub}/groups/{group}/:closeConnections":                      "closeGroupConnections",
	"POST /api/hubs/{hub}/groups/{group}/:send":                                  "sendToGroup",
	"GET /api/hubs/{hub}/groups/{group}/connections":                             "listConnectionsInGroup",
	"DELETE /api/hubs/{hub}/groups/{group}/connections/{connectionId}":           "removeConnectionFromGroup",
	"PUT /api/hubs/{hub}/groups/{group}/connections/{connectionId}":              "addConnectionToGroup",
	"DELETE /api/hubs/{hub}/permissions/{permission}/connections/{connectionId}": "revokePermission",
	"HEAD /api/hubs/{hub}/permissions/{permission}/connections/{connectionId}":   "checkPermission",
	"PUT /api/hubs/{hub}/permissions/{permission}/connections/{connectionId}":    "grantPermission",
	"HEAD /api/hubs/{hub}/users/{userId}":                                        "userExists",
	"POST /api/hubs/{hub}/users/{userId}/:closeConnections":                      "closeUserConnections",
	"POST /api/hubs/{hub}/users/{userId}/:send":                                  "sendToUser",
	"DELETE /api/hubs/{hub}/users/{userId}/groups":                               "removeUserFromAllGroups",
	"DELETE /api/hubs/{hub}/users/{userId}/groups/{group}":                       "removeUserFromGroup",
	"PUT /api/hubs/{hub}/users/{userId}/groups/{group}":                          "addUserToGroup",
}

// newFaults returns the injector for e's REST operations.
func newFaults() *fault.Injector {
	ops := make([]string, 0, len(restOperations))
	for _, op := range restOperations {
		ops = append(ops, op)
	}
	return fault.New(ops...)
}

// faultREST applies injected latency and scripted answers to authorized
// REST calls routed by api.
func (e *Emulator) faultREST(api *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := api.Handler(r)
		op := restOperations[pattern]
		if op == "" {
			api.ServeHTTP(w, r)
			return
		}
		if d := e.faults.Latency(op); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if a, ok := e.faults.Next(op); ok {
			e.log.Debug("emulator: injected REST fault", "operation", op, "status", a.Status)
			a.Write(w, op)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// FailREST makes the next count calls of a REST operation answer with a
// scripted error (for example 429 with Retry-After, 500, 503 or 403)
// instead of running. operation is one of addConnectionsToGroups,
// addConnectionToGroup, addUserToGroup, checkPermission, closeAllConnections,
// closeConnection, closeGroupConnections, closeUserConnections,
// connectionExists, generateClientToken, grantPermission, groupExists,
// listConnectionsInGroup, removeConnectionFromAllGroups,
// removeConnectionFromGroup, removeConnectionsFromGroups,
// removeUserFromAllGroups, removeUserFromGroup, revokePermission,
// sendToAll, sendToConnection, sendToGroup, sendToUser, userExists, or "*"
// for any. Names match case-insensitively. Authentication runs first: an
// unauthorized call still gets 401.
func (e *Emulator) FailREST(operation string, count int, answer fault.Answer) error {
	return e.faults.Fail(operation, count, answer)
}

// SetRESTLatency delays every call of a REST operation (see FailREST for
// the names; "*" for all) by d before it runs; 0 removes the delay.
func (e *Emulator) SetRESTLatency(operation string, d time.Duration) error {
	return e.faults.SetLatency(operation, d)
}

// PauseUpstream holds every upstream event call (and webhook validation)
// until ResumeUpstream, as a hung event handler would: blocking events
// (connect, user events) wait, up to the upstream timeout.
func (e *Emulator) PauseUpstream() { e.faults.PauseUpstream() }

// ResumeUpstream lets the upstream calls held by PauseUpstream go on.
func (e *Emulator) ResumeUpstream() { e.faults.ResumeUpstream() }

// ClearFaults removes every injected fault: scripted answers, latency and
// a paused upstream.
func (e *Emulator) ClearFaults() { e.faults.Clear() }

// CloseConnectionWithCode closes a connection's WebSocket with code and
// reason, as the service would. Code 1008 (policy violation), and any code
// for a connection without a reliable subprotocol, ends the connection for
// good (a JSON client first gets a disconnected message with reason);
// another code on a reliable connection closes only its transport, so the
// client may recover the connection within the recovery window. Codes must
// be 1000-1003, 1007-1014 or 3000-4999. It reports false if the connection
// does not exist or has no live transport.
func (e *Emulator) CloseConnectionWithCode(hubName, connectionID string, code websocket.StatusCode, reason string) (bool, error) {
	if !validCloseCode(code) {
		return false, fmt.Errorf("emulator: close code %d cannot be sent; use 1000-1003, 1007-1014 or 3000-4999", code)
	}
	h := e.lookupHub(hubName)
	if h == nil {
		return false, nil
	}
	c := h.connection(connectionID)
	if c == nil {
		return false, nil
	}
	e.log.Debug("emulator: closing a connection by fault injection", "hub", hubName, "connectionId", connectionID, "code", int(code), "reason", reason)
	if code == websocket.StatusPolicyViolation || !c.reliable {
		return e.removeConn(c, reason, code), nil
	}
	c.mu.Lock()
	t := c.t
	c.mu.Unlock()
	if t == nil {
		return false, nil
	}
	t.Close(code, reason)
	return true, nil
}

func validCloseCode(c websocket.StatusCode) bool {
	return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999)
}

// maxAdminBody bounds the body of an admin request.
const maxAdminBody = 64 << 10

// routeFaults registers the fault-injection admin endpoints under
// /admin/faults. They need a bearer token signed with the access key whose
// aud is the request URL, like the REST API.
func (e *Emulator) routeFaults(mux *http.ServeMux) {
	mux.HandleFunc("POST /admin/faults/rest", e.admin(func(body []byte) (int, error) {
		var req struct {
			Operation         string  `json:"operation"`
			Count             int     `json:"count"`
			Status            int     `json:"status"`
			RetryAfterSeconds float64 `json:"retryAfterSeconds"`
			Code              string  `json:"code"`
			Message           string  `json:"message"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return http.StatusBadRequest, err
		}
		if req.Count == 0 {
			req.Count = 1
		}
		a := fault.Answer{Status: req.Status, RetryAfter: time.Duration(req.RetryAfterSeconds * float64(time.Second)), Code: req.Code, Message: req.Message}
		if err := e.FailREST(req.Operation, req.Count, a); err != nil {
			return http.StatusBadRequest, err
		}
		return http.StatusNoContent, nil
	}))
	mux.HandleFunc("POST /admin/faults/latency", e.admin(func(body []byte) (int, error) {
		var req struct {
			Operation    string  `json:"operation"`
			Milliseconds float64 `json:"milliseconds"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return http.StatusBadRequest, err
		}
		if err := e.SetRESTLatency(req.Operation, time.Duration(req.Milliseconds*float64(time.Millisecond))); err != nil {
			return http.StatusBadRequest, err
		}
		return http.StatusNoContent, nil
	}))
	mux.HandleFunc("POST /admin/faults/close", e.admin(func(body []byte) (int, error) {
		var req struct {
			Hub          string `json:"hub"`
			ConnectionID string `json:"connectionId"`
			Code         int    `json:"code"`
			Reason       string `json:"reason"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return http.StatusBadRequest, err
		}
		ok, err := e.CloseConnectionWithCode(req.Hub, req.ConnectionID, websocket.StatusCode(req.Code), req.Reason)
		if err != nil {
			return http.StatusBadRequest, err
		}
		if !ok {
			return http.StatusNotFound, fmt.Errorf("connection %q of hub %q does not exist or has no live WebSocket", req.ConnectionID, req.Hub)
		}
		return http.StatusNoContent, nil
	}))
	mux.HandleFunc("POST /admin/faults/upstream", e.admin(func(body []byte) (int, error) {
		var req struct {
			Paused *bool `json:"paused"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return http.StatusBadRequest, err
		}
		if req.Paused == nil {
			return http.StatusBadRequest, fmt.Errorf(`the body must be {"paused": true} or {"paused": false}`)
		}
		if *req.Paused {
			e.PauseUpstream()
		} else {
			e.ResumeUpstream()
		}
		return http.StatusNoContent, nil
	}))
	mux.HandleFunc("DELETE /admin/faults", e.admin(func([]byte) (int, error) {
		e.ClearFaults()
		return http.StatusNoContent, nil
	}))
}

// admin wraps an admin endpoint: it authorizes the request, reads its body
// and writes the result (an error as {"code","message"}).
func (e *Emulator) admin(f func(body []byte) (int, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if msg := e.authorize(r); msg != "" {
			e.log.Warn("emulator: admin call refused", "method", r.Method, "path", r.URL.Path, "reason", msg)
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeError(w, http.StatusUnauthorized, codeUnauthorized, msg)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody+1))
		if err != nil || len(body) > maxAdminBody {
			badRequest(w, "the request body is unreadable or larger than %d bytes", maxAdminBody)
			return
		}
		if len(body) == 0 {
			body = []byte("{}")
		}
		status, err := f(body)
		if err != nil {
			code := codeBadRequest
			if status == http.StatusNotFound {
				code = codeNotFound
			}
			writeError(w, status, code, err.Error())
			return
		}
		w.WriteHeader(status)
	}
}
