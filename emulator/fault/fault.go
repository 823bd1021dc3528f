// Package fault holds the emulator's fault injection: scripted answers for
// the next calls of a REST operation, added latency, and a switch that
// pauses upstream calls. The emulator consults an Injector on every REST
// call and upstream request; tests drive it through emulator.Emulator's
// methods or the emulator's admin HTTP endpoints.
//
// An Injector is safe for concurrent use. Its zero value is not usable;
// create one with New.
package fault

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AnyOperation matches every REST operation.
const AnyOperation = "*"

// MaxScripted bounds the answers waiting in an Injector (over all
// operations); Fail refuses more.
const MaxScripted = 10000

// Bounds of an Answer's texts (Validate refuses longer ones), so that the
// scripted answers hold at most MaxScripted small answers.
const (
	// MaxCodeBytes bounds Answer.Code.
	MaxCodeBytes = 128
	// MaxMessageBytes bounds Answer.Message.
	MaxMessageBytes = 1024
)

// Answer is a scripted REST answer.
type Answer struct {
	// Status is the HTTP status, 400 to 599 (e.g. 429, 500, 503, 403).
	Status int
	// RetryAfter, when positive, sets the Retry-After header (in whole
	// seconds, rounded up).
	RetryAfter time.Duration
	// Code is the x-ms-error-code header and the error body's code; ""
	// derives it from Status (e.g. Error.TooManyRequests).
	Code string
	// Message is the error body's message; "" uses a message saying the
	// answer was injected.
	Message string
}

// Validate checks the answer's status, Retry-After and the lengths of its
// texts (MaxCodeBytes, MaxMessageBytes).
func (a Answer) Validate() error {
	if a.Status < 400 || a.Status > 599 {
		return fmt.Errorf("fault: status %d is not an error status; use 400 to 599 (for example 429, 500, 503 or 403)", a.Status)
	}
	if a.RetryAfter < 0 {
		return fmt.Errorf("fault: RetryAfter %s is negative", a.RetryAfter)
	}
	if len(a.Code) > MaxCodeBytes {
		return fmt.Errorf("fault: the code is %d bytes long; at most %d are allowed", len(a.Code), MaxCodeBytes)
	}
	if len(a.Message) > MaxMessageBytes {
		return fmt.Errorf("fault: the message is %d bytes long; at most %d are allowed", len(a.Message), MaxMessageBytes)
	}
	return nil
}

// code returns the error code of the answer.
func (a Answer) code() string {
	if a.Code != "" {
		return a.Code
	}
	switch a.Status {
	case http.StatusBadRequest:
		return "Error.BadRequest"
	case http.StatusUnauthorized:
		return "Error.Unauthorized"
	case http.StatusForbidden:
		return "Error.Forbidden"
	case http.StatusNotFound:
		return "Error.NotFound"
	case http.StatusTooManyRequests:
		return "Error.TooManyRequests"
	case http.StatusServiceUnavailable:
		return "Error.ServiceUnavailable"
	}
	if a.Status >= 500 {
		return "Error.InternalServerError"
	}
	return "Error.BadRequest"
}

