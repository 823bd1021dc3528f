// Package core is the emulator's protocol-neutral heart: hubs of logical
// connections, their users, groups and permissions, the delivery of
// messages (sequence ids, acks, resend buffers, expiry, limits) and the
// lifecycle of a connection (registered, established, dropped, recovered,
// removed). It knows no wire format and no transport: it imports neither
// JSON, HTTP, WebSocket nor protobuf (a test keeps it so).
//
// Around it sit the adapters, one per client wire (the WebSocket
// subprotocols and simple WebSocket mode today, MQTT next), the REST API and
// the upstream caller. An adapter:
//
//   - registers a connection with Hub.Register, giving it the Link of its
//     first socket (frames queue on the link until the socket starts), and
//     calls Conn.Establish once the handshake succeeded;
//   - hands every frame it reads to Conn.Submit, which runs the frame's
//     work in order, per connection, across the connection's sockets;
//   - tells the core when a socket ends (Conn.LinkEnded): a recoverable
//     connection then waits for Conn.Recover within its recovery window,
//     any other is removed;
//   - implements Link: the core queues data messages on it (Deliver, with a
//     sequence id for recoverable connections), flushes it once it holds no
//     lock (Flush: where the link may write), and closes it with a neutral
//     CloseReason that the adapter maps to its wire.
//
// A wire whose sessions the adapter keeps itself (MQTT: per-message acks,
// an in-flight window, what an absent client gets) registers a recoverable
// connection with ConnSpec.Offline: the core then adds no sequence ids and
// keeps no resend buffer, hands messages to the Offline link while the
// client is away, and still owns the lifecycle (drop, recovery window,
// removal, observers). Such a wire resumes a connection with Conn.Recover or,
// when the client comes back while its old socket may be alive,
// Conn.Takeover, which closes that socket with CloseTakenOver; it changes
// the window with Conn.SetRecoveryWindow (0: the connection ends with its
// socket).
//
// Messages are neutral (Message): a payload with its data type, where it
// came from and how long it may be resent. Each wire format encodes a
// message at most once (Message.Encode) and every recipient of that format
// shares the bytes.
//
// # Observers
//
// The live trace, the upstream caller and the log observe the core through
// Observer. Lifecycle and membership events are delivered in the order they
// happened, never with a core lock held, and before the call that caused
// them returns. OnMessage is called on the sender's goroutine, also without
// a lock. Observers must return promptly and must not call methods of the
// core that change state (they may read: Conn.ID, Conn.Groups...).
//
// # Locks
//
// Core.mu guards the hubs; Hub.mu guards a hub's tables and its
// connections' groups; a connection's permissions (package permission)
// guard themselves; Conn.mu guards a connection's link and
// delivery state. The order is Hub.mu before Conn.mu. No lock is held while
// an observer runs or across a call that can block; Link.Deliver, Close and
// Abort are called with Conn.mu held and must only queue, and Link.Flush,
// the only Link method that may write to the network, with no lock held.
//
// # Policy
//
// The rules each live in one place: hub names, which are case-insensitive
// (NormalizeHub, applied where the core looks hubs up; ParseHub for
// adapters), name validation (ValidateHub, ValidateGroup), permissions
// (Conn.Allowed, Conn.Permits, Conn.Grant, Conn.Revoke, RolesAllow, on
// package permission's model), and every budget (Limits: groups and group
// name bytes per connection, resend buffer, duplicate ackId cache, inbound
// and outbound queues, invocations), with the emulator-wide budgets
// (Budget) that bound what all connections hold together: queued bytes
// (Outbound, which the adapters' sockets take from), unacknowledged bytes,
// invocation bytes (Invocations, which the adapters take from) and group
// memberships.
package core
