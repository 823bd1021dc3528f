// Package trace is the emulator's live trace: a bounded record of what
// happens inside an emulator (connections, REST calls, messages, upstream
// calls, acks with errors) and a web page that shows it as it happens.
//
// A Recorder keeps the last Options.Capacity events, within Options.MaxBytes,
// and a table of connections. Subscribers (the page's stream) get updates
// through bounded queues: a subscriber that does not keep up misses updates,
// which are counted, and never slows the emulator down. Every string is
// scrubbed of access keys and tokens and cut to a documented bound before it
// is stored, so that what clients choose (names, ids, paths) cannot make the
// trace grow beyond its ceiling.
//
// The page (Recorder.Handler) is signed in with a one-time link
// (Recorder.SignInURL), a connection string or a token, and can connect a
// test client and send through the REST API when the emulator provides the
// callbacks of HandlerOptions.
package trace

import "time"

// Kind says what an Event is about.
type Kind string

// Kinds of events.
const (
	// KindConnected: a client connection was established (Groups are the
	// groups it is in right after connecting).
	KindConnected Kind = "connected"
	// KindRefused: a client handshake or recovery was refused (Status, Reason).
	KindRefused Kind = "refused"
	// KindDropped: a reliable connection lost its transport and waits to be
	// recovered (its state is "recovering").
	KindDropped Kind = "dropped"
	// KindRecovered: a reliable connection was recovered on a new transport.
	KindRecovered Kind = "recovered"
	// KindDisconnected: a connection was removed for good (Reason).
	KindDisconnected Kind = "disconnected"
	// KindJoined: a connection joined Group.
	KindJoined Kind = "joined"
	// KindLeft: a connection left Group.
	KindLeft Kind = "left"
	// KindREST: a REST API call (Method, Path, Status, DurationMS).
	KindREST Kind = "rest"
	// KindMessage: a message was sent (Source, Target, Size, ContentType,
	// Preview) and queued for its recipients (Recipients, RecipientCount).
	KindMessage Kind = "message"
	// KindUserEvent: a client sent a user event (Event, Size, ContentType, Preview).
	KindUserEvent Kind = "event"
	// KindUpstream: the emulator called an upstream event handler (Event,
	// Method, Path, Status, DurationMS, Reason on a transport failure).
	KindUpstream Kind = "upstream"
	// KindAck: an ack with an error was sent to a client (AckID, Reason).
	KindAck Kind = "ack"
	// KindReset: every connection of the emulator was forgotten (Emulator.Reset).
	KindReset Kind = "reset"
	// KindPacket: an MQTT client sent a control packet, or the emulator
	// sent one that answers or ends it (Event: the packet's name and
	// direction, "PUBLISH in", "SUBACK out"; Group: its topic; Size: its
	// payload; Reason: a refusal's reason code). Acknowledgements, pings
	// and the PUBLISHes delivered to subscribers (KindMessage) are left
	// out.
	KindPacket Kind = "packet"
)

// Event is one thing that happened. Fields that do not apply are empty.
// Every string is scrubbed of secrets and cut to its bound (MaxFieldBytes,
// MaxPathBytes, MaxReasonBytes, PreviewBytes) when it is recorded, and the
// lists are cut to MaxGroups and MaxRecipients entries: what a client chose
// is never kept whole.
type Event struct {
	// Seq numbers events from 1 in the order they were recorded.
	Seq uint64 `json:"seq"`
	// Time is when the event happened (set by Record when zero).
	Time time.Time `json:"time"`
	// Kind says what the event is about.
	Kind Kind `json:"kind"`

	// Hub is the hub the event belongs to ("" for a REST call outside a
	// hub or a reset of every hub).
	Hub string `json:"hub,omitempty"`
	// ConnectionID is the connection the event is about, or the sender of
	// a message.
	ConnectionID string `json:"connectionId,omitempty"`
	// UserID is the user of that connection, if any.
	UserID string `json:"userId,omitempty"`
	// Subprotocol is the connection's WebSocket subprotocol ("" for a
	// simple WebSocket client).
	Subprotocol string `json:"subprotocol,omitempty"`
	// Group is the group joined or left; for a message (KindMessage), the
	// group it was delivered as a message of (clients receive it as a group
	// message, from:"group"): a client's send to a group, or a REST send to
	// a group, which has no sender. Empty for a message from the server.
	Group string `json:"group,omitempty"`
	// Groups are a connection's groups (KindConnected), at most MaxGroups.
	Groups []string `json:"groups,omitempty"`

	// Source says who sent a message: "rest", "upstream" or "connection".
	Source string `json:"source,omitempty"`
	// Target says where a message went: "hub", "group NAME", "user ID" or
	// "connection ID".
	Target string `json:"target,omitempty"`
	// Recipients are the first MaxRecipients connection ids a message was
	// queued for; RecipientCount counts them all.
	Recipients []string `json:"recipients,omitempty"`
	// RecipientCount is how many connections a message was queued for.
	RecipientCount int `json:"recipientCount"`

	// Stream marks a group stream's fragment (KindMessage): the stream id
	// and the fragment's number ("s1 #3"), or "s1 end" / "s1 aborted" for
	// its terminal frame. The stream id is the client's choice, so it is
	// scrubbed like any text.
	Stream string `json:"stream,omitempty"`
	// InvocationID is the id of an invocation (invokeEvent) whose answer
	// failed (KindAck); scrubbed like any text.
	InvocationID string `json:"invocationId,omitempty"`

	// Event is a user event's name or the event an upstream call carried.
	Event string `json:"event,omitempty"`
	// Size is the payload size in bytes.
	Size int `json:"size,omitempty"`
	// ContentType is the payload's MIME type ("text/plain",
	// "application/json", "application/octet-stream", ...).
	ContentType string `json:"contentType,omitempty"`
	// Preview is the beginning of a text payload (at most PreviewBytes).
	Preview string `json:"preview,omitempty"`

	// Method is the HTTP method of a REST or upstream call.
	Method string `json:"method,omitempty"`
	// Path is the path of a REST call, or the scheme, host and path of an
	// upstream call (never a query, which may carry a key).
	Path string `json:"path,omitempty"`
	// Status is the HTTP status of a REST call, an upstream call or a
	// refused handshake.
	Status int `json:"status,omitempty"`
	// DurationMS is how long a REST or upstream call took, in milliseconds.
	DurationMS float64 `json:"durationMs,omitempty"`
	// AckID is the ack id of an ack with an error (KindAck).
	AckID *uint64 `json:"ackId,omitempty"`
	// Reason is why a connection ended or was refused, or an error message.
	Reason string `json:"reason,omitempty"`
}