// Write writes the answer as the service writes its errors: the status, the
// x-ms-error-code header, Retry-After if set and a JSON body with code and
// message.
func (a Answer) Write(w http.ResponseWriter, operation string) {
	msg := a.Message
	if msg == "" {
		msg = "injected fault for operation " + operation
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("x-ms-error-code", a.code())
	if a.RetryAfter > 0 {
		secs := int64((a.RetryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	w.WriteHeader(a.Status)
	_, _ = fmt.Fprintf(w, `{"code":%q,"message":%q}`, a.code(), msg)
}

// script is a run of identical answers.
type script struct {
	answer Answer
	left   int
}

// Injector holds the faults in effect.
type Injector struct {
	known map[string]bool // lower-cased operation names; empty = any
	names []string        // as given to New, for messages

	mu      sync.Mutex
	scripts map[string][]*script // by lower-cased operation
	queued  int
	latency map[string]time.Duration
	paused  chan struct{} // closed when not paused; nil = never paused
}

// New returns an Injector with no faults. operations are the names Fail and
// SetLatency accept (besides AnyOperation), matched case-insensitively;
// none means any name.
func New(operations ...string) *Injector {
	in := &Injector{scripts: map[string][]*script{}, latency: map[string]time.Duration{}, known: map[string]bool{}}
	for _, op := range operations {
		in.known[strings.ToLower(op)] = true
	}
	in.names = append([]string(nil), operations...)
	return in
}

// Fail makes the next count calls of operation (AnyOperation for any)
// answer a. Scripts of one operation run in the order they were added;
// an operation's own script is used before AnyOperation's.
func (in *Injector) Fail(operation string, count int, a Answer) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if count <= 0 {
		return fmt.Errorf("fault: count %d must be at least 1", count)
	}
	op, err := in.normalize(operation)
	if err != nil {
		return err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if count > MaxScripted-in.queued { // not in.queued+count, which overflows
		return fmt.Errorf("fault: at most %d scripted answers can wait; %d already do", MaxScripted, in.queued)
	}
	in.queued += count
	in.scripts[op] = append(in.scripts[op], &script{answer: a, left: count})
	return nil
}

// Next returns the scripted answer for a call of operation and uses it up;
// ok is false when the call should run normally.
func (in *Injector) Next(operation string) (a Answer, ok bool) {
	op := strings.ToLower(operation)
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, key := range []string{op, AnyOperation} {
		list := in.scripts[key]
		if len(list) == 0 {
			continue
		}
		s := list[0]
		s.left--
		in.queued--
		if s.left == 0 {
			list[0] = nil
			list = list[1:]
			if len(list) == 0 {
				delete(in.scripts, key)
			} else {
				in.scripts[key] = list
			}
		}
		return s.answer, true
	}
	return Answer{}, false
}

// Pending returns how many scripted answers wait for operation (not
// counting AnyOperation's unless operation is AnyOperation).
func (in *Injector) Pending(operation string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	for _, s := range in.scripts[strings.ToLower(operation)] {
		n += s.left
	}
	return n
}

// SetLatency delays every call of operation (AnyOperation for all) by d
// before it runs; 0 removes the delay. An operation's own latency replaces
// AnyOperation's.
func (in *Injector) SetLatency(operation string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("fault: latency %s is negative", d)
	}
	op, err := in.normalize(operation)
	if err != nil {
		return err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if d == 0 {
		delete(in.latency, op)
	} else {
		in.latency[op] = d
	}
	return nil
}

// Latency returns the delay for a call of operation.
func (in *Injector) Latency(operation string) time.Duration {
	in.mu.Lock()
	defer in.mu.Unlock()
	if d, ok := in.latency[strings.ToLower(operation)]; ok {
		return d
	}
	return in.latency[AnyOperation]
}

// PauseUpstream makes upstream calls wait (see WaitUpstream) until
// ResumeUpstream.
func (in *Injector) PauseUpstream() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.paused == nil {
		in.paused = make(chan struct{})
	}
}

// ResumeUpstream lets waiting and later upstream calls go on.
func (in *Injector) ResumeUpstream() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.paused != nil {
		close(in.paused)
		in.paused = nil
	}
}

// UpstreamPaused reports whether upstream calls are paused.
func (in *Injector) UpstreamPaused() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.paused != nil
}

// WaitUpstream returns at once unless the upstream is paused; then it waits
// until it is resumed or ctx ends (returning ctx's error).
func (in *Injector) WaitUpstream(ctx context.Context) error {
	in.mu.Lock()
	ch := in.paused
	in.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Clear removes every scripted answer and latency and resumes the upstream.
func (in *Injector) Clear() {
	in.ResumeUpstream()
	in.mu.Lock()
	defer in.mu.Unlock()
	in.scripts = map[string][]*script{}
	in.queued = 0
	in.latency = map[string]time.Duration{}
}

// normalize checks and lower-cases an operation name.
func (in *Injector) normalize(op string) (string, error) {
	if op == "" {
		return "", fmt.Errorf("fault: the operation is empty; name one (for example sendToAll) or use %q for all", AnyOperation)
	}
	lop := strings.ToLower(op)
	if lop != AnyOperation && len(in.known) > 0 && !in.known[lop] {
		return "", fmt.Errorf("fault: unknown operation %q; use %q or one of %s", op, AnyOperation, strings.Join(in.names, ", "))
	}
	return lop, nil
}

// Transport wraps next so that requests wait while the upstream is paused.
func (in *Injector) Transport(next http.RoundTripper) http.RoundTripper {
	return pausing{in: in, next: next}
}

type pausing struct {
	in   *Injector
	next http.RoundTripper
}

func (p pausing) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := p.in.WaitUpstream(r.Context()); err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("upstream paused by fault injection: %w", err)
	}
	return p.next.RoundTrip(r)
}
