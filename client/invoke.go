package client

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// InvokeEventOptions are the options of InvokeEvent. The zero value is
// ready to use.
type InvokeEventOptions struct {
	// InvocationID correlates the request and its response. Empty means the
	// client's next id ("1", "2", ... never reused by one Client, as in the
	// JS client). An id already in flight fails the call at once.
	InvocationID string
	// Metadata are entries sent with the invocation, as in
	// SendEventOptions.Metadata.
	Metadata map[string]string
}

// InvokeEventResult is the upstream's answer to InvokeEvent.
type InvokeEventResult struct {
	// InvocationID is the id of the invocation.
	InvocationID string
	// DataType is the type of Data; empty when the answer has no data (no
	// upstream handles the event, or it answered with an empty body).
	DataType DataType
	// Data is the UTF-8 text, JSON text or raw bytes of the answer.
	Data []byte
}

// InvocationError is the error of a failed InvokeEvent.
type InvocationError struct {
	// InvocationID is the id of the invocation.
	InvocationID string
	// ErrorName is the service's error name (e.g. "InternalServerError")
	// when the service answered with a failure; empty when the call failed
	// on the client's side (see Err).
	ErrorName string
	// Message is the service's error message, or what went wrong.
	Message string
	// Err is the local cause, if any: ErrConnectionLost (the connection
	// closed before the response; the call was not retried), ErrStopped,
	// or the caller's context error.
	Err error
}

// Error implements error.
func (e *InvocationError) Error() string {
	switch {
	case e.ErrorName != "" && e.Message != "":
		return fmt.Sprintf("client: invocation %q failed: %s: %s", e.InvocationID, e.ErrorName, e.Message)
	case e.ErrorName != "":
		return fmt.Sprintf("client: invocation %q failed: %s", e.InvocationID, e.ErrorName)
	case e.Err != nil && e.Message != "":
		return fmt.Sprintf("client: invocation %q failed: %s: %v", e.InvocationID, e.Message, e.Err)
	case e.Err != nil:
		return fmt.Sprintf("client: invocation %q failed: %v", e.InvocationID, e.Err)
	}
	return fmt.Sprintf("client: invocation %q failed: %s", e.InvocationID, e.Message)
}

// Unwrap returns Err.
func (e *InvocationError) Unwrap() error { return e.Err }

// cancelTimeout bounds the best-effort write of a cancelInvocation.
const cancelTimeout = 5 * time.Second

// invocationTable holds the invocations waiting for their response.
type invocationTable struct {
	mu      sync.Mutex
	next    uint64
	pending map[string]chan protocol.InvokeResponseMessage // nil until used
}

func (t *invocationTable) register(id string) (string, chan protocol.InvokeResponseMessage, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if id == "" {
		t.next++
		id = strconv.FormatUint(t.next, 10)
	}
	if t.pending == nil {
		t.pending = make(map[string]chan protocol.InvokeResponseMessage)
	}
	if _, busy := t.pending[id]; busy {
		return id, nil, false
	}
	ch := make(chan protocol.InvokeResponseMessage, 1)
	t.pending[id] = ch
	return id, ch, true
}

func (t *invocationTable) unregister(id string) {
	t.mu.Lock()
	delete(t.pending, id)
	t.mu.Unlock()
}

// resolve hands a response to its waiter; responses nobody waits for
// (cancelled, failed by a drop) are dropped.
func (t *invocationTable) resolve(m protocol.InvokeResponseMessage) {
	t.mu.Lock()
	ch := t.pending[m.InvocationID]
	delete(t.pending, m.InvocationID)
	t.mu.Unlock()
	if ch != nil {
		ch <- m
	}
}

// InvokeEvent sends the user event to the service's upstream event handler
// and waits for its answer (request/response, the JS client's invokeEvent).
// data may be the zero Data to send no payload.
//
// The wait has no timeout of its own: ctx bounds it, and when ctx ends the
// client sends cancelInvocation so the service abandons the upstream call.
// An invocation is never retried: if the connection closes before the
// response (even if it is then recovered) the call fails with an
// *InvocationError wrapping ErrConnectionLost. A failure answered by the
// service is an *InvocationError with the service's ErrorName and Message.
func (c *Client) InvokeEvent(ctx context.Context, event string, data Data, opts *InvokeEventOptions) (*InvokeEventResult, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	if event == "" {
		return nil, errors.New("client: the event name must not be empty")
	}
	if data.payload.Type != "" || data.err != nil {
		if err := data.check(); err != nil {
			return nil, err
		}
	}
	var o InvokeEventOptions
	if opts != nil {
		o = *opts
	}
	if err := checkMetadata(o.Metadata); err != nil {
		return nil, err
	}
	id, ch, ok := c.preview.invocations.register(o.InvocationID)
	if !ok {
		return nil, &InvocationError{InvocationID: id, Message: "the invocation id is already registered by a pending invocation"}
	}
	defer c.preview.invocations.unregister(id)
	b, err := c.cfg.codec.Encode(protocol.InvokeMessage{InvocationID: id, Target: protocol.InvokeTargetEvent, Event: event, Data: data.payload, Metadata: o.Metadata})
	if err != nil {
		return nil, fmt.Errorf("client: encoding the invocation: %w", err)
	}
	conn, sess, err := c.waitConn(ctx, nil, nil)
	if err != nil {
		return nil, &InvocationError{InvocationID: id, Message: "not connected", Err: err}
	}
	if err := c.write(conn, b); err != nil {
		// Not sent: nothing to cancel.
		return nil, &InvocationError{InvocationID: id, Message: "sending the invocation", Err: ErrConnectionLost}
	}
	select {
	case m := <-ch:
		return c.invokeResult(m)
	case <-conn.ctx.Done():
		select {
		case m := <-ch:
			return c.invokeResult(m)
		default:
		}
		c.sendCancelInvocation(id)
		return nil, &InvocationError{InvocationID: id, Message: "the connection closed before the response arrived", Err: ErrConnectionLost}
	case <-sess.ctx.Done():
		return nil, &InvocationError{InvocationID: id, Err: ErrStopped}
	case <-ctx.Done():
		c.sendCancelInvocation(id)
		return nil, &InvocationError{InvocationID: id, Message: "cancelled", Err: ctx.Err()}
	}
}

// invokeResult maps a response to InvokeEvent's result.
func (c *Client) invokeResult(m protocol.InvokeResponseMessage) (*InvokeEventResult, error) {
	switch {
	case m.Success == nil:
		c.sendCancelInvocation(m.InvocationID)
		return nil, &InvocationError{InvocationID: m.InvocationID, Message: "unsupported invoke response frame (no success field)"}
	case !*m.Success:
		e := &InvocationError{InvocationID: m.InvocationID, Message: "invocation failed"}
		if m.Error != nil {
			e.ErrorName, e.Message = m.Error.Name, m.Error.Message
		}
		return nil, e
	}
	return &InvokeEventResult{InvocationID: m.InvocationID, DataType: DataType(m.Data.Type), Data: m.Data.Data}, nil
}

// sendCancelInvocation tells the service, best effort, to abandon id: on
// the current connection if there is a live one, without waiting for one.
func (c *Client) sendCancelInvocation(id string) {
	c.mu.Lock()
	conn, state := c.conn, c.state
	c.mu.Unlock()
	if conn == nil || state != StateConnected || conn.ctx.Err() != nil {
		return
	}
	b, err := c.cfg.codec.Encode(protocol.CancelInvocationMessage{InvocationID: id})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(conn.ctx, cancelTimeout)
	defer cancel()
	_ = conn.ws.Write(ctx, c.frameType(), b)
}
