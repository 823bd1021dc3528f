package emulator

import (
	"net/http"
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/names"
)

// handler returns the emulator's HTTP handler: the REST API under /api/ and
// the client endpoint under /client/.
func (e *Emulator) handler() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST /api/hubs/{hub}/:addToGroups", e.withHub(e.addConnectionsToGroups))
	api.HandleFunc("POST /api/hubs/{hub}/:removeFromGroups", e.withHub(e.removeConnectionsFromGroups))
	api.HandleFunc("POST /api/hubs/{hub}/:closeConnections", e.withHub(e.closeAllConnections))
	api.HandleFunc("POST /api/hubs/{hub}/:generateToken", e.withHub(e.generateToken))
	api.HandleFunc("POST /api/hubs/{hub}/:send", e.withHub(e.sendToAll))
	api.HandleFunc("DELETE /api/hubs/{hub}/connections/{connectionId}", e.withHub(e.closeConnection))
	api.HandleFunc("HEAD /api/hubs/{hub}/connections/{connectionId}", e.withHub(e.connectionExists))
	api.HandleFunc("POST /api/hubs/{hub}/connections/{connectionId}/:send", e.withHub(e.sendToConnection))
	api.HandleFunc("DELETE /api/hubs/{hub}/connections/{connectionId}/groups", e.withHub(e.removeConnectionFromAllGroups))
	api.HandleFunc("HEAD /api/hubs/{hub}/groups/{group}", e.withHub(e.groupExists))
	api.HandleFunc("POST /api/hubs/{hub}/groups/{group}/:closeConnections", e.withHub(e.closeGroupConnections))
	api.HandleFunc("POST /api/hubs/{hub}/groups/{group}/:send", e.withHub(e.sendToGroup))
	api.HandleFunc("GET /api/hubs/{hub}/groups/{group}/connections", e.withHub(e.listConnectionsInGroup))
	api.HandleFunc("DELETE /api/hubs/{hub}/groups/{group}/connections/{connectionId}", e.withHub(e.removeConnectionFromGroup))
	api.HandleFunc("PUT /api/hubs/{hub}/groups/{group}/connections/{connectionId}", e.withHub(e.addConnectionToGroup))
	api.HandleFunc("DELETE /api/hubs/{hub}/permissions/{permission}/connections/{connectionId}", e.withHub(e.revokePermission))
	api.HandleFunc("HEAD /api/hubs/{hub}/permissions/{permission}/connections/{connectionId}", e.withHub(e.checkPermission))
	api.HandleFunc("PUT /api/hubs/{hub}/permissions/{permission}/connections/{connectionId}", e.withHub(e.grantPermission))
	api.HandleFunc("HEAD /api/hubs/{hub}/users/{userId}", e.withHub(e.userExists))
	api.HandleFunc("POST /api/hubs/{hub}/users/{userId}/:closeConnections", e.withHub(e.closeUserConnections))
	api.HandleFunc("POST /api/hubs/{hub}/users/{userId}/:send", e.withHub(e.sendToUser))
	api.HandleFunc("DELETE /api/hubs/{hub}/users/{userId}/groups", e.withHub(e.removeUserFromAllGroups))
	api.HandleFunc("DELETE /api/hubs/{hub}/users/{userId}/groups/{group}", e.withHub(e.removeUserFromGroup))
	api.HandleFunc("PUT /api/hubs/{hub}/users/{userId}/groups/{group}", e.withHub(e.addUserToGroup))
	api.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, codeNotFound, "no operation matches "+r.Method+" "+r.URL.Path)
	})

	root := http.NewServeMux()
	root.HandleFunc("GET /client/hubs/{hub}", e.traceHandshake(e.serveClient))
	// The health check needs no token and no api-version, like the
	// official emulator's: 200 once the emulator serves.
	root.HandleFunc("GET /api/health", e.health)
	root.HandleFunc("HEAD /api/health", e.health)
	root.Handle("/api/", e.observeREST(e.apiGate(e.faultREST(api))))
	e.routeTrace(root)
	e.routeFaults(root)
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, codeNotFound, "no operation matches "+r.Method+" "+r.URL.Path)
	})
	return root
}

// apiGate checks every REST request: the bearer token, then the api-version
// query parameter.
func (e *Emulator) apiGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if msg := e.authorize(r); msg != "" {
			e.log.Warn("emulator: REST call refused", "method", r.Method, "path", r.URL.Path, "reason", msg)
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeError(w, http.StatusUnauthorized, codeUnauthorized, msg)
			return
		}
		if r.URL.Query().Get("api-version") == "" {
			badRequest(w, "the api-version query parameter is required (e.g. api-version=2024-12-01)")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorize checks the request's bearer token: HS256 signed with the access
// key, not expired, and with aud equal to the request URL (with or without
// its query). It returns "" when the request is authorized, else the reason.
func (e *Emulator) authorize(r *http.Request) string {
	tok := bearerToken(r)
	if tok == "" {
		return "missing Authorization header with a Bearer token"
	}
	if _, err := auth.Verify(tok, []string{e.key}, e.restAudiences(r), 0); err != nil {
		return "invalid bearer token: " + err.Error()
	}
	return ""
}

// restAudiences are the aud values accepted for r: the request URL as sent
// and as parsed, each with and without the query, on the emulator's own
// address (see audienceBases).
func (e *Emulator) restAudiences(r *http.Request) []string {
	var auds []string
	add := func(s string) {
		if !contains(auds, s) {
			auds = append(auds, s)
		}
	}
	for _, b := range e.audienceBases(r) {
		add(b + r.RequestURI)
		if i := strings.IndexByte(r.RequestURI, '?'); i >= 0 {
			add(b + r.RequestURI[:i])
		}
		p := r.URL.EscapedPath()
		add(b + p)
		if r.URL.RawQuery != "" {
			add(b + p + "?" + r.URL.RawQuery)
		}
	}
	return auds
}

// health answers 200 with {"status":"healthy"} while the emulator serves,
// 503 once it is closing.
func (e *Emulator) health(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if closed {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"closing"}`))
		return
	}
	_, _ = w.Write([]byte(`{"status":"healthy"}`))
}

// withHub validates the {hub} path value and passes the hub to h.
func (e *Emulator) withHub(h func(http.ResponseWriter, *http.Request, *hub)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("hub")
		if err := names.ValidateHub(name); err != nil {
			badRequest(w, "%s", err.Error())
			return
		}
		hb := e.hub(name)
		if hb == nil {
			writeError(w, http.StatusServiceUnavailable, "Error.ServiceUnavailable", "the emulator is shutting down")
			return
		}
		h(w, r, hb)
	}
}
