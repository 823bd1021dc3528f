package client

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Protocol is a WebSocket subprotocol a Client speaks.
type Protocol string

// Subprotocols a Client can speak.
const (
	// ProtocolJSONReliable is the reliable JSON subprotocol (the default):
	// messages carry sequence ids and dropped connections are recovered.
	ProtocolJSONReliable Protocol = protocol.JSONReliable
	// ProtocolJSON is the plain JSON subprotocol.
	ProtocolJSON Protocol = protocol.JSON
	// ProtocolProtobufReliable is the reliable protobuf subprotocol: the
	// same operations and guarantees as ProtocolJSONReliable in binary
	// protobuf frames.
	ProtocolProtobufReliable Protocol = protocol.ProtobufReliable
	// ProtocolProtobuf is the plain protobuf subprotocol.
	ProtocolProtobuf Protocol = protocol.Protobuf
)

// PossibleProtocolValues returns every Protocol value.
func PossibleProtocolValues() []Protocol {
	return []Protocol{ProtocolJSONReliable, ProtocolJSON, ProtocolProtobufReliable, ProtocolProtobuf}
}

// Defaults, as in the JavaScript client.
const (
	// DefaultKeepAliveInterval is the default period of keep-alive pings.
	DefaultKeepAliveInterval = 20 * time.Second
	// DefaultKeepAliveTimeout is the default silence after which a
	// connection is taken for dead and closed.
	DefaultKeepAliveTimeout = 120 * time.Second
	// DefaultSequenceAckInterval is the default period of sequenceAck
	// messages on a reliable connection.
	DefaultSequenceAckInterval = time.Second
	// DefaultRecoveryWindow is how long a dropped reliable connection is
	// tried to be recovered by default.
	DefaultRecoveryWindow = 30 * time.Second
	// DefaultReadLimit is the largest frame accepted from the service.
	DefaultReadLimit = 4 << 20
	// DefaultMaxQueuedMessages is how many received messages may wait for
	// their handler by default.
	DefaultMaxQueuedMessages = 1000
	// DefaultMaxQueuedBytes is how many bytes of received messages may wait
	// for their handler by default.
	DefaultMaxQueuedBytes = 16 << 20
)

