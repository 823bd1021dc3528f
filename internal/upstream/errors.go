package upstream

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxReasonBytes bounds the reason kept from an upstream's error answer.
const maxReasonBytes = 512

// StatusError is an upstream's answer with an error status: for connect it
// rejects the connection; for a user event it fails the event.
type StatusError struct {
	// Event is the event's name.
	Event string
	// Status is the upstream's HTTP status.
	Status int
	// Reason is the upstream's text body, trimmed and shortened.
	Reason string
}

// Error implements error.
func (e *StatusError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("upstream answered %s event with status %d", e.Event, e.Status)
	}
	return fmt.Sprintf("upstream answered %s event with status %d: %s", e.Event, e.Status, e.Reason)
}

// reason turns an error answer's body into a short single-line text.
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
