package upstream

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// maxReasonBytes bounds the text kept from an upstream's answer.
const maxReasonBytes = 512

// ErrNoHandler is returned by Session.SendUserEvent when no handler of the
// hub takes the event. The service and Microsoft's emulator fail such an
// event (a JSON client gets an InternalServerError ack, a simple WebSocket
// client is closed with 1011).
var ErrNoHandler = errors.New("no event handler takes this event")

// StatusError is an upstream's answer with a status that is not 2xx: for
// connect it refuses the connection (with that status); for a user event it
// fails the event (the client learns only a generic InternalServerError, as
// from the service). Explain turns it into a line for people.
type StatusError struct {
	// Event is the event's name.
	Event string
	// Status is the upstream's HTTP status.
	Status int
	// Reason is the start of the upstream's answer, on one line (at most
	// 512 bytes).
	Reason string
	// Hub is the hub of the event.
	Hub string
	// URL is the handler's URL with user info, fragment and query values
	// (but those filled by {hub} and {event}) redacted.
	URL string
	// Tries is how many times the event was sent (408 and 5xx answers are
	// retried, as by the service).
	Tries int
	// Elapsed is the time from the first try to the last answer.
	Elapsed time.Duration
	// MQTT is the "mqtt" member of an answer refusing an MQTT client's
	// connect event; nil for other events and clients, or when the answer
	// has none.
	MQTT *MQTTRefusal
}

// Error implements error.
func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "upstream answered %s event", e.Event)
	if e.Hub != "" {
		fmt.Fprintf(&b, " of hub %q", e.Hub)
	}
	if e.URL != "" {
		fmt.Fprintf(&b, " at %s", e.URL)
	}
	fmt.Fprintf(&b, " with status %d", e.Status)
	if e.Tries > 1 {
		fmt.Fprintf(&b, " (after %d tries)", e.Tries)
	}
	if e.Reason != "" {
		b.WriteString(": " + e.Reason)
	}
	return b.String()
}

// CallError is an upstream call that failed without an answer the service
// could use: the handler could not be reached, did not answer in time, did
// not pass abuse protection, or answered 2xx with something unusable (a
// redirect, an unsupported Content-Type, an invalid connection state...).
// Explain turns it into a line for people.
type CallError struct {
	// Event is the event's name.
	Event string
	// Hub is the hub of the event.
	Hub string
	// URL is the handler's URL (the validation URL when Validation), with
	// user info, fragment and query values (but those filled by {hub} and
	// {event}) redacted.
	URL string
	// Validation says the abuse-protection handshake failed, so the event
	// itself was not sent.
	Validation bool
	// Status is the status of the last answer; 0 when none arrived.
	Status int
	// Answer is the start of the last answer's body, on one line.
	Answer string
	// Tries is how many requests were made (network errors, 408 and 5xx are
	// retried, as by the service: 1, 3 and 5 s apart).
	Tries int
	// Elapsed is the time from the first try to the failure.
	Elapsed time.Duration
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *CallError) Error() string {
	var b strings.Builder
	if e.Validation {
		fmt.Fprintf(&b, "abuse protection (%s) before the %s event of hub %q: ", e.URL, e.Event, e.Hub)
	} else {
		fmt.Fprintf(&b, "%s event of hub %q to %s: ", e.Event, e.Hub, e.URL)
	}
	b.WriteString(e.Err.Error())
	if e.Tries > 1 {
		fmt.Fprintf(&b, " (after %d tries)", e.Tries)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *CallError) Unwrap() error { return e.Err }

// reason turns an answer's body into a short single-line text.
func reason(body []byte) string {
	s := strings.TrimSpace(strings.ToValidUTF8(string(body), "\uFFFD"))
	if len(s) > maxReasonBytes {
		s = s[:maxReasonBytes]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "..."
	}
	return strings.Join(strings.Fields(s), " ")
}