// Options configure a Client. The zero value (or nil) gives the defaults of
// the JavaScript client.
type Options struct {
	// Protocol is the subprotocol: ProtocolJSONReliable (default),
	// ProtocolJSON, ProtocolProtobufReliable or ProtocolProtobuf.
	Protocol Protocol
	// DisableAutoReconnect stops the client when a connection is lost and
	// cannot be recovered, instead of opening a new one.
	DisableAutoReconnect bool
	// DisableAutoRejoinGroups keeps a new connection out of the groups the
	// client had joined.
	DisableAutoRejoinGroups bool
	// MessageRetry is the retry policy of acknowledged operations
	// (default: 3 retries, 1 s apart). An operation whose connection was
	// lost before the service answered is retried, with the same ack id, as
	// soon as a connection is back (recovered or new), without the delay;
	// the delay is for the transient errors the service reports
	// (InternalServerError, Timeout). Both kinds count against MaxRetries.
	MessageRetry RetryOptions
	// ReconnectRetry is the policy for opening a new connection after one was
	// lost (default: unlimited retries, 1 s apart). Its delays also space
	// recovery attempts: the first starts at once, later ones wait the
	// policy's delays (its MaxRetries does not apply; RecoveryWindow bounds
	// recovery).
	ReconnectRetry RetryOptions
	// RecoveryWindow is how long the client tries to recover a dropped
	// reliable connection before opening a new one (default 30 s). Failed
	// handshakes, including HTTP 408 and 429, are retried within it; a
	// recovery the service refuses (close code 1008, any other 4xx) ends it
	// at once.
	RecoveryWindow time.Duration
	// KeepAliveInterval is the period of keep-alive pings (default 20 s;
	// negative disables them).
	KeepAliveInterval time.Duration
	// KeepAliveTimeout closes a connection on which nothing was received for
	// this long (default 120 s; negative disables it).
	KeepAliveTimeout time.Duration
	// SequenceAckInterval is how often received sequence ids are
	// acknowledged on a reliable connection (default 1 s).
	SequenceAckInterval time.Duration
	// ReadLimit is the largest frame accepted from the service in bytes
	// (default 4 MiB). A larger message stops the client with
	// ErrMessageTooBig: recovering the connection would only make the
	// service send it again.
	ReadLimit int64
	// MaxQueuedMessages bounds the received messages (server and group
	// messages, invalid frames reported to OnInvalidMessage) that wait for
	// their handler (default 1000). The client keeps reading from the
	// connection however slow the handlers are, so acks, pongs and system
	// messages always get through; a message that finds the queue full is
	// handled as documented on ErrQueueOverflow: on a reliable subprotocol
	// the client stops taking (and acknowledging) messages, lets the service
	// hold them, and recovers the connection once the handlers have drained
	// the queue to half its bounds, so that the service resends them; on a
	// plain subprotocol the messages cannot be had again, and the client
	// closes the connection with ErrQueueOverflow (reported by the
	// Disconnected event) and opens a new one. Lifecycle events are not
	// counted here: at most 64 wait before the client stops opening new
	// connections until a handler returns.
	MaxQueuedMessages int
	// MaxQueuedBytes bounds the bytes of the frames of the queued messages
	// (default 16 MiB); a message larger than that is let in when no other
	// is queued. The memory held for slow handlers is thus at most
	// MaxQueuedBytes plus one frame of ReadLimit.
	MaxQueuedBytes int64
	// HTTPClient is used for the WebSocket handshake (default
	// http.DefaultClient).
	HTTPClient *http.Client

	// The event handlers below run one at a time, in the order of the
	// events, on a goroutine of the run (Start..Stop) that is not the
	// connection's: a handler may block, and may call any method of the
	// Client, acknowledged calls included (see the package documentation for
	// the whole contract). ctx is canceled when the run ends (Stop, or the
	// client stopping on its own); a handler should then return soon.

	// OnConnected is called when a new connection is established, after the
	// client's groups were rejoined (each group that could not be rejoined
	// is reported to OnRejoinGroupFailed first), as in the JavaScript client.
	OnConnected func(ctx context.Context, e ConnectedEvent)
	// OnDisconnected is called when a connection is lost and not recovered,
	// and when Stop closes it.
	OnDisconnected func(ctx context.Context, e DisconnectedEvent)
	// OnStopped is called once the client has stopped; it is the last
	// handler call of a run.
	OnStopped func(ctx context.Context, e StoppedEvent)
	// OnServerMessage is called for every message from the server.
	OnServerMessage func(ctx context.Context, m ServerMessage)
	// OnGroupMessage is called for every group message.
	OnGroupMessage func(ctx context.Context, m GroupMessage)
	// OnRejoinGroupFailed is called when a group cannot be rejoined on a new
	// connection.
	OnRejoinGroupFailed func(ctx context.Context, e RejoinGroupFailedEvent)
	// OnInvalidMessage is called with a *InvalidMessageError for every frame
	// from the service the client cannot understand; the frame is ignored.
	// A report that finds the handler queue full is dropped.
	OnInvalidMessage func(ctx context.Context, err error)
}

// config is Options with defaults applied.
type config struct {
	Options
	codec          protocol.Codec // the encoding of Protocol
	messageRetry   retryPolicy
	reconnectRetry retryPolicy
}

func newConfig(o *Options) (config, error) {
	var c config
	if o != nil {
		c.Options = *o
	}
	switch c.Protocol {
	case "":
		c.Protocol = ProtocolJSONReliable
	case ProtocolJSON, ProtocolJSONReliable, ProtocolProtobuf, ProtocolProtobufReliable:
	default:
		return config{}, fmt.Errorf("client: unsupported protocol %q: use ProtocolJSONReliable, ProtocolJSON, ProtocolProtobufReliable or ProtocolProtobuf", c.Protocol)
	}
	c.codec = protocol.CodecFor(string(c.Protocol))
	if c.RecoveryWindow <= 0 {
		c.RecoveryWindow = DefaultRecoveryWindow
	}
	if c.KeepAliveInterval == 0 {
		c.KeepAliveInterval = DefaultKeepAliveInterval
	}
	if c.KeepAliveTimeout == 0 {
		c.KeepAliveTimeout = DefaultKeepAliveTimeout
	}
	if c.SequenceAckInterval <= 0 {
		c.SequenceAckInterval = DefaultSequenceAckInterval
	}
	if c.ReadLimit <= 0 {
		c.ReadLimit = DefaultReadLimit
	}
	if c.MaxQueuedMessages <= 0 {
		c.MaxQueuedMessages = DefaultMaxQueuedMessages
	}
	if c.MaxQueuedBytes <= 0 {
		c.MaxQueuedBytes = DefaultMaxQueuedBytes
	}
	if c.HTTPClient == nil {
		c.HTTPClient = http.DefaultClient
	}
	c.messageRetry = newRetryPolicy(c.MessageRetry, DefaultMessageMaxRetries)
	c.reconnectRetry = newRetryPolicy(c.ReconnectRetry, -1)
	return c, nil
}
