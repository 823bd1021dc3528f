package emulator

import (
	"net/http"

	"github.com/webpubsub-go/webpubsub/emulator/internal/observe"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
)

// The live trace (package emulator/trace) observes the core through
// internal/observe; this file creates it and serves its page.

// startTrace creates the recorder unless the trace is off.
func (e *Emulator) startTrace() {
	if e.opts.TraceEvents < 0 {
		return
	}
	e.trace = trace.New(trace.Options{Capacity: e.opts.TraceEvents, Secrets: []string{e.key}})
	e.tr = observe.NewTrace(e.trace)
}

// Trace returns the emulator's live trace recorder, or nil when
// Options.TraceEvents turned it off. The page at URL()+"/" shows it.
func (e *Emulator) Trace() *trace.Recorder { return e.trace }

// stopTrace ends the page streams.
func (e *Emulator) stopTrace() {
	if e.trace != nil {
		e.trace.Close()
	}
}

// routeTrace adds the page and its stream to root.
func (e *Emulator) routeTrace(root *http.ServeMux) {
	if e.trace == nil {
		return
	}
	h := e.trace.Handler(trace.HandlerOptions{Verify: e.verifyTraceToken})
	root.Handle("GET /{$}", h)
	root.Handle("/trace/", h)
}

// verifyTraceToken accepts a token signed with the access key whose aud is
// the page's origin followed by "/trace".
func (e *Emulator) verifyTraceToken(r *http.Request, tok string) error {
	return e.access.VerifyTrace(r, tok)
}

// upstreamClient returns the HTTP client of upstream calls: one that the
// trace records (when it is on), held while fault injection pauses the
// upstream. Like the invoker's own client, it does not follow redirects (a
// redirected POST would lose its body).
func (e *Emulator) upstreamClient() *http.Client {
	e.upstreamTransport = http.DefaultTransport.(*http.Transport).Clone()
	var c *http.Client
	if e.tr != nil {
		c = e.tr.UpstreamClient(e.upstreamTransport)
	} else {
		c = &http.Client{
			Transport:     e.upstreamTransport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	c.Transport = e.faults.Transport(c.Transport)
	return c
}
