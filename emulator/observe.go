package emulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"

	"github.com/webpubsub-go/webpubsub/emulator/trace"
)

// This file is the emulator's only link to its live trace (package
// emulator/trace): the rest of the package calls these methods where
// something worth seeing happens. Every method is a cheap no-op when the
// trace is off (Options.TraceEvents < 0). Recording never blocks.

// startTrace creates the recorder unless the trace is off.
func (e *Emulator) startTrace() {
	if e.opts.TraceEvents < 0 {
		return
	}
	e.trace = trace.New(trace.Options{Capacity: e.opts.TraceEvents, Secrets: []string{e.key}})
}

// Trace returns the emulator's live trace recorder, or nil when
// Options.TraceEvents turned it off. The page at URL()+"/" shows it.
func (e *Emulator) Trace() *trace.Recorder { return e.trace }

// stopTrace ends the page streams and frees the traced upstream client.
func (e *Emulator) stopTrace() {
	if e.trace != nil {
		e.trace.Close()
	}
	if e.traceUpstream != nil {
		e.traceUpstream.CloseIdleConnections()
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
			base, now := e.audienceBases(r)[0], time.Now().Unix()
			tok, err := e.clientToken(base+"/client/hubs/"+c.Hub, c.UserID, c.Roles, c.Groups, now, now+3600)
			return "ws" + strings.TrimPrefix(base, "http") + "/client/hubs/" + c.Hub + "?access_token=" + tok, err
		},
		Send: func(r *http.Request, m trace.SendRequest) error {
			path := "/api/hubs/" + m.Hub
			for _, t := range [][2]string{{"groups", m.Group}, {"users", m.UserID}, {"connections", m.ConnectionID}} {
				if t[1] != "" {
					path += "/" + t[0] + "/" + url.PathEscape(t[1])
				}
			}
			u := e.audienceBases(r)[0] + path + "/:send?api-version=2024-12-01"
			req := httptest.NewRequestWithContext(r.Context(), http.MethodPost, u, strings.NewReader(m.Data))
			tok, err := auth.Sign(e.key, &auth.Claims{Audience: u, ExpiresAt: time.Now().Add(time.Minute).Unix()})
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
	auds := e.audienceBases(r)
	for i := range auds {
		auds[i] += "/trace"
	}
	_, err := auth.Verify(tok, []string{e.key}, auds, time.Minute)
	return err
}

// traceConn records a connection event (connected, dropped, recovered,
// disconnected with reason).
func (e *Emulator) traceConn(kind trace.Kind, c *conn, reason string) {
	if e.trace == nil {
		return
	}
	ev := trace.Event{Kind: kind, Hub: c.hub.name, ConnectionID: c.id, UserID: c.userID, Subprotocol: c.subprotocol, Reason: reason}
	if kind == trace.KindConnected {
		ev.Groups = c.hub.groupsOf(c)
	}
	e.trace.Record(ev)
}

// traceRefused records a refused handshake or recovery.
func (e *Emulator) traceRefused(hub, connectionID string, status int, reason string) {
	if e.trace == nil {
		return
	}
	e.trace.Record(trace.Event{Kind: trace.KindRefused, Hub: hub, ConnectionID: connectionID, Status: status, Reason: reason})
}

// traceGroup records that c joined or left group. It runs with h.mu held,
// so it reads only what does not need the hub's lock. Leaving because the
// connection is being removed is not recorded (the disconnect is).
func (e *Emulator) traceGroup(c *conn, group string, joined bool) {
	if e.trace == nil {
		return
	}
	kind := trace.KindJoined
	if !joined {
		c.mu.Lock()
		gone := c.gone
		c.mu.Unlock()
		if gone {
			return
		}
		kind = trace.KindLeft
	}
	e.trace.Record(trace.Event{Kind: kind, Hub: c.hub.name, ConnectionID: c.id, UserID: c.userID, Group: group})
}

// traceReset records that every connection was forgotten.
func (e *Emulator) traceReset() {
	if e.trace != nil {
		e.trace.Record(trace.Event{Kind: trace.KindReset})
	}
}

// traceAck records an ack with an error.
func (e *Emulator) traceAck(c *conn, ackID uint64, name, message string) {
	if e.trace == nil {
		return
	}
	e.trace.Record(trace.Event{Kind: trace.KindAck, Hub: c.hub.name, ConnectionID: c.id, UserID: c.userID, AckID: &ackID, Reason: name + ": " + message})
}

// traceUserEvent records a user event a client sent.
func (e *Emulator) traceUserEvent(c *conn, event string, data protocol.Payload) {
	if e.trace == nil {
		return
	}
	ev := trace.Event{Kind: trace.KindUserEvent, Hub: c.hub.name, ConnectionID: c.id, UserID: c.userID, Event: event}
	e.payload(&ev, data)
	e.trace.Record(ev)
}

// payload fills the size, content type and preview of ev.
func (e *Emulator) payload(ev *trace.Event, p protocol.Payload) {
	ev.Size = len(p.Data)
	ev.ContentType = p.ContentType()
	if p.Type == protocol.DataTypeText || p.Type == protocol.DataTypeJSON {
		ev.Preview = e.trace.Preview(p.Data)
	}
}

// sendTrace collects the recipients of one message; nil when the trace is off.
type sendTrace struct {
	e  *Emulator
	ev trace.Event
}

// traceSend starts recording a message from source ("rest", "upstream" or
// the sending connection's "connection") to target; call to for each
// recipient and done once.
func (e *Emulator) traceSend(h *hub, from *conn, source, target string, p protocol.Payload) *sendTrace {
	if e.trace == nil {
		return nil
	}
	s := &sendTrace{e: e, ev: trace.Event{Kind: trace.KindMessage, Hub: h.name, Source: source, Target: target}}
	if from != nil {
		s.ev.ConnectionID, s.ev.UserID = from.id, from.userID
	}
	e.payload(&s.ev, p)
	return s
}

// to records that the message was queued for c.
func (s *sendTrace) to(c *conn) {
	if s == nil {
		return
	}
	if len(s.ev.Recipients) < trace.MaxRecipients {
		s.ev.Recipients = append(s.ev.Recipients, c.id)
	}
	s.ev.RecipientCount++
}

// stream labels the message as a fragment (or the terminal frame) of a
// group stream.
func (s *sendTrace) stream(info *protocol.StreamInfo) {
	if s == nil {
		return
	}
	switch {
	case info.Error != nil:
		s.ev.Stream = info.StreamID + " aborted"
		s.ev.Reason = info.Error.Message
	case info.EndOfStream:
		s.ev.Stream = info.StreamID + " end"
	default:
		s.ev.Stream = info.StreamID + " #" + strconv.FormatUint(info.StreamSequenceID, 10)
	}
}

// traceInvokeFailed records an invocation answered with an error.
func (e *Emulator) traceInvokeFailed(c *conn, invocationID, name, message string) {
	if e.trace == nil {
		return
	}
	e.trace.Record(trace.Event{Kind: trace.KindAck, Hub: c.hub.name, ConnectionID: c.id, UserID: c.userID, InvocationID: invocationID, Reason: name + ": " + message})
}

// done records the message.
func (s *sendTrace) done() {
	if s != nil {
		s.e.trace.Record(s.ev)
	}
}

// statusWriter remembers the status and the start of the body of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if n := 512 - len(w.body); n > 0 {
		w.body = append(w.body, b[:min(n, len(b))]...)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and the WebSocket handshake reach the
// connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// traceREST records a REST call with its status and duration.
func (e *Emulator) traceREST(r *http.Request, status int, d time.Duration) {
	if e.trace == nil {
		return
	}
	hub, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/api/hubs/"), "/")
	if !strings.HasPrefix(r.URL.Path, "/api/hubs/") {
		hub = ""
	}
	e.trace.Record(trace.Event{
		Kind: trace.KindREST, Hub: hub, Method: r.Method, Path: r.URL.Path,
		Status: status, DurationMS: milliseconds(d),
	})
}

// traceHandshake records client handshakes that were refused with an HTTP
// status (the body is the reason).
func (e *Emulator) traceHandshake(next http.HandlerFunc) http.HandlerFunc {
	if e.trace == nil {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		next(sw, r)
		if sw.status >= 400 {
			e.traceRefused(r.PathValue("hub"), "", sw.status, strings.TrimSpace(string(sw.body)))
		}
	}
}

// tracedUpstreamClient returns the HTTP client for upstream calls that
// records each call, or nil (the invoker's own client) when the trace is off.
func (e *Emulator) tracedUpstreamClient() *http.Client {
	if e.trace == nil {
		return nil
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	e.traceUpstream = base
	return &http.Client{
		Transport: upstreamRecorder{e: e, next: base},
		// As the invoker's own client: a redirected POST would lose its body.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// upstreamRecorder records every upstream request with status and duration.
type upstreamRecorder struct {
	e    *Emulator
	next http.RoundTripper
}

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
	u.e.trace.Record(ev)
	return resp, err
}

// milliseconds is d in milliseconds, to the microsecond.
func milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
