package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/fault"
	"github.com/webpubsub-go/webpubsub/emulator/internal/rest"
)

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
		ok, err := e.CloseConnectionWithCode(req.Hub, req.ConnectionID, CloseCode(req.Code), req.Reason)
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
		if msg := e.access.AuthorizeREST(r); msg != "" {
			e.log.Warn("emulator: admin call refused", "method", r.Method, "path", r.URL.Path, "reason", msg)
			w.Header().Set("WWW-Authenticate", "Bearer")
			rest.WriteError(w, http.StatusUnauthorized, rest.CodeUnauthorized, msg)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody+1))
		if err != nil || len(body) > maxAdminBody {
			rest.WriteError(w, http.StatusBadRequest, rest.CodeBadRequest, fmt.Sprintf("the request body is unreadable or larger than %d bytes", maxAdminBody))
			return
		}
		if len(body) == 0 {
			body = []byte("{}")
		}
		status, err := f(body)
		if err != nil {
			code := rest.CodeBadRequest
			if status == http.StatusNotFound {
				code = rest.CodeNotFound
			}
			rest.WriteError(w, status, code, err.Error())
			return
		}
		w.WriteHeader(status)
	}
}
