package pubsub

import (
	"strconv"
	"sync"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wire"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Group streams (client-protocol-preview.md, section 3). The service side is
// not documented; the emulator implements the reference's inferred
// behaviour:
//   - a stream-opening sendToGroup needs the sendToGroup permission (refused
//     with streamClosed, error name "Forbidden") and is answered with
//     streamAck expectedSequenceId 1;
//   - each in-order fragment is delivered to the group at once (with reliable
//     sequence ids for reliable receivers; noEcho excludes the sender for the
//     whole stream), then acked cumulatively (one ack per 64 fragments of a
//     busy stream, none later than 10 ms after a fragment); fragments below the expected
//     number (replays after a recovery) are re-acked, not delivered again; a
//     fragment above it (a gap) is a protocol error that closes the stream
//     with "ProtocolViolation" on both sides;
//   - streamEnd sends the group a terminal frame (number N+1, dataType text,
//     data "", endOfStream, plus an error named "UserError" with the
//     sender's message and userErrorCode unchanged when the sender aborted,
//     as the JS client's live streaming test expects), then
//     streamClosed to the sender; a replayed streamEnd is answered with
//     streamClosed again;
//   - a stream with no frame for its idle timeout (the open's idleTimeoutMs,
//     else 5 minutes) is closed with "IdleTimeout" to the sender and the
//     receivers; a sender whose connection is gone for good ends its streams
//     with a terminal error frame named "SenderDisconnected".
//
// Memory per stream is constant: fragments are delivered as they arrive and
// never buffered (the receivers' resend buffers hold them, with their own
// bounds). A connection has at most maxStreams open streams and remembers
// the outcome of its last maxClosedStreams closed ones (to answer replays).

// Stream limits.
const (
	// maxStreams bounds the open streams of one connection; one more is
	// refused with streamClosed, error name "TooManyStreams".
	maxStreams = 256
	// maxClosedStreams bounds how many closed streams a connection remembers.
	maxClosedStreams = 256
	// defaultStreamIdle is the idle timeout of a stream whose open has no
	// idleTimeoutMs (the JS client's receiving default).
	defaultStreamIdle = 5 * time.Minute
	// streamAckEvery and streamAckDelay coalesce the cumulative acks of a
	// busy stream: one ack per streamAckEvery fragments, and none later than
	// streamAckDelay after a fragment (a sender only trims its replay buffer
	// with them).
	streamAckEvery = 64
	streamAckDelay = 10 * time.Millisecond
)

// Stream error names of the emulator.
const (
	errorTooManyStreams = "TooManyStreams"
	errorStreamNotOpen  = "BadRequest"
)

// streamTable is a connection's outbound streams.
type streamTable struct {
	mu          sync.Mutex
	open        map[string]*groupStream // by stream id; nil until used
	closed      map[string]*protocol.AckError
	closedOrder []string
	gone        bool
}

// groupStream is one open stream of a sender.
type groupStream struct {
	id       string
	group    string
	noEcho   bool
	expected uint64 // the next fragment number
	ackSent  uint64 // the expectedSequenceId of the last ack sent
	flushing bool   // an ack flush is scheduled
	idle     time.Duration
	last     time.Time // when the last frame arrived
	timer    *time.Timer
}

// openStream handles a stream-opening sendToGroup.
func (a *Adapter) openStream(c *core.Conn, m protocol.SendToGroupMessage) {
	id := m.Stream.StreamID
	// The group was validated by the request's reader.
	if !c.Allowed(core.RoleSendToGroup, m.Group) {
		a.send(c, protocol.StreamClosedMessage{StreamID: id, Error: &protocol.AckError{Name: protocol.ErrorForbidden, Message: protocol.ForbiddenSendMessage(m.Group)}})
		return
	}
	st := &state(c).streams
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.gone {
		return
	}
	if s, ok := st.open[id]; ok {
		// Opened twice: answer with where the stream stands.
		a.send(c, protocol.StreamAckMessage{StreamID: id, ExpectedSequenceID: s.expected})
		return
	}
	if len(st.open) >= maxStreams {
		a.send(c, protocol.StreamClosedMessage{StreamID: id, Error: &protocol.AckError{Name: errorTooManyStreams, Message: "too many open streams on this connection (at most " + strconv.Itoa(maxStreams) + "); end some first"}})
		return
	}
	if st.open == nil {
		st.open = make(map[string]*groupStream)
	}
	delete(st.closed, id) // a closed id may be used again
	s := &groupStream{id: id, group: m.Group, noEcho: m.NoEcho, expected: 1, idle: defaultStreamIdle, last: time.Now()}
	if m.Stream.IdleTimeoutMs > 0 {
		s.idle = time.Duration(min(m.Stream.IdleTimeoutMs, uint64(24*time.Hour/time.Millisecond))) * time.Millisecond
	}
	s.timer = time.AfterFunc(s.idle, func() { a.streamIdle(c, s) })
	st.open[id] = s
	a.sendStreamAckLocked(c, s)
}

// streamData handles a streamData frame.
func (a *Adapter) streamData(c *core.Conn, m protocol.StreamDataMessage) {
	st := &state(c).streams
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.open[m.StreamID]
	if !ok {
		a.answerClosedLocked(c, st, m.StreamID)
		return
	}
	s.last = time.Now()
	switch k := m.StreamSequenceID; {
	case k == 0:
		// Keep-alive.
	case k < s.expected:
		// A replay after a recovery: already delivered.
		a.sendStreamAckLocked(c, s)
	case k > s.expected:
		msg := "fragment " + strconv.FormatUint(k, 10) + " arrived but " + strconv.FormatUint(s.expected, 10) + " was expected"
		a.closeStreamLocked(c, s,
			&protocol.AckError{Name: protocol.ErrorProtocolViolation, Message: msg},
			&protocol.StreamError{Name: protocol.ErrorProtocolViolation, Message: msg}, true)
	default:
		a.deliverStreamFrame(c, s, m.Data, &protocol.StreamInfo{StreamID: s.id, StreamSequenceID: k})
		s.expected++
		switch {
		case s.expected-s.ackSent >= streamAckEvery:
			a.sendStreamAckLocked(c, s)
		case !s.flushing:
			s.flushing = true
			time.AfterFunc(streamAckDelay, func() { a.flushStreamAck(c, s) })
		}
	}
}

// sendStreamAckLocked acknowledges everything below s.expected. The
// stream table's lock must be held.
func (a *Adapter) sendStreamAckLocked(c *core.Conn, s *groupStream) {
	s.ackSent = s.expected
	a.send(c, protocol.StreamAckMessage{StreamID: s.id, ExpectedSequenceID: s.expected})
}

// flushStreamAck sends the ack a coalesced fragment of s is waiting for.
func (a *Adapter) flushStreamAck(c *core.Conn, s *groupStream) {
	st := &state(c).streams
	st.mu.Lock()
	defer st.mu.Unlock()
	s.flushing = false
	if st.open[s.id] == s && s.ackSent < s.expected {
		a.sendStreamAckLocked(c, s)
	}
}

// streamEnd handles a streamEnd frame (end or abort).
func (a *Adapter) streamEnd(c *core.Conn, m protocol.StreamEndMessage) {
	st := &state(c).streams
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.open[m.StreamID]
	if !ok {
		a.answerClosedLocked(c, st, m.StreamID)
		return
	}
	var recvErr *protocol.StreamError
	if m.Error != nil {
		// The receivers get the sender's abort unchanged, named UserError,
		// as the JS client's live streaming test expects of the service.
		recvErr = protocol.AbortedStreamError(m.Error)
	}
	a.closeStreamLocked(c, s, nil, recvErr, true)
}

// answerClosedLocked answers a frame for a stream that is not open: with
// the outcome of a closed stream (a replay after a recovery), or an error.
func (a *Adapter) answerClosedLocked(c *core.Conn, st *streamTable, id string) {
	if st.gone {
		return
	}
	if err, ok := st.closed[id]; ok {
		a.send(c, protocol.StreamClosedMessage{StreamID: id, Error: err})
		return
	}
	a.send(c, protocol.StreamClosedMessage{StreamID: id, Error: &protocol.AckError{Name: errorStreamNotOpen, Message: "stream " + quote(id) + " is not open: open it with a sendToGroup carrying a stream first"}})
}

// closeStreamLocked closes s: the group gets the terminal frame (with
// recvErr), the sender a streamClosed (with sendErr) if notifySender.
// st.mu must be held.
func (a *Adapter) closeStreamLocked(c *core.Conn, s *groupStream, sendErr *protocol.AckError, recvErr *protocol.StreamError, notifySender bool) {
	st := &state(c).streams
	s.timer.Stop()
	delete(st.open, s.id)
	a.deliverStreamFrame(c, s, protocol.Payload{Type: protocol.DataTypeText, Data: []byte{}},
		&protocol.StreamInfo{StreamID: s.id, StreamSequenceID: s.expected, EndOfStream: true, Error: recvErr})
	if !notifySender {
		return
	}
	if st.closed == nil {
		st.closed = make(map[string]*protocol.AckError)
	}
	if len(st.closedOrder) >= maxClosedStreams {
		delete(st.closed, st.closedOrder[0])
		st.closedOrder = append(st.closedOrder[:0], st.closedOrder[1:]...)
	}
	st.closed[s.id] = sendErr
	st.closedOrder = append(st.closedOrder, s.id)
	a.send(c, protocol.StreamClosedMessage{StreamID: s.id, Error: sendErr})
}

// deliverStreamFrame sends one stream frame to the group of s. Terminal
// frames go to PubSub (JSON and protobuf) clients only (a simple WebSocket client would get an
// empty frame).
func (a *Adapter) deliverStreamFrame(c *core.Conn, s *groupStream, data protocol.Payload, info *protocol.StreamInfo) {
	msg := &core.Message{Origin: core.FromGroup, Group: s.group, FromUserID: c.UserID(), Data: wire.CorePayload(data), Extra: info}
	if err := wire.Check(msg); err != nil {
		a.log.Debug("emulator: invalid stream frame", "connectionId", c.ID(), "streamId", s.id, "err", err)
		return
	}
	h := c.Hub()
	h.Send(&core.Send{Message: msg, From: c, Source: "connection", Target: "group " + s.group, To: h.Group(s.group),
		Skip: func(t *core.Conn) bool {
			return (s.noEcho && t == c) || (info.EndOfStream && state(t) == nil)
		}})
}

// streamIdle runs when the idle timer of s fires.
func (a *Adapter) streamIdle(c *core.Conn, s *groupStream) {
	st := &state(c).streams
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.open[s.id] != s {
		return // closed meanwhile
	}
	if rest := s.idle - time.Since(s.last); rest > 0 {
		s.timer.Reset(rest)
		return
	}
	msg := "no frame arrived for " + s.idle.String()
	a.closeStreamLocked(c, s,
		&protocol.AckError{Name: protocol.ErrorIdleTimeout, Message: msg},
		&protocol.StreamError{Name: protocol.ErrorIdleTimeout, Message: msg}, true)
}

// streamsGone ends c's streams when c is removed for good: each ends with
// an error to its receivers.
func (a *Adapter) streamsGone(c *core.Conn, s *conn) {
	st := &s.streams
	st.mu.Lock()
	defer st.mu.Unlock()
	st.gone = true
	for _, gs := range st.open {
		a.closeStreamLocked(c, gs, nil, &protocol.StreamError{Name: protocol.ErrorSenderGone, Message: "the sender's connection closed"}, false)
	}
	st.closed, st.closedOrder = nil, nil
}
