package emulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/auth"

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

// routeTrace adds the page, its stream and its actions to root. The page's
// test client gets client access URLs signed with the access key, and its
// send form goes through the REST API in root, in-process, with a REST token
// signed with the access key: the page itself never holds the key.
func (e *Emulator) routeTrace(root *http.ServeMux) {
	if e.trace == nil {
		return
	}
	h := e.trace.Handler(trace.HandlerOptions{
		Verify: e.verifyTraceToken,
		ClientURL: func(r *http.Request, c trace.ClientURLRequest) (string, error) {
			base, now := e.access.Bases(r)[0], time.Now().Unix()
			tok, err := e.access.SignClient(base+"/client/hubs/"+c.Hub, c.UserID, c.Roles, c.Groups, now, now+3600)
			return "ws" + strings.TrimPrefix(base, "http") + "/client/hubs/" + c.Hub + "?access_token=" + tok, err
		},
		Send: func(r *http.Request, m trace.SendRequest) error {
			path := "/api/hubs/" + m.Hub
			for _, t := range [][2]string{{"groups", m.Group}, {"users", m.UserID}, {"connections", m.ConnectionID}} {
				if t[1] != "" {
					path += "/" + t[0] + "/" + url.PathEscape(t[1])
				}
			}
			u := e.access.Bases(r)[0] + path + "/:send?api-version=2024-12-01"
			req := httptest.NewRequestWithContext(r.Context(), http.MethodPost, u, strings.NewReader(m.Data))
			tok, err := auth.Sign(e.access.Key(), &auth.Claims{Audience: u, ExpiresAt: time.Now().Add(time.Minute).Unix()})
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", m.ContentType)
			rec := httptest.NewRecorder()
			root.ServeHTTP(rec, req)
			if rec.Code != http.StatusAccepted {
				return fmt.Errorf("the REST API answered %d: %s", rec.Code, strings.TrimSpace(rec.Body.String()))
			}
			return nil
		},
	})
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
