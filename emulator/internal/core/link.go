package core

// Link is a connection's tie to its current socket, implemented by the
// adapter of the connection's wire. A connection has at most one link at a
// time; a recoverable connection gets a new one on each recovery.
//
// The core calls Deliver, Close and Abort with the connection's lock held:
// each must only queue or flag, never write to the network, block or call
// back into the core. After it queued frames (Deliver, or an adapter's
// queueing through Conn.Control or Conn.Recover) the core calls Flush with
// no lock held: that is where a link may write.
type Link interface {
	// Deliver queues m for the socket; seq is its sequence id on a
	// recoverable connection (the wire adds it at write time), else 0. It
	// reports false only when the socket is over its limits: the core then
	// closes the connection with CloseLimitExceeded. A message that cannot
	// be encoded for the wire is logged and skipped (true).
	Deliver(m *Message, seq uint64) bool
	// Close closes the socket after the frames queued before, saying why
	// as the wire can. Reason.Final says the connection itself ends (a wire
	// may tell its client first); otherwise only the socket does and the
	// client may recover.
	Close(r CloseReason)
	// Abort closes the socket at once, without a closing handshake, as a
	// network failure would.
	Abort()
	// Flush sends what was queued since the last Flush, or hands it to the
	// socket's writer. The core calls it with no lock held; it may write
	// to the network briefly but must never wait for a peer that does not
	// read.
	Flush()
}

// CloseKind says why a connection's socket is closed, in neutral terms that
// each adapter maps to its wire (WebSocket close codes today; MQTT
// DISCONNECT reason codes later).
type CloseKind uint8

// Kinds of close.
const (
	// CloseNormal: the service closes the connection (the REST API).
	CloseNormal CloseKind = iota
	// ClosePolicyViolation: the client broke a rule and must not recover.
	ClosePolicyViolation
	// CloseUnsupportedData: the client sent a frame of a kind its wire does
	// not allow.
	CloseUnsupportedData
	// CloseInvalidFrame: the client sent a frame that cannot be parsed.
	CloseInvalidFrame
	// CloseServerError: the server could not handle the client's frame (a
	// failing upstream).
	CloseServerError
	// CloseLimitExceeded: the connection went over one of its limits.
	CloseLimitExceeded
	// CloseWireCode: a close code of the wire itself (Reason.Code), as fault
	// injection asks for.
	CloseWireCode
	// CloseTakenOver: the client came back on another socket, which took
	// the connection over (Conn.Takeover).
	CloseTakenOver
)

// CloseReason is why a connection's socket is closed.
type CloseReason struct {
	Kind CloseKind
	// Text says why, for the client (where its wire carries a reason), the
	// upstream's disconnected event, the log and the trace.
	Text string
	// Detail is the reason a caller gave in its own words, when the close
	// came with one (the REST API's reason parameter): wires that carry
	// the caller's reason verbatim (MQTT's Reason String) use it, where
	// Text is the service's sentence around it.
	Detail string
	// Code is the wire's own code, with CloseWireCode.
	Code int
	// Final says the connection ends for good, not only its socket.
	Final bool
}
