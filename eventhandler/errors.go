package eventhandler

import (
	"fmt"
	"net/http"
)

// StatusError is an error an event callback returns to answer the service
// with a given HTTP status and reason. Returned from OnConnect it rejects the
// connection (the service uses 400, 401 and 500); returned from OnUserEvent it
// fails the event. Reason is sent to the service, which may pass it on to the
// client. Any other error returned by a callback is answered with 500 and a
// generic reason, and its text goes to Options.Logger only.
type StatusError struct {
	// Status is the HTTP status code, 400-599.
	Status int
	// Reason is sent as the text/plain body of the answer.
	Reason string
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("eventhandler: status %d: %s", e.Status, e.Reason)
}

// Fail returns an error answering the service with status and reason, for
// a callback to return; its concrete type is *StatusError. A status outside
// 400-599 is answered as 500. FailMQTT is its counterpart for MQTT codes.
func Fail(status int, reason string) error {
	return &StatusError{Status: status, Reason: reason}
}

// status returns the HTTP status to answer for e.
func (e *StatusError) status() int {
	if e.Status < 400 || e.Status > 599 {
		return http.StatusInternalServerError
	}
	return e.Status
}
