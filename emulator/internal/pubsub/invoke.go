package pubsub

import (
	"context"
	"sync"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Invoke (client-protocol-preview.md, section 2). The service side of invoke
// is not documented; the emulator implements the reference's inferred
// behaviour:
//   - an invoke is a synchronous upstream user event (the same CloudEvents
//     request as an "event" frame), run off the connection's read loop so that
//     a cancelInvocation (and pings) can still be read;
//   - upstream 2xx -> success:true with the answer (dataType from its
//     Content-Type), or no data when the answer is empty or no upstream handles
//     the event;
//   - upstream error, non-2xx answer or unreachable -> success:false with
//     the name InternalServerError and the service's generic message
//     "Internal server error" (never the upstream's address or reason: those
//     go to the log and the trace);
//   - cancelInvocation aborts the upstream call and no response is sent;
//     unknown ids are ignored.

// Invoke error names.
const (
	errorTooManyInvocations = "TooManyInvocations"
	errorUnsupportedTarget  = "BadRequest"
)

// invocations is a connection's table of invocations in flight.
type invocations struct {
	mu      sync.Mutex
	cancels map[string]context.CancelFunc // by invocation id; nil until used
}

// start registers id. It returns false (and registers nothing) when id is
// already in flight or the table holds max, with the error name to answer.
func (iv *invocations) start(id string, cancel context.CancelFunc, max int) (bool, string) {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	if iv.cancels == nil {
		iv.cancels = make(map[string]context.CancelFunc)
	}
	if _, ok := iv.cancels[id]; ok {
		return false, protocol.ErrorDuplicate
	}
	if len(iv.cancels) >= max {
		return false, errorTooManyInvocations
	}
	iv.cancels[id] = cancel
	return true, ""
}

// finish removes id. It reports false if id was cancelled meanwhile.
func (iv *invocations) finish(id string) bool {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	if _, ok := iv.cancels[id]; !ok {
		return false
	}
	delete(iv.cancels, id)
	return true
}

// cancel aborts id if it is in flight.
func (iv *invocations) cancel(id string) {
	iv.mu.Lock()
	cancel, ok := iv.cancels[id]
	delete(iv.cancels, id)
	iv.mu.Unlock()
	if ok {
		cancel()
	}
}

// cancelAll aborts every invocation in flight.
func (iv *invocations) cancelAll() {
	iv.mu.Lock()
	cancels := iv.cancels
	iv.cancels = nil
	iv.mu.Unlock()
	for _, cancel := range cancels {
		cancel()
	}
}

// invoke handles an invoke frame (Limits.MaxInvocations in flight per
// connection, and Limits.TotalInvokeBytes across all connections; one more
// is answered at once with an error named "TooManyInvocations"). ctx ends with the socket: the call is aborted then
// (the client fails its pending invocations on any socket close, so a
// response could not be matched).
func (a *Adapter) invoke(ctx context.Context, c *core.Conn, m protocol.InvokeMessage) {
	if m.Target != "" && m.Target != protocol.InvokeTargetEvent {
		a.send(c, protocol.InvokeFailed(m.InvocationID, errorUnsupportedTarget, "invoke target "+quote(m.Target)+" is not supported; use \"event\""))
		return
	}
	iv := &state(c).invocations
	size := invokeBytes(m)
	if !a.invocations.Take(size, 0) {
		a.send(c, protocol.InvokeFailed(m.InvocationID, errorTooManyInvocations, a.invocations.Refusal()+"; wait for some to finish"))
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	if ok, name := iv.start(m.InvocationID, cancel, a.limits.MaxInvocations); !ok {
		cancel()
		a.invocations.Give(size)
		msg := "the invocation id is already in flight"
		if name == errorTooManyInvocations {
			msg = "too many invocations in flight on this connection; wait for some to finish"
		}
		a.send(c, protocol.InvokeFailed(m.InvocationID, name, msg))
		return
	}
	run := func() {
		defer a.invocations.Give(size)
		defer cancel()
		reply, err := a.hooks.Invoke(ctx, c, m.Event, m.Data, userEventOptions(m.Data, m.Metadata))
		if !iv.finish(m.InvocationID) {
			return // cancelled: the response is optional, none is sent
		}
		if err != nil {
			// Invoke logged why; the client gets the service's generic
			// words, never the upstream's address or answer.
			a.trace.InvokeFailed(c, m.InvocationID, protocol.ErrorInternalServerError, protocol.InternalServerErrorMessage)
			a.send(c, protocol.InvokeFailed(m.InvocationID, protocol.ErrorInternalServerError, protocol.InternalServerErrorMessage))
			return
		}
		var data protocol.Payload
		if reply != nil && reply.Payload != nil {
			data = *reply.Payload // an invokeResponse has no metadata
		}
		a.send(c, protocol.InvokeSucceeded(m.InvocationID, data))
	}
	if !a.goFn(run) {
		cancel()
		iv.finish(m.InvocationID)
		a.invocations.Give(size)
	}
}
