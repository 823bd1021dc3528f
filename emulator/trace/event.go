// Package trace is the emulator's live trace: a bounded record of what
// happens inside an emulator (connections, REST calls, messages, upstream
// calls, acks with errors) and a web page that shows it as it happens.
//
// A Recorder keeps the last Options.Capacity events and a table of
// connections. Subscribers (the page's stream) get updates through bounded
// queues: a subscriber that does not keep up misses updates, which are
// counted, and never slows the emulator down. Every string is scrubbed of
// access keys and tokens before it is stored.
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
	// KindJoined and KindLeft: a connection joined or left Group.
	KindJoined Kind = "joined"
	KindLeft   Kind = "left"
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
)

// Event is one thing that happened. Fields that do not apply are empty.
type Event struct {
	// Seq numbers events from 1 in the order they were recorded.
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	Kind Kind      `json:"kind"`

	Hub          string `json:"hub,omitempty"`
	ConnectionID string `json:"connectionId,omitempty"`
	UserID       string `json:"userId,omitempty"`
	Subprotocol  string `json:"subprotocol,omitempty"`
	// Group is the group joined or left.
	Group string `json:"group,omitempty"`
	// Groups are a connection's groups (KindConnected).
	Groups []string `json:"groups,omitempty"`

	// Source says who sent a message: "rest", "upstream" or "connection".
	Source string `json:"source,omitempty"`
	// Target says where a message went: "hub", "group NAME", "user ID" or
	// "connection ID".
	Target string `json:"target,omitempty"`
	// Recipients are the first MaxRecipients connection ids a message was
	// queued for; RecipientCount counts them all.
	Recipients     []string `json:"recipients,omitempty"`
	RecipientCount int      `json:"recipientCount"`

	// Stream marks a group stream's fragment (KindMessage): the stream id
	// and the fragment's number ("s1 #3"), or "s1 end" / "s1 aborted" for
	// its terminal frame.
	Stream string `json:"stream,omitempty"`
	// InvocationID is the id of an invocation (invokeEvent) whose answer
	// failed (KindAck).
	InvocationID string `json:"invocationId,omitempty"`

	// Event is a user event's name or the event an upstream call carried.
	Event string `json:"event,omitempty"`
	// Size is the payload size in bytes.
	Size        int    `json:"size,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	// Preview is the beginning of a text payload (at most PreviewBytes).
	Preview string `json:"preview,omitempty"`

	Method     string  `json:"method,omitempty"`
	Path       string  `json:"path,omitempty"`
	Status     int     `json:"status,omitempty"`
	DurationMS float64 `json:"durationMs,omitempty"`
	AckID      *uint64 `json:"ackId,omitempty"`
	// Reason is why a connection ended or was refused, or an error message.
	Reason string `json:"reason,omitempty"`
}

// Limits of what an Event carries.
const (
	// PreviewBytes is the most bytes of a payload kept in Event.Preview.
	PreviewBytes = 120
	// MaxRecipients is the most connection ids kept in Event.Recipients.
	MaxRecipients = 50
	// maxReasonBytes bounds Event.Reason.
	maxReasonBytes = 512
)

// State is the state of a connection in the trace.
type State string

// Connection states.
const (
	StateConnected  State = "connected"
	StateRecovering State = "recovering"
	StateGone       State = "gone"
)

// Connection is a row of the trace's connection table.
type Connection struct {
	Hub          string    `json:"hub"`
	ConnectionID string    `json:"connectionId"`
	UserID       string    `json:"userId,omitempty"`
	Subprotocol  string    `json:"subprotocol,omitempty"`
	Groups       []string  `json:"groups"`
	State        State     `json:"state"`
	Since        time.Time `json:"since"`
	// Reason is why the connection is gone.
	Reason string `json:"reason,omitempty"`
}

// Update is what a subscriber receives for each recorded event: the event
// and, when the event changed a connection, the connection's new row.
type Update struct {
	Event      Event       `json:"event"`
	Connection *Connection `json:"connection,omitempty"`
}

// Snapshot is the recorder's state at one moment.
type Snapshot struct {
	// Events are the recorded events, oldest first.
	Events []Event `json:"events"`
	// Connections are the live connections and the most recently gone ones,
	// ordered by hub and connection id.
	Connections []Connection `json:"connections"`
	// Hubs are the hubs seen so far, sorted.
	Hubs []string `json:"hubs"`
}
