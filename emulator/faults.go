package emulator

import (
	"fmt"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/fault"
	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

// FailREST makes the next count calls of a REST operation answer with a
// scripted error (for example 429 with Retry-After, 500, 503 or 403)
// instead of running. operation is one of addConnectionsToGroups,
// addConnectionToGroup, addUserToGroup, checkPermission, closeAllConnections,
// closeConnection, closeGroupConnections, closeUserConnections,
// connectionExists, generateClientToken, grantPermission, groupExists,
// listConnectionsInGroup, removeConnectionFromAllGroups,
// removeConnectionFromGroup, removeConnectionsFromGroups,
// removeUserFromAllGroups, removeUserFromGroup, revokePermission,
// sendToAll, sendToConnection, sendToGroup, sendToUser, userExists, or "*"
// for any. Names match case-insensitively. Authentication runs first: an
// unauthorized call still gets 401.
func (e *Emulator) FailREST(operation string, count int, answer fault.Answer) error {
	return e.faults.Fail(operation, count, answer)
}

// SetRESTLatency delays every call of a REST operation (see FailREST for
// the names; "*" for all) by d before it runs; 0 removes the delay.
func (e *Emulator) SetRESTLatency(operation string, d time.Duration) error {
	return e.faults.SetLatency(operation, d)
}

// PauseUpstream holds every upstream event call (and webhook validation)
// until ResumeUpstream, as a hung event handler would: blocking events
// (connect, user events) wait, up to the upstream timeout.
func (e *Emulator) PauseUpstream() { e.faults.PauseUpstream() }

// ResumeUpstream lets the upstream calls held by PauseUpstream go on.
func (e *Emulator) ResumeUpstream() { e.faults.ResumeUpstream() }

// ClearFaults removes every injected fault: scripted answers, latency and
// a paused upstream.
func (e *Emulator) ClearFaults() { e.faults.Clear() }

// DropConnection abruptly drops the transport of a connection (the TCP
// connection is closed without a WebSocket close frame), as a network failure
// would. The connection's state is kept so that a reliable client can recover
// it. It reports whether the connection had a live transport.
func (e *Emulator) DropConnection(hubName, connectionID string) bool {
	h := e.core.LookupHub(hubName)
	if h == nil {
		return false
	}
	c := h.Conn(connectionID)
	return c != nil && c.Drop()
}

// DropAllConnections drops the transport of every connection of hub ("" = all
// hubs) like DropConnection and returns how many were dropped.
func (e *Emulator) DropAllConnections(hubName string) int {
	n := 0
	for _, h := range e.core.Hubs() {
		if hubName != "" && core.NormalizeHub(h.Name()) != core.NormalizeHub(hubName) {
			continue
		}
		for _, c := range h.Conns() {
			if c.Drop() {
				n++
			}
		}
	}
	return n
}

// CloseCode is a WebSocket close status code (RFC 6455, section 7.4) that
// CloseConnectionWithCode sends: 1000-1003, 1007-1014 or 3000-4999. Codes
// 1004-1006 and 1015 are reserved for local use and never sent; other codes
// are undefined.
type CloseCode int

// Close codes with a meaning for the PubSub clients.
const (
	// CloseNormal (1000): the client may recover a reliable connection.
	CloseNormal CloseCode = 1000
	// ClosePolicyViolation (1008): the connection ends for good; a client
	// must not try to recover it.
	ClosePolicyViolation CloseCode = 1008
	// CloseInternalError (1011): the server failed; a reliable client
	// recovers the connection.
	CloseInternalError CloseCode = 1011
)

// valid reports whether c can be sent in a close frame.
func (c CloseCode) valid() bool {
	return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999)
}

// CloseConnectionWithCode closes a connection's WebSocket with code and
// reason, as the service would. ClosePolicyViolation, and any code for a
// connection without a reliable subprotocol, ends the connection for good
// (a JSON or protobuf client first gets a disconnected message with
// reason); another code on a reliable connection closes only its
// transport, so the client may recover the connection within the recovery
// window. Codes must be 1000-1003, 1007-1014 or 3000-4999. It reports false
// if the connection does not exist or has no live transport.
func (e *Emulator) CloseConnectionWithCode(hubName, connectionID string, code CloseCode, reason string) (bool, error) {
	if !code.valid() {
		return false, fmt.Errorf("emulator: close code %d cannot be sent; use 1000-1003, 1007-1014 or 3000-4999", code)
	}
	h := e.core.LookupHub(hubName)
	if h == nil {
		return false, nil
	}
	c := h.Conn(connectionID)
	if c == nil {
		return false, nil
	}
	e.log.Debug("emulator: closing a connection by fault injection", "hub", hubName, "connectionId", connectionID, "code", int(code), "reason", reason)
	r := core.CloseReason{Kind: core.CloseWireCode, Code: int(code), Text: reason}
	if code == ClosePolicyViolation || !c.Recoverable() {
		return c.Remove(r), nil
	}
	return c.CloseLink(r), nil
}
