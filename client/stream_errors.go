package client

import "errors"

// Errors of group streams.
var (
	// ErrStreamConnectionLost fails the streams of a connection that could
	// not be recovered (a new connection was opened, or the drop was not
	// recoverable): the service cannot resume them.
	ErrStreamConnectionLost = errors.New("client: stream aborted because the connection cannot be recovered")
	// ErrStreamClientStopping fails the streams of a client that stops.
	ErrStreamClientStopping = errors.New("client: stream aborted because the client is stopping")
	// ErrStreamClosed is returned by writes to a stream that was ended,
	// aborted, or closed by the service without an error.
	ErrStreamClosed = errors.New("client: the stream is closed")
)

// StreamError is a group stream's error named by the service or by the
// sender: e.g. Name "Forbidden" when the service refused to open it,
// "IdleTimeout", "ProtocolViolation", or the error of a sender's Abort as a
// receiver sees it.
type StreamError struct {
	// Name is the error name.
	Name string
	// Message describes the error.
	Message string
	// UserErrorCode is the sender's code passed to Abort, if any.
	UserErrorCode string
}

// Error implements error.
func (e *StreamError) Error() string {
	s := "client: stream failed"
	if e.Name != "" {
		s += ": " + e.Name
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.UserErrorCode != "" {
		s += " (user error code " + e.UserErrorCode + ")"
	}
	return s
}
