// Package pubsub is the emulator's adapter for the PubSub WebSocket
// subprotocols, json.webpubsub.azure.v1 and protobuf.webpubsub.azure.v1
// and their reliable variants: the frames clients send (join, leave,
// sendToGroup, event, sequenceAck, ping), the preview features of the JS
// client 1.1.0 (invoke and group streams), and the frames clients receive
// (connected, acks, data messages, disconnected). The wire format itself is
// internal/protocol's; the core does the rest.
package pubsub

import (
	"log/slog"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/hooks"
	"github.com/webpubsub-go/webpubsub/emulator/internal/observe"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wire"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wslink"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Subprotocols are the subprotocols the adapter speaks, in the order the
// emulator prefers them.
var Subprotocols = []string{protocol.JSONReliable, protocol.JSON, protocol.ProtobufReliable, protocol.Protobuf}

// Config configures an Adapter.
type Config struct {
	Hooks *hooks.Caller
	// Trace records acks with errors and failed invocations; nil = off.
	Trace  *observe.Trace
	Logger *slog.Logger
	// Go runs invocations off the connection's frames; see tasks.Group.Go.
	Go func(func()) bool
	// Limits are the core's (invocations in flight).
	Limits core.Limits
	// Invocations is the emulator-wide budget of invocations in flight
	// (core.Core.Invocations); nil: none.
	Invocations *core.Budget
}

// Adapter handles the connections of the PubSub subprotocols.
type Adapter struct {
	hooks       *hooks.Caller
	trace       *observe.Trace
	log         *slog.Logger
	goFn        func(func()) bool
	limits      core.Limits
	invocations *core.Budget
}

// New returns an adapter.
func New(cfg Config) *Adapter {
	return &Adapter{hooks: cfg.Hooks, trace: cfg.Trace, log: cfg.Logger, goFn: cfg.Go, limits: cfg.Limits, invocations: cfg.Invocations}
}

// conn is the adapter's state of one connection (core.Conn.Adapter).
type conn struct {
	subprotocol string
	codec       protocol.Codec
	format      *wire.Format
	// token lets a reliable client recover the connection.
	token       string
	invocations invocations
	streams     streamTable
}

// state returns c's adapter state, or nil if c is nil or not a PubSub
// connection.
func state(c *core.Conn) *conn {
	if c == nil {
		return nil
	}
	s, _ := c.Adapter().(*conn)
	return s
}

// Open completes spec (whose ID and UserID are set) for a connection
// speaking subprotocol (one of Subprotocols) and returns the framer of its
// sockets and the connected message its client gets first.
func (a *Adapter) Open(spec *core.ConnSpec, subprotocol string) (wslink.Framer, wsio.Frame) {
	codec := protocol.CodecFor(subprotocol)
	s := &conn{subprotocol: subprotocol, codec: codec, format: wire.FormatOf(codec)}
	if protocol.IsReliable(subprotocol) {
		s.token = core.RandomID(32)
		spec.Recoverable = true
	}
	spec.Protocol = subprotocol
	spec.Adapter = s
	spec.Size = func(m *core.Message) (int, error) {
		b, err := m.Encode(s.format.Encoding)
		return len(b), err
	}
	spec.OnRemove = a.connGone
	hello, _ := s.control(protocol.ConnectedMessage{ConnectionID: spec.ID, UserID: spec.UserID, ReconnectionToken: s.token}) // always encodes
	return s, hello
}

// Framer returns the framer of c's sockets.
func Framer(c *core.Conn) wslink.Framer { return state(c) }

// Hello returns the connected message c's client gets first, on every
// socket (new or recovered).
func Hello(c *core.Conn) (wsio.Frame, error) {
	s := state(c)
	return s.control(protocol.ConnectedMessage{ConnectionID: c.ID(), UserID: c.UserID(), ReconnectionToken: s.token})
}

// ReconnectionToken returns the token that recovers c ("" when c is not
// reliable).
func ReconnectionToken(c *core.Conn) string {
	if s := state(c); s != nil {
		return s.token
	}
	return ""
}

// Subprotocol returns c's subprotocol ("" when c is not a PubSub
// connection).
func Subprotocol(c *core.Conn) string {
	if s := state(c); s != nil {
		return s.subprotocol
	}
	return ""
}

// Frame implements wslink.Framer.
func (s *conn) Frame(m *core.Message, seq uint64) (wsio.Frame, error) {
	b, err := m.Encode(s.format.Encoding)
	if err != nil {
		return wsio.Frame{}, err
	}
	return wsio.Frame{Type: s.frameType(), Data: b, Seq: seq, AddSeq: s.format.AppendSequenceID}, nil
}

// Goodbye implements wslink.Framer: the disconnected message with reason.
func (s *conn) Goodbye(reason string) (wsio.Frame, bool) {
	f, err := s.control(protocol.DisconnectedMessage{Message: reason})
	return f, err == nil
}

// frameType is the WebSocket message type of the subprotocol's frames.
func (s *conn) frameType() websocket.MessageType {
	if s.codec.Binary() {
		return websocket.MessageBinary
	}
	return websocket.MessageText
}

// control encodes a message that is not sequenced (ack, pong, system).
func (s *conn) control(m protocol.Message) (wsio.Frame, error) {
	b, err := s.codec.Encode(m)
	if err != nil {
		return wsio.Frame{}, err
	}
	return wsio.Frame{Type: s.frameType(), Data: b}, nil
}

// send queues m for c's client, ordered with its data messages.
func (a *Adapter) send(c *core.Conn, m protocol.Message) {
	f, err := state(c).control(m)
	if err != nil {
		a.log.Error("emulator: encoding message", "type", m.Type(), "err", err)
		return
	}
	wslink.Send(c, f)
}

// connGone runs when c is removed for good: its streams end with an error
// to their receivers and its invocations are aborted.
func (a *Adapter) connGone(c *core.Conn) {
	s := state(c)
	s.invocations.cancelAll()
	a.streamsGone(c, s)
}
