package observe

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// StatusWriter remembers the status and the start of the body of a
// response.
type StatusWriter struct {
	http.ResponseWriter
	Status int
	// Body is the first 512 bytes of the body.
	Body []byte
}

// WriteHeader implements http.ResponseWriter.
func (w *StatusWriter) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	if n := 512 - len(w.Body); n > 0 {
		w.Body = append(w.Body, b[:min(n, len(b))]...)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and the WebSocket handshake reach the
// connection.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// callKey carries a REST call's summary (call) through its handlers.
type callKey struct{}

// call is what the REST API learned about a call while serving it.
type call struct{ hub string }

// BeginREST returns r with room for what the REST API learns about the
// call while serving it (NoteHub); REST reads it once the call is over.
func BeginREST(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), callKey{}, &call{}))
}

// NoteHub tells the trace that the REST call r names hub, a name the core
// accepted (authenticated, valid, normalized): the call is filed under
// that hub. A call refused before (no valid token, an invalid hub name)
// names no hub, so that what an unauthenticated client chose never becomes
// a hub of the trace.
func NoteHub(r *http.Request, hub string) {
	if c, ok := r.Context().Value(callKey{}).(*call); ok {
		c.hub = hub
	}
}

// REST records a REST call of r (begun with BeginREST) with its status and
// duration: a bounded summary (method, path cut to trace.MaxPathBytes,
// status, duration) under the hub NoteHub gave, if any.
func (t *Trace) REST(r *http.Request, status int, d time.Duration) {
	if t == nil {
		return
	}
	var hub string
	if c, ok := r.Context().Value(callKey{}).(*call); ok {
		hub = c.hub
	}
	hub = core.NormalizeHub(hub) // the hub's name, as its other events show it
	t.rec.Record(trace.Event{
		Kind: trace.KindREST, Hub: hub, Method: r.Method, Path: r.URL.Path,
		Status: status, DurationMS: milliseconds(d),
	})
}

// Handshakes wraps the client endpoint to record the handshakes refused
// with an HTTP status (the body is the reason). The hub is recorded only
// when its name is valid: an invalid name never becomes a hub of the
// trace.
func (t *Trace) Handshakes(next http.HandlerFunc) http.HandlerFunc {
	if t == nil {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		sw := &StatusWriter{ResponseWriter: w}
		next(sw, r)
		if sw.Status >= 400 {
			hub := r.PathValue("hub")
			if core.ValidateHub(hub) != nil {
				hub = ""
			}
			t.Refused(core.NormalizeHub(hub), "", sw.Status, strings.TrimSpace(string(sw.Body)))
		}
	}
}

// UpstreamClient returns an HTTP client for upstream calls that records
// each call, sending through next. Like the upstream invoker's own client,
// it does not follow redirects (a redirected POST would lose its body).
func (t *Trace) UpstreamClient(next http.RoundTripper) *http.Client {
	return &http.Client{
		Transport:     upstreamRecorder{t: t, next: next},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// upstreamRecorder records every upstream request with status and duration.
type upstreamRecorder struct {
	t    *Trace
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (u upstreamRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := u.next.RoundTrip(r)
	ev := trace.Event{
		Kind: trace.KindUpstream, Hub: r.Header.Get(protocol.HeaderHub), ConnectionID: r.Header.Get(protocol.HeaderConnectionID),
		UserID: r.Header.Get(protocol.HeaderUserID), Event: r.Header.Get(protocol.HeaderEventName),
		Method: r.Method, Path: r.URL.Scheme + "://" + r.URL.Host + r.URL.Path, DurationMS: milliseconds(time.Since(start)),
	}
	if r.Method != http.MethodPost {
		ev.Event = "abuse protection" // the OPTIONS (or GET) webhook validation
	}
	if err != nil {
		ev.Reason = err.Error()
	} else {
		ev.Status = resp.StatusCode
	}
	u.t.rec.Record(ev)
	return resp, err
}

// milliseconds is d in milliseconds, to the microsecond.
func milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
