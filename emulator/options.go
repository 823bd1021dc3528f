package emulator

import (
	"log/slog"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/settings"
)

// Default option values.
const (
	// DefaultAddr is the listen address used when Options.Addr is empty.
	DefaultAddr = "127.0.0.1:0"
	// DefaultRecoveryWindow is how long a dropped reliable connection can be
	// recovered when Options.RecoveryWindow is zero.
	DefaultRecoveryWindow = 30 * time.Second
)

// DevAccessKey is the access key of an emulator whose Options.AccessKey is
// empty: a well-known, public development key, so that a connection string
// (and every back end, event handler and token that uses it) keeps working
// across restarts. It is the default key of Microsoft's own emulator
// (Azure/azure-webpubsub tools/emulator, EmulatorOptions.DefaultAccessKey),
// so connection strings work with either. It protects nothing: New refuses to
// listen on a non-loopback address with it.
const DevAccessKey = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH"

// Options configures an Emulator. The zero value is ready to use.
type Options struct {
	// Addr is the TCP listen address, default "127.0.0.1:0" (a free loopback port).
	Addr string
	// HostNames are more names clients and back ends may reach the emulator
	// by over plain HTTP, such as a Docker Compose service name: a request
	// sent to one of them accepts tokens whose audience names it, as well as
	// tokens for the emulator's own addresses. Each is a host ("emulator", port =
	// the listen port) or host:port. Audiences are never taken from a
	// request's Host header, so a name that is not listed here is refused.
	HostNames []string
	// AccessKey signs and verifies every token. Default: DevAccessKey, the
	// well-known development key, which New accepts only on a loopback
	// address: an emulator reachable from the network needs a key of its own.
	AccessKey string
	// RecoveryWindow is how long the state of a dropped reliable connection is
	// kept so that the client can recover it. Default 30s.
	RecoveryWindow time.Duration
	// MaxConnections is the most TCP connections (REST and WebSocket
	// together) served at once; one more is answered "503 Service
	// Unavailable" with the reason and closed. Zero means
	// DefaultMaxConnections (10,000), or less when the process's file limit
	// is lower (that limit less 128).
	MaxConnections int
	// Logger receives diagnostic logs; nil discards them.
	Logger *slog.Logger
	// Settings are the hubs' settings (event handlers and anonymous connect
	// policy), as the service's hub resources hold them. Nil means none: no
	// upstream calls and every client needs an access token. They are
	// validated by New.
	Settings *settings.Settings
	// SettingsFile is a JSON settings file (see package settings for its
	// shapes) read at start and watched: saving it applies the new event
	// handlers and policies without dropping clients; an invalid edit logs a
	// warning and keeps the last good settings. An invalid file makes New
	// fail with the line and field that is wrong. "" means no file. When
	// set, Settings is ignored.
	SettingsFile string
	// Upstream is a shorthand for event handlers: each is added after the
	// handlers of Settings (or of SettingsFile) for its hub ("" or "*": the
	// "*" hub, whose handlers are tried after every hub's own); empty adds
	// none.
	Upstream []UpstreamHandler
	// TraceEvents is how many of the latest events the live trace keeps
	// (the page at the emulator's URL, see package emulator/trace). Zero
	// means trace.DefaultCapacity (10,000); a negative value turns the
	// trace and its page off.
	TraceEvents int
	// Budgets bound what all connections together make the emulator hold,
	// so that many connections opened with one token cannot multiply the
	// per-connection limits. The zero value means the defaults.
	Budgets Budgets
}

// Default emulator-wide budgets (Budgets).
const (
	// DefaultQueuedBytes is Budgets.QueuedBytes when zero: 128 MiB.
	DefaultQueuedBytes = 128 << 20
	// DefaultUnackedBytes is Budgets.UnackedBytes when zero: 128 MiB.
	DefaultUnackedBytes = 128 << 20
	// DefaultInvokeBytes is Budgets.InvokeBytes when zero: 64 MiB.
	DefaultInvokeBytes = 64 << 20
	// DefaultGroupBytes is Budgets.GroupBytes when zero: 128 MiB.
	DefaultGroupBytes = 128 << 20
)

// Budgets are the emulator's emulator-wide memory budgets, each counted
// across all connections. Zero means the default; a negative value means
// no emulator-wide budget of that kind (the per-connection limits still
// apply). A client that keeps up is never refused because of a budget:
// every socket and resend buffer may hold 1 MiB whatever the budgets say.
type Budgets struct {
	// QueuedBytes bounds the messages waiting to be written to clients; a
	// message sent to many clients of one subprotocol counts once. A
	// client with at least 1 MiB waiting that would go over it is closed
	// ("does not read its messages fast enough"), as over its own queue
	// limit. Default DefaultQueuedBytes.
	QueuedBytes int
	// UnackedBytes bounds the resend buffers of reliable clients (messages
	// sent and not acknowledged); a message held by many buffers counts
	// once. A client with at least 1 MiB unacknowledged that would go
	// over it is closed for good, as over its own buffer limit. Default
	// DefaultUnackedBytes.
	UnackedBytes int
	// InvokeBytes bounds the invocations in flight (their payload, event
	// name, id and metadata, held until the upstream answers). One more is
	// answered with an error named "TooManyInvocations". Default
	// DefaultInvokeBytes.
	InvokeBytes int
	// GroupBytes bounds the group memberships, each counted as the group
	// name's bytes plus 64. A join over it is refused (joinGroup acked
	// with BadRequest, REST 400, a connect naming groups refused with 400
	// in the handshake). Default DefaultGroupBytes.
	GroupBytes int
}

// apply sets the emulator-wide budgets of lim from b.
func (b Budgets) apply(lim *core.Limits) {
	pick := func(v, def int) int {
		switch {
		case v < 0:
			return 0
		case v == 0:
			return def
		}
		return v
	}
	lim.TotalQueueBytes = pick(b.QueuedBytes, DefaultQueuedBytes)
	lim.TotalUnackedBytes = pick(b.UnackedBytes, DefaultUnackedBytes)
	lim.TotalInvokeBytes = pick(b.InvokeBytes, DefaultInvokeBytes)
	lim.TotalGroupBytes = pick(b.GroupBytes, DefaultGroupBytes)
}

// UpstreamHandler configures upstream event calls for matching hubs.
type UpstreamHandler struct {
	// Hub is the hub name the handler applies to; "" or "*" means every hub.
	Hub string
	// URLTemplate is the upstream URL; it may contain {hub} and {event}.
	URLTemplate string
	// UserEventPattern selects user events: "*" (all), comma-separated event
	// names, or "" (none).
	UserEventPattern string
	// SystemEvents is a subset of "connect", "connected" and "disconnected".
	SystemEvents []string
	// GroupPresenceEvents is a subset of "joined" and "left": the handler
	// receives azure.webpubsub.gp.joined / gp.left when a connection joins
	// or leaves a group by any route (client, REST, token or connect
	// answer). Empty sends none, as in the service.
	GroupPresenceEvents []string
}
