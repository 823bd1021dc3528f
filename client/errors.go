package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
)

// Errors returned by Client methods; test with errors.Is.
var (
	// ErrStopped is returned by operations on a client that is not started
	// or has been stopped, and by operations interrupted by Stop.
	ErrStopped = errors.New("client: the client is stopped")
	// ErrNotInitialized is returned by the methods of a Client that was not
	// made by New or NewWithURLProvider (a zero Client).
	ErrNotInitialized = errors.New("client: the Client was not created with New or NewWithURLProvider")
	// ErrAlreadyStarted is returned by Start on a client that is running.
	ErrAlreadyStarted = errors.New("client: the client is already started")
	// ErrConnectionLost is the cause of a SendMessageError when the
	// connection closed before the service acknowledged the message and no
	// retry was left.
	ErrConnectionLost = errors.New("client: connection lost before the service acknowledged the message")
	// ErrMessageTooBig is the cause of the Disconnected and Stopped events of
	// a client that stopped because the service sent a message larger than
	// Options.ReadLimit.
	ErrMessageTooBig = errors.New("client: the service sent a message larger than Options.ReadLimit")
	// ErrQueueOverflow is the cause of a connection closed because received
	// messages found the handler queue full (Options.MaxQueuedMessages,
	// MaxQueuedBytes). On a reliable subprotocol the client closes the
	// connection only once the handlers caught up and recovers it, so that
	// the service resends what it held; a Disconnected event carries this
	// error only if that recovery failed. On a plain subprotocol the messages
	// are lost and the Disconnected event of the closed connection says so.
	ErrQueueOverflow = errors.New("client: received messages found the handler queue full")
	// ErrInvalidSequenceID is the cause of an InvalidMessageError (and of the
	// recovery of the connection that carried it) when the service sent a
	// sequence id that cannot be right: the largest uint64, or one more than
	// MaxSequenceJump beyond the last delivered id.
	ErrInvalidSequenceID = errors.New("client: protocol error: the service sent a sequence id that cannot be right")
)

// safeSentinels are errors a redacted error may still match.
var safeSentinels = []error{context.Canceled, context.DeadlineExceeded, net.ErrClosed, io.EOF}

// SendMessageError is returned when an acknowledged operation (join, leave,
// send to group, event) fails: the service rejected it, or the connection
// was lost and the retries ran out, or the caller's context ended.
type SendMessageError struct {
	// AckID is the ack id of the operation; retrying with the same AckID lets
	// the service deduplicate it.
	AckID uint64
	// ErrorName is the service's error name ("Forbidden",
	// "InternalServerError", ...) or empty when the service never answered.
	ErrorName string
	// Message is the service's error message, if any.
	Message string
	// Err is the local cause when the service never answered (e.g.
	// ErrConnectionLost, context.DeadlineExceeded), else nil.
	Err error
}

// Error implements error.
func (e *SendMessageError) Error() string {
	switch {
	case e.ErrorName != "" && e.Message != "":
		return fmt.Sprintf("client: operation with ack id %d failed: %s: %s", e.AckID, e.ErrorName, e.Message)
	case e.ErrorName != "":
		return fmt.Sprintf("client: operation with ack id %d failed: %s", e.AckID, e.ErrorName)
	case e.Err != nil:
		return fmt.Sprintf("client: operation with ack id %d failed: %v", e.AckID, e.Err)
	}
	return fmt.Sprintf("client: operation with ack id %d failed", e.AckID)
}

// Unwrap returns the local cause.
func (e *SendMessageError) Unwrap() error { return e.Err }

// ConnectError is returned when a WebSocket connection cannot be set up.
// It never contains the access token or the reconnection token.
type ConnectError struct {
	// URL is the client access URL with its tokens redacted.
	URL string
	// StatusCode is the HTTP status of a rejected handshake, or 0.
	StatusCode int
	// Reason is the service's reason text for a rejected handshake (the
	// response body, shortened, secrets removed), or "".
	Reason string
	// Err is the cause, with secrets removed from its message.
	Err error
}

// Error implements error.
func (e *ConnectError) Error() string {
	if e.StatusCode != 0 && e.Reason != "" {
		return fmt.Sprintf("client: connecting to %s: handshake rejected with HTTP status %d: %s", e.URL, e.StatusCode, e.Reason)
	}
	if e.StatusCode != 0 {
		return fmt.Sprintf("client: connecting to %s: handshake rejected with HTTP status %d: %v", e.URL, e.StatusCode, e.Err)
	}
	return fmt.Sprintf("client: connecting to %s: %v", e.URL, e.Err)
}

// Unwrap returns the (redacted) cause.
func (e *ConnectError) Unwrap() error { return e.Err }

// InvalidMessageError describes a frame from the service that the client
// could not understand; it is reported to Options.OnInvalidMessage and the
// frame is ignored.
type InvalidMessageError struct {
	// Frame is the start of the offending frame (at most 256 bytes). It is
	// empty for a frame that mentions a reconnection token, which must not
	// reach logs.
	Frame []byte
	// Err says what is wrong with it.
	Err error
}

// Error implements error.
func (e *InvalidMessageError) Error() string {
	return fmt.Sprintf("client: invalid message from the service: %v", e.Err)
}

// Unwrap returns the cause.
func (e *InvalidMessageError) Unwrap() error { return e.Err }

// maxFrameInError bounds InvalidMessageError.Frame.
const maxFrameInError = 256

func newInvalidMessageError(frame []byte, err error) *InvalidMessageError {
	if bytes.Contains(bytes.ToLower(frame), []byte("reconnectiontoken")) {
		frame = nil
	}
	if len(frame) > maxFrameInError {
		frame = frame[:maxFrameInError]
	}
	return &InvalidMessageError{Frame: append([]byte(nil), frame...), Err: err}
}