// Bounds of what an Event and a Connection carry. Longer strings are cut
// at a character boundary and end with "…".
const (
	// PreviewBytes is the most bytes of a payload kept in Event.Preview.
	PreviewBytes = 120
	// MaxRecipients is the most connection ids kept in Event.Recipients.
	MaxRecipients = 50
	// MaxGroups is the most group names kept in Event.Groups and in a
	// connection's row (Connection.Groups).
	MaxGroups = 64
	// MaxFieldBytes bounds each name and id: hub, connection, user, group
	// (the service allows 1,024 characters), subprotocol, source, target,
	// stream, invocation id, event, content type and method.
	MaxFieldBytes = 256
	// MaxPathBytes bounds Event.Path.
	MaxPathBytes = 512
	// MaxReasonBytes bounds Event.Reason and Connection.Reason.
	MaxReasonBytes = 512
)

// State is the state of a connection in the trace.
type State string

// Connection states.
const (
	// StateConnected: the connection is established.
	StateConnected State = "connected"
	// StateRecovering: a reliable connection lost its transport and may
	// still be recovered.
	StateRecovering State = "recovering"
	// StateGone: the connection was removed for good; the row stays for a
	// while (Options.MaxGoneConnections, Options.MaxGoneBytes).
	StateGone State = "gone"
)

// Connection is a row of the trace's connection table.
type Connection struct {
	// Hub is the connection's hub.
	Hub string `json:"hub"`
	// ConnectionID is the connection's id.
	ConnectionID string `json:"connectionId"`
	// UserID is the connection's user, if any.
	UserID string `json:"userId,omitempty"`
	// Subprotocol is the connection's WebSocket subprotocol.
	Subprotocol string `json:"subprotocol,omitempty"`
	// Groups are the connection's groups, sorted: the first MaxGroups it
	// joined (GroupsTruncated says when there were more).
	Groups []string `json:"groups"`
	// GroupsTruncated is true when the connection joined more than
	// MaxGroups groups: Groups lists only some of them.
	GroupsTruncated bool `json:"groupsTruncated,omitempty"`
	// State is connected, recovering or gone.
	State State `json:"state"`
	// Since is when the connection entered State.
	Since time.Time `json:"since"`
	// Reason is why the connection is gone.
	Reason string `json:"reason,omitempty"`
}

// Update is what a subscriber receives for each recorded event: the event
// and, when the event changed a connection, the connection's new row.
type Update struct {
	// Event is the recorded event.
	Event Event `json:"event"`
	// Connection is the row the event changed, or nil.
	Connection *Connection `json:"connection,omitempty"`
}

// Snapshot is the recorder's state at one moment.
type Snapshot struct {
	// Events are the recorded events, oldest first.
	Events []Event `json:"events"`
	// Connections are the live connections and the most recently gone ones,
	// ordered by hub and connection id.
	Connections []Connection `json:"connections"`
	// Hubs are the hubs the trace still shows something about (a kept
	// event or a connection row), sorted. A hub whose events were all
	// forgotten and whose connections are all forgotten leaves the list.
	Hubs []string `json:"hubs"`
}
