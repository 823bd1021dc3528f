package observe

import (
	"log/slog"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

// Log writes the core's lifecycle to a logger: every connection,
// recovery and removal at debug level (-v), limits hit as warnings (the
// CLI's default level). Tokens and keys never reach it.
type Log struct {
	log *slog.Logger
}

// NewLog returns a Log writing to log.
func NewLog(log *slog.Logger) *Log { return &Log{log: log} }

// OnConnected implements core.Observer.
func (l *Log) OnConnected(c *core.Conn, _ []string) {
	l.log.Debug("emulator: client connected", "hub", c.Hub().Name(), "connectionId", c.ID(), "userId", c.UserID(), "subprotocol", c.Protocol())
}

// OnDropped implements core.Observer.
func (l *Log) OnDropped(c *core.Conn) {
	l.log.Debug("emulator: connection dropped, waiting for recovery", "hub", c.Hub().Name(), "connectionId", c.ID())
}

// OnRecovered implements core.Observer.
func (l *Log) OnRecovered(c *core.Conn) {
	l.log.Debug("emulator: connection recovered", "hub", c.Hub().Name(), "connectionId", c.ID())
}

// OnRemoved implements core.Observer.
func (l *Log) OnRemoved(c *core.Conn, reason string) {
	l.log.Debug("emulator: connection removed", "hub", c.Hub().Name(), "connectionId", c.ID(), "reason", reason)
}

// OnLimit implements core.Observer.
func (l *Log) OnLimit(c *core.Conn, reason string) {
	l.log.Warn("emulator: connection limit hit; closing the connection", "hub", c.Hub().Name(), "connectionId", c.ID(), "reason", reason)
}

// OnJoined implements core.Observer; joins are not logged.
func (l *Log) OnJoined(*core.Conn, string) {}

// OnLeft implements core.Observer; leaves are not logged.
func (l *Log) OnLeft(*core.Conn, string) {}

// OnMessage implements core.Observer; messages are not logged.
func (l *Log) OnMessage(*core.Sent) {}

// OnReset implements core.Observer.
func (l *Log) OnReset() { l.log.Debug("emulator: reset: every connection was forgotten") }
