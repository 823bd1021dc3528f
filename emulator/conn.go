package emulator

import (
	"sync"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Limits of the resend buffer of a reliable connection (the service's
// documented capacity). A connection that exceeds them is closed and cannot
// be recovered.
const (
	maxUnackedMessages = 1000
	maxUnackedBytes    = 16 << 20
	// maxAckIDs is how many ackIds a connection remembers for duplicate detection.
	maxAckIDs = 65536
)

// pending is a message a reliable client has not acknowledged yet.
type pending struct {
	seq uint64
	msg *message
}

// conn is a logical client connection. For reliable connections it outlives
// its transports: it keeps its id, groups, permissions and unacknowledged
// messages while the client is away.
type conn struct {
	hub               *hub
	id                string
	userID            string
	subprotocol       string         // "" = simple WebSocket
	codec             protocol.Codec // nil for a simple WebSocket
	format            wireFormat     // how data messages are framed for it
	reliable          bool
	reconnectionToken string
	// simple is what the frames of a simple WebSocket client do (simple.go).
	simple simpleMode
	// hooks is owned by hooks.go (for example the CloudEvents connection
	// state); the rest of the package does not touch it.
	hooks hookState
	// preview is owned by invoke.go and streams.go (invocations in flight,
	// group streams).
	preview previewState

	// Guarded by hub.mu.
	groups map[string]struct{}
	roles  map[string]struct{}

	// frames serialises the handling of the frames of this connection
	// across its transports: a frame the dropped transport read is handled
	// completely (its ackId recorded) before a recovered transport's retry
	// of it is checked for duplicates. Held while one frame is handled;
	// taken before mu.
	frames sync.Mutex

	mu        sync.Mutex
	t         *wsio.Socket
	seq       uint64
	buf       []pending
	bufBytes  int
	gone      bool   // removed for good
	failure   string // why the connection must be closed for good, if set
	timer     *time.Timer
	dropGen   uint64 // counts transport losses; guards stale recovery timers
	ackIDs    map[uint64]struct{}
	ackOrder  []uint64
	ackCursor int
}

func newConn(h *hub, id, userID, subprotocol string, roles []string) *conn {
	c := &conn{
		hub:         h,
		id:          id,
		userID:      userID,
		subprotocol: subprotocol,
		codec:       protocol.CodecFor(subprotocol),
		format:      formatOf(protocol.CodecFor(subprotocol)),
		reliable:    protocol.IsReliable(subprotocol),
		groups:      make(map[string]struct{}),
		roles:       make(map[string]struct{}, len(roles)),
		ackIDs:      make(map[uint64]struct{}),
	}
	for _, r := range roles {
		c.roles[r] = struct{}{}
	}
	return c
}

// isPubSub reports whether the connection speaks a PubSub subprotocol (JSON
// or protobuf) rather than being a simple WebSocket.
func (c *conn) isPubSub() bool { return c.codec != nil }

// frameFor returns the frame that carries m with sequence id seq (0 = none)
// to this connection. The frame shares m's bytes; the writer adds the
// sequence id. It reports false if m cannot be encoded for this connection.
func (c *conn) frameFor(m *message, seq uint64) (wsio.Frame, bool) {
	b, err := m.frame(c.format)
	if err != nil {
		c.hub.e.log.Error("emulator: encoding message", "connectionId", c.id, "err", err)
		return wsio.Frame{}, false
	}
	if c.format == formatRaw {
		return wsio.Frame{Type: m.rawType, Data: b}, true
	}
	spec := &formats[c.format]
	return wsio.Frame{Type: spec.frameType, Data: b, Seq: seq, AddSeq: spec.appendSequenceID}, true
}

// size is what a message held for this connection counts against its limits.
func (c *conn) size(m *message) int {
	b, _ := m.frame(c.format)
	return len(b)
}

// deliver sends a data message to the connection. It never blocks on the
// network: the frame is queued for the transport's writer.
func (c *conn) deliver(m *message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone || c.failure != "" {
		return
	}
	if !c.reliable {
		if c.t == nil {
			return
		}
		if f, ok := c.frameFor(m, 0); ok && !c.t.Queue(f) {
			c.failLocked("the client does not read its messages fast enough")
		}
		return
	}
	f, ok := c.frameFor(m, c.seq+1)
	if !ok {
		return
	}
	c.seq++
	c.buf = append(c.buf, pending{seq: c.seq, msg: m})
	c.bufBytes += len(f.Data)
	if len(c.buf) > maxUnackedMessages || c.bufBytes > maxUnackedBytes {
		c.failLocked("too many unacknowledged messages")
		return
	}
	if c.t != nil && !c.t.Queue(f) {
		c.failLocked("the client does not read its messages fast enough")
	}
}

// sendControl sends a message that is not sequenced (ack, pong, system).
func (c *conn) sendControl(m protocol.Message) {
	f, err := c.controlFrame(m)
	if err != nil {
		c.hub.e.log.Error("emulator: encoding message", "type", m.Type(), "err", err)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone || c.failure != "" || c.t == nil {
		return
	}
	if !c.t.Queue(f) {
		c.failLocked("the client does not read its messages fast enough")
	}
}

// failLocked marks the connection to be closed for good with reason. The
// transport is aborted; its reader then removes the connection. Without a
// transport the removal runs in the background. c.mu must be held.
func (c *conn) failLocked(reason string) {
	c.hub.e.log.Warn("emulator: connection limit hit; closing the connection", "hub", c.hub.name, "connectionId", c.id, "reason", reason)
	c.failure = reason
	c.buf = nil
	c.bufBytes = 0
	if c.t != nil {
		c.t.Kill()
		return
	}
	c.hub.e.goTracked(func() { c.hub.e.removeConn(c, reason, 0) })
}

// ackSequence drops acknowledged messages from the resend buffer. An ack
// beyond the last sequence id sent is ignored (it reports false): it cannot
// acknowledge anything, and honouring it would empty the buffer and defeat
// its limits.
func (c *conn) ackSequence(seq uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq > c.seq {
		return false
	}
	i := 0
	for i < len(c.buf) && c.buf[i].seq <= seq {
		c.bufBytes -= c.size(c.buf[i].msg)
		c.buf[i] = pending{}
		i++
	}
	if i > 0 {
		c.buf = append(c.buf[:0], c.buf[i:]...)
	}
	return true
}

// recordAckID remembers ackID as processed (the oldest are forgotten past
// maxAckIDs).
func (c *conn) recordAckID(ackID uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.ackIDs[ackID]; ok {
		return
	}
	if len(c.ackOrder) < maxAckIDs {
		c.ackOrder = append(c.ackOrder, ackID)
	} else {
		delete(c.ackIDs, c.ackOrder[c.ackCursor])
		c.ackOrder[c.ackCursor] = ackID
		c.ackCursor = (c.ackCursor + 1) % maxAckIDs
	}
	c.ackIDs[ackID] = struct{}{}
}

// attach makes t the connection's transport. For a recovery it first queues
// the connected message, then every unacknowledged message that has not
// expired, in order; live messages follow. It returns the previous transport
// (to be aborted by the caller) and false if the connection is gone.
func (c *conn) attach(t *wsio.Socket, connected protocol.Message) (*wsio.Socket, bool) {
	connectedFrame, err := c.controlFrame(connected)
	if err != nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone || c.failure != "" {
		return nil, false
	}
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	old := c.t
	t.Queue(connectedFrame)
	now := time.Now()
	kept := c.buf[:0]
	bytes := 0
	for _, p := range c.buf {
		if p.msg.expired(now) {
			continue
		}
		f, ok := c.frameFor(p.msg, p.seq)
		if !ok {
			continue
		}
		kept = append(kept, p)
		bytes += len(f.Data)
		t.Queue(f)
	}
	for i := len(kept); i < len(c.buf); i++ {
		c.buf[i] = pending{}
	}
	c.buf, c.bufBytes = kept, bytes
	c.t = t
	return old, true
}

// serves reports whether t is the live transport of a connection that is
// still in service: frames it reads may take effect.
func (c *conn) serves(t *wsio.Socket) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.gone && c.failure == "" && c.t == t
}

// dropTransport aborts the live transport, as a network failure would. It
// reports whether there was one.
func (c *conn) dropTransport() bool {
	c.mu.Lock()
	t := c.t
	c.mu.Unlock()
	if t == nil {
		return false
	}
	t.Abort()
	return true
}

// abandon forgets the connection without hooks and drops its transport.
func (c *conn) abandon() {
	c.mu.Lock()
	c.gone = true
	c.buf = nil
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	t := c.t
	c.mu.Unlock()
	if t != nil {
		t.Abort()
	}
}
