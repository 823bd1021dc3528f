// Package rest is the emulator's data-plane REST API (api-version
// 2024-12-01, and the earlier stable versions) under /api/: every operation
// of the service's hub API, on the core, behind the bearer-token check,
// fault injection, the debug log and the live trace.
//
// It answers as the service does where Microsoft's emulator, the official
// SDKs' live tests and the service's recordings say how: a refused
// parameter is a problem document (package problem) naming the parameter,
// in the service's words where they are known (filters, api-version); a
// wrong body is the flat error body with target "Request"; a send to a
// group is a message of the group; hub names are case-insensitive.
package rest

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/fault"
	"github.com/webpubsub-go/webpubsub/emulator/internal/access"
	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/observe"
)

// Config configures an API.
type Config struct {
	Core   *core.Core
	Access *access.Access
	// Faults are the injected faults, named by Operations.
	Faults *fault.Injector
	Logger *slog.Logger
	// Trace records every call; nil when the trace is off.
	Trace *observe.Trace
}

// API serves the REST API.
type API struct {
	core   *core.Core
	access *access.Access
	faults *fault.Injector
	log    *slog.Logger
	trace  *observe.Trace
}

// New returns the API.
func New(cfg Config) *API {
	return &API{core: cfg.Core, access: cfg.Access, faults: cfg.Faults, log: cfg.Logger, trace: cfg.Trace}
}

// Register adds the API to root: the operations under /api/ and the
// health check.
func (a *API) Register(root *http.ServeMux) {
	api := http.NewServeMux()
	for _, op := range operations {
		api.HandleFunc(op.pattern, a.withHub(op.handler(a)))
	}
	api.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusNotFound, CodeNotFound, "no operation matches "+r.Method+" "+r.URL.Path)
	})
	// The health check needs no token and no api-version, like the
	// official emulator's: 200 once the emulator serves.
	root.HandleFunc("GET /api/health", a.health)
	root.HandleFunc("HEAD /api/health", a.health)
	root.Handle("/api/", a.observe(a.gate(a.faulted(api))))
}

// gate checks every REST request: the bearer token, then the api-version
// query parameter (an unauthenticated request learns nothing, not even
// which versions are served).
func (a *API) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if msg := a.access.AuthorizeREST(r); msg != "" {
			a.log.Warn("emulator: REST call refused", "method", r.Method, "path", r.URL.Path, "reason", msg)
			w.Header().Set("WWW-Authenticate", "Bearer")
			WriteError(w, http.StatusUnauthorized, CodeUnauthorized, msg)
			return
		}
		if err := checkAPIVersion(r.URL.Query()); err != nil {
			fail(w, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// observe logs every call at debug level (method, path without the query,
// which may carry tokens, status and duration) and records it in the live
// trace, each a bounded summary (the logger clips what a client chose). The
// status is captured once for both. Every answer lists the supported
// api-versions.
func (a *API) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		advertiseVersions(w)
		start := time.Now()
		sw := &observe.StatusWriter{ResponseWriter: w}
		r = observe.BeginREST(r)
		next.ServeHTTP(sw, r)
		if sw.Status == 0 {
			sw.Status = http.StatusOK
		}
		d := time.Since(start)
		a.log.Debug("emulator: REST call", "method", r.Method, "path", r.URL.Path, "status", sw.Status, "duration", d)
		a.trace.REST(r, sw.Status, d)
	})
}

// health answers 200 with {"status":"healthy"} while the emulator serves,
// 503 once it is closing.
func (a *API) health(w http.ResponseWriter, r *http.Request) {
	advertiseVersions(w)
	w.Header().Set("Content-Type", "application/json")
	if a.core.Closed() {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"closing"}`))
		return
	}
	_, _ = w.Write([]byte(`{"status":"healthy"}`))
}

// withHub validates the {hub} path value and passes the hub to h. Hub
// names are case-insensitive: /api/hubs/CHAT/... is hub chat (core.ParseHub),
// as Microsoft's emulator lower-cases the hub of every REST call.
func (a *API) withHub(h func(http.ResponseWriter, *http.Request, *core.Hub)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name, err := core.ParseHub(r.PathValue("hub"))
		if err != nil {
			fail(w, badParameter("hub", "%s", err.Error()))
			return
		}
		hb := a.core.Hub(name)
		if hb == nil {
			WriteError(w, http.StatusServiceUnavailable, "Error.ServiceUnavailable", "the emulator is shutting down")
			return
		}
		observe.NoteHub(r, hb.Name()) // the trace files the call under a hub the core knows
		h(w, r, hb)
	}
}
