package emulator

import (
	"log/slog"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
)

// Limits of a socket's outbound queue, counting the frames the writer has
// taken but not written yet. A consumer that falls this far behind is closed
// instead of being waited on. (Variables so that tests can lower them.)
var (
	maxQueuedFrames = 4096
	maxQueuedBytes  = 32 << 20
)

// Deadlines of a socket's writer. (Variables so that tests can lower them.)
var (
	// writeTimeout bounds one network write: a client that takes nothing
	// for that long is dropped (its socket is aborted), as a network
	// failure would be.
	writeTimeout = 10 * time.Second
	// closeTimeout bounds a graceful close: if the frames queued before the
	// close and the close frame itself are not written within it, the
	// socket is aborted.
	closeTimeout = 5 * time.Second
)

// newSocket returns a client WebSocket under the current limits.
func newSocket(log *slog.Logger) *wsio.Socket {
	return wsio.New(wsio.Limits{
		QueueFrames:  maxQueuedFrames,
		QueueBytes:   maxQueuedBytes,
		WriteTimeout: writeTimeout,
		CloseTimeout: closeTimeout,
	}, log)
}
