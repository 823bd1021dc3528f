// Package observe links the emulator to its live trace (package
// emulator/trace) and its log. Trace and Log observe the core
// (core.Observer); Trace also records what only the adapters see: refused
// handshakes, acks with errors, user events, failed invocations, REST and
// upstream calls. Recording never blocks.
package observe

import (
	"strconv"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wire"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Trace records events in a live trace. A nil *Trace (the trace is off)
// records nothing; every method is then a cheap no-op.
type Trace struct {
	rec *trace.Recorder
}

// NewTrace returns a Trace recording into rec; nil when rec is nil.
func NewTrace(rec *trace.Recorder) *Trace {
	if rec == nil {
		return nil
	}
	return &Trace{rec: rec}
}

// connEvent returns an event of kind about c.
func connEvent(kind trace.Kind, c *core.Conn) trace.Event {
	return trace.Event{Kind: kind, Hub: c.Hub().Name(), ConnectionID: c.ID(), UserID: c.UserID()}
}

// OnConnected implements core.Observer.
func (t *Trace) OnConnected(c *core.Conn, groups []string) {
	ev := connEvent(trace.KindConnected, c)
	ev.Subprotocol, ev.Groups = c.Protocol(), groups
	t.rec.Record(ev)
}

// OnDropped implements core.Observer.
func (t *Trace) OnDropped(c *core.Conn) {
	ev := connEvent(trace.KindDropped, c)
	ev.Subprotocol = c.Protocol()
	t.rec.Record(ev)
}

// OnRecovered implements core.Observer.
func (t *Trace) OnRecovered(c *core.Conn) {
	ev := connEvent(trace.KindRecovered, c)
	ev.Subprotocol = c.Protocol()
	t.rec.Record(ev)
}

// OnRemoved implements core.Observer.
func (t *Trace) OnRemoved(c *core.Conn, reason string) {
	ev := connEvent(trace.KindDisconnected, c)
	ev.Subprotocol, ev.Reason = c.Protocol(), reason
	t.rec.Record(ev)
}

// OnJoined implements core.Observer.
func (t *Trace) OnJoined(c *core.Conn, group string) {
	ev := connEvent(trace.KindJoined, c)
	ev.Group = group
	t.rec.Record(ev)
}

// OnLeft implements core.Observer.
func (t *Trace) OnLeft(c *core.Conn, group string) {
	ev := connEvent(trace.KindLeft, c)
	ev.Group = group
	t.rec.Record(ev)
}

// OnLimit implements core.Observer: the removal that follows is recorded.
func (t *Trace) OnLimit(*core.Conn, string) {}

// OnReset implements core.Observer.
func (t *Trace) OnReset() { t.rec.Record(trace.Event{Kind: trace.KindReset}) }

// OnMessage implements core.Observer: a message and its recipients, the
// group it was delivered as a message of, and for a group stream's
// fragment, the stream and the fragment's number.
func (t *Trace) OnMessage(s *core.Sent) {
	ev := trace.Event{Kind: trace.KindMessage, Hub: s.Hub.Name(), Source: s.Source, Target: s.Target}
	if s.From != nil {
		ev.ConnectionID, ev.UserID = s.From.ID(), s.From.UserID()
	}
	if s.Message.Origin == core.FromGroup {
		// Delivered as a message of the group: a client's, or a REST send
		// to the group (which has no sender).
		ev.Group = s.Message.Group
	}
	t.payload(&ev, wire.Payload(s.Message.Data))
	if info, ok := s.Message.Extra.(*protocol.StreamInfo); ok {
		labelStream(&ev, info)
	}
	for _, c := range s.Recipients {
		if len(ev.Recipients) == trace.MaxRecipients {
			break
		}
		ev.Recipients = append(ev.Recipients, c.ID())
	}
	ev.RecipientCount = len(s.Recipients)
	t.rec.Record(ev)
}

// labelStream labels a message as a fragment (or the terminal frame) of a
// group stream.
func labelStream(ev *trace.Event, info *protocol.StreamInfo) {
	switch {
	case info.Error != nil:
		ev.Stream = info.StreamID + " aborted"
		ev.Reason = info.Error.Message
	case info.EndOfStream:
		ev.Stream = info.StreamID + " end"
	default:
		ev.Stream = info.StreamID + " #" + strconv.FormatUint(info.StreamSequenceID, 10)
	}
}

// payload fills the size, content type and preview of ev.
func (t *Trace) payload(ev *trace.Event, p protocol.Payload) {
	ev.Size = len(p.Data)
	ev.ContentType = p.ContentType()
	if p.Type == protocol.DataTypeText || p.Type == protocol.DataTypeJSON {
		ev.Preview = t.rec.Preview(p.Data)
	}
}

// Refused records a refused handshake or recovery.
func (t *Trace) Refused(hub, connectionID string, status int, reason string) {
	if t == nil {
		return
	}
	t.rec.Record(trace.Event{Kind: trace.KindRefused, Hub: hub, ConnectionID: connectionID, Status: status, Reason: reason})
}

// AckFailed records an ack with an error sent to c.
func (t *Trace) AckFailed(c *core.Conn, ackID uint64, name, message string) {
	if t == nil {
		return
	}
	ev := connEvent(trace.KindAck, c)
	ev.AckID, ev.Reason = &ackID, name+": "+message
	t.rec.Record(ev)
}

// InvokeFailed records an invocation of c answered with an error.
func (t *Trace) InvokeFailed(c *core.Conn, invocationID, name, message string) {
	if t == nil {
		return
	}
	ev := connEvent(trace.KindAck, c)
	ev.InvocationID, ev.Reason = invocationID, name+": "+message
	t.rec.Record(ev)
}

// UserEvent records a user event c sent.
func (t *Trace) UserEvent(c *core.Conn, event string, data protocol.Payload) {
	if t == nil {
		return
	}
	ev := connEvent(trace.KindUserEvent, c)
	ev.Event = event
	t.payload(&ev, data)
	t.rec.Record(ev)
}

// UserEventFailed records why a user event of c failed (the client is told
// only that it failed).
func (t *Trace) UserEventFailed(c *core.Conn, event, why string) {
	if t == nil {
		return
	}
	ev := connEvent(trace.KindUserEvent, c)
	ev.Event, ev.Reason = event, why
	t.rec.Record(ev)
}
