// Package wslink ties the core's connections to client WebSockets: Link is
// a core.Link over a wsio.Socket that frames messages as its wire does
// (Framer) and maps the core's neutral close reasons to WebSocket close
// codes (Status).
package wslink

import (
	"log/slog"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
)

// Framer frames a connection's messages for its wire.
type Framer interface {
	// Frame returns the frame carrying m with sequence id seq (0 = none).
	// The frame shares m's encoded bytes; the writer adds the sequence id.
	Frame(m *core.Message, seq uint64) (wsio.Frame, error)
	// Goodbye returns the frame a client gets before its connection is
	// closed for good with reason (the PubSub subprotocols' disconnected
	// message), or false for none.
	Goodbye(reason string) (wsio.Frame, bool)
}

// Link is one client WebSocket of a connection.
type Link struct {
	sock   *wsio.Socket
	framer Framer
	log    *slog.Logger
	id     string // the connection's, for the log
}

// New returns the link of socket s of connection id, framing messages with
// f.
func New(s *wsio.Socket, f Framer, id string, log *slog.Logger) *Link {
	return &Link{sock: s, framer: f, log: log, id: id}
}

// Socket returns the link's socket.
func (l *Link) Socket() *wsio.Socket { return l.sock }

// Deliver implements core.Link.
func (l *Link) Deliver(m *core.Message, seq uint64) bool {
	f, err := l.framer.Frame(m, seq)
	if err != nil {
		l.log.Error("emulator: encoding message", "connectionId", l.id, "err", err)
		return true
	}
	return l.sock.Stage(f)
}

// Close implements core.Link: a close the wire has a code for sends a close
// frame after the queued frames (a final one after the Framer's goodbye);
// going over a limit aborts the socket, as a network failure would.
func (l *Link) Close(r core.CloseReason) {
	code, ok := Status(r)
	if !ok {
		l.sock.Kill()
		return
	}
	if r.Final {
		if f, ok := l.framer.Goodbye(r.Text); ok {
			l.sock.Queue(f)
		}
	}
	l.sock.Close(code, description(r))
}

// description is the close frame's text for r. A connection the service
// closes (the REST API) gets a close frame without one: the reason is in the
// disconnected message before it, as the service sends it (Microsoft's
// emulator, RestApiTests.CloseConnectionSendsDisconnectedMessageWithReason:
// NormalClosure with an empty description).
func description(r core.CloseReason) string {
	if r.Kind == core.CloseNormal {
		return ""
	}
	return r.Text
}

// Abort implements core.Link.
func (l *Link) Abort() { l.sock.Kill() }

// Flush implements core.Link: a small frame for an idle socket is written
// now, on the caller's goroutine (see wsio.Socket.Flush).
func (l *Link) Flush() { l.sock.Flush() }

// Queue queues a frame that is not a data message (an ack, a pong) for
// the next Flush (Send flushes it through Conn.Control).
func (l *Link) Queue(f wsio.Frame) bool { return l.sock.Stage(f) }

// Send queues f on c's current socket, ordered with its messages (see
// core.Conn.Control).
func Send(c *core.Conn, f wsio.Frame) {
	c.Control(func(l core.Link) bool { return l.(*Link).Queue(f) })
}

// Status returns the WebSocket close code of r, or false when the socket is
// aborted instead (a limit hit closes without a close frame).
func Status(r core.CloseReason) (websocket.StatusCode, bool) {
	switch r.Kind {
	case core.CloseNormal:
		return websocket.StatusNormalClosure, true
	case core.ClosePolicyViolation:
		return websocket.StatusPolicyViolation, true
	case core.CloseUnsupportedData:
		return websocket.StatusUnsupportedData, true
	case core.CloseInvalidFrame:
		return websocket.StatusInvalidFramePayloadData, true
	case core.CloseServerError:
		return websocket.StatusInternalError, true
	case core.CloseWireCode:
		return websocket.StatusCode(r.Code), true
	default:
		return 0, false
	}
}
