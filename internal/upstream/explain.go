package upstream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// maxExplainedAnswer bounds the start of an answer quoted by Explain.
const maxExplainedAnswer = 200

// Explain returns one line that says why an upstream call failed and the
// likely fix, for people: the emulator puts it in a refused handshake's body
// (where the service fixes no text) and in its warning log, never in a
// client's ack. It names the handler's URL (query values redacted), the hub,
// the event, the status and the start of the answer, and how many tries
// were made. Errors that are neither *StatusError nor *CallError are
// returned as they are.
func Explain(err error) string {
	var se *StatusError
	var ce *CallError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &se):
		return explainStatus(se)
	case errors.As(err, &ce):
		return explainCall(ce)
	}
	return oneLine(err.Error())
}

// explainStatus explains a non-2xx answer.
func explainStatus(e *StatusError) string {
	what := fmt.Sprintf("the event handler at %s answered the %s event of hub %q with %d%s", e.URL, e.Event, e.Hub, e.Status, triesNote(e.Tries, e.Elapsed))
	if e.Reason != "" {
		what += fmt.Sprintf(" (%q)", truncate(e.Reason, maxExplainedAnswer))
	}
	if fix := statusFix(e.Status, e.Reason, e.Hub); fix != "" {
		return what + ": " + fix
	}
	return what
}

// explainCall explains a failure without a usable answer.
func explainCall(e *CallError) string {
	what := fmt.Sprintf("the %s event of hub %q to the event handler at %s failed", e.Event, e.Hub, e.URL)
	if e.Validation {
		what = fmt.Sprintf("the abuse-protection check (OPTIONS %s) before the %s event of hub %q failed", e.URL, e.Event, e.Hub)
	}
	cause := oneLine(e.Err.Error())
	tries := triesNote(e.Tries, e.Elapsed)
	switch {
	case unreachable(e.Err):
		return fmt.Sprintf("%s: cannot connect (%s)%s: start the handler at %s (or fix -upstream or the urlTemplate)", what, cause, tries, e.URL)
	case timedOut(e.Err):
		return fmt.Sprintf("%s: %s%s: make the handler answer sooner", what, cause, tries)
	}
	line := what + ": " + cause + tries
	if e.Answer != "" {
		line += fmt.Sprintf(" (answer: %q)", truncate(e.Answer, maxExplainedAnswer))
	}
	if fix := statusFix(e.Status, e.Answer, e.Hub); fix != "" {
		line += ": " + fix
	}
	return line
}

// statusFix returns the likely fix for an answer with status and text, or
// "" when there is no common one.
func statusFix(status int, text, hub string) string {
	lower := strings.ToLower(text)
	switch {
	case (status == http.StatusUnauthorized || status == http.StatusForbidden) && strings.Contains(lower, "signature"):
		return "the handler uses another access key: use the same key on both sides"
	case status == http.StatusNotFound, status == http.StatusBadRequest && strings.Contains(lower, "another hub"):
		return fmt.Sprintf("the handler does not serve hub %q (an -upstream URL receives every hub's events)", hub)
	case status >= 500:
		return "the handler failed: see its log"
	}
	return ""
}

// triesNote says how many tries a call took, when more than one.
func triesNote(tries int, elapsed time.Duration) string {
	if tries <= 1 {
		return ""
	}
	return fmt.Sprintf(" (%d tries over %s: the service retries 408, 5xx and network errors after 1, 3 and 5 s)", tries, elapsed.Round(100*time.Millisecond))
}

// unreachable reports whether err means that no connection to the handler
// could be made (refused, no route, unknown host).
func unreachable(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &dns) || errors.As(err, &op) && op.Op == "dial" && !op.Timeout()
}

// timedOut reports whether err is a timeout.
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// oneLine joins the lines of s.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
