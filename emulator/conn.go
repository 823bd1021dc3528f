package emulator

import (
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"

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

// message is one data message shared by all its recipients.
type message struct {
	// json is the JSON subprotocol frame without a sequenceId.
	json []byte
	// raw is the payload a simple WebSocket client receives.
	raw []byte
	// rawType is the frame type of raw.
	rawType websocket.MessageType
	// expires is when the message may no longer be resent; zero = never.
	expires time.Time
	// src is the message, kept to encode it for protobuf clients on first
	// use (see protobuf.go).
	src     protocol.Message
	pbOnce  sync.Once
	pbFrame []byte
}

// newMessage encodes m for every kind of client.
func newMessage(m protocol.Message, data protocol.Payload, ttl time.Duration) (*message, error) {
	js, err := protocol.Encode(m)
	if err != nil {
		return nil, err
	}
	msg := &message{json: js, raw: data.Data, rawType: websocket.MessageText, src: m}
	if data.Type == protocol.DataTypeBinary || data.Type == protocol.DataTypeProtobuf {
		msg.rawType = websocket.MessageBinary
	}
	if ttl > 0 {
		msg.expires = time.Now().Add(ttl)
	}
	return msg, nil
}

func (m *message) expired(now time.Time) bool {
	return !m.expires.IsZero() && now.After(m.expires)
}

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
	reliable          bool
	reconnectionToken string
	// simple is what the frames of a simple WebSocket client do (simple.go).
	simple simpleMode
	// hooks is owned by hooks.go (for example the CloudEvents connection
	// state); the rest of the package does not touch it.
	hooks hookState

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
	t         *transport
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
// to this connection.
func (c *conn) frameFor(m *message, seq uint64) outFrame {
	if !c.isPubSub() {
		return outFrame{typ: m.rawType, data: m.raw}
	}
	if c.codec.Binary() {
		return outFrame{typ: websocket.MessageBinary, data: m.protobuf(seq)}
	}
	if seq == 0 {
		return outFrame{typ: websocket.MessageText, data: m.json}
	}
	return outFrame{typ: websocket.MessageText, data: withSequenceID(m.json, seq)}
}

// withSequenceID appends "sequenceId" to an encoded JSON object.
func withSequenceID(js []byte, seq uint64) []byte {
	out := make([]byte, 0, len(js)+32)
	out = append(out, js[:len(js)-1]...)
	out = append(out, `,"sequenceId":`...)
	out = strconv.AppendUint(out, seq, 10)
	return append(out, '}')
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
		if c.t != nil && !c.t.enqueue(c.frameFor(m, 0)) {
			c.failLocked("the client does not read its messages fast enough")
		}
		return
	}
	c.seq++
	c.buf = append(c.buf, pending{seq: c.seq, msg: m})
	c.bufBytes += len(m.json)
	if len(c.buf) > maxUnackedMessages || c.bufBytes > maxUnackedBytes {
		c.failLocked("too many unacknowledged messages")
		return
	}
	if c.t != nil && !c.t.enqueue(c.frameFor(m, c.seq)) {
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
	if !c.t.enqueue(f) {
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
		c.t.kill()
		return
	}
	c.hub.e.goTracked(func() { c.hub.e.removeConn(c, reason, 0) })
}

// ackSequence drops acknowledged messages from the resend buffer.
func (c *conn) ackSequence(seq uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := 0
	for i < len(c.buf) && c.buf[i].seq <= seq {
		c.bufBytes -= len(c.buf[i].msg.json)
		c.buf[i] = pending{}
		i++
	}
	if i > 0 {
		c.buf = append(c.buf[:0], c.buf[i:]...)
	}
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
func (c *conn) attach(t *transport, connected protocol.Message) (*transport, bool) {
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
	t.enqueue(connectedFrame)
	now := time.Now()
	kept := c.buf[:0]
	bytes := 0
	for _, p := range c.buf {
		if p.msg.expired(now) {
			continue
		}
		kept = append(kept, p)
		bytes += len(p.msg.json)
		t.enqueue(c.frameFor(p.msg, p.seq))
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
func (c *conn) serves(t *transport) bool {
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
	t.abort()
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
		t.abort()
	}
}
