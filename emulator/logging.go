package emulator

import (
	"errors"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// Logging levels: warnings (the default level of the CLI) report every
// upstream failure, refused handshake and limit hit; debug (-v) adds every
// REST call, connection, recovery, disconnection and upstream call. Tokens,
// keys and signatures are never logged.

// refuse answers a client handshake with status and reason and logs it as a
// warning. reason must not contain the token.
func (e *Emulator) refuse(w http.ResponseWriter, r *http.Request, hub string, status int, reason string) {
	e.log.Warn("emulator: client connection refused", "hub", hub, "status", status, "reason", reason, "remote", r.RemoteAddr)
	http.Error(w, reason, status)
}

// observeREST wraps the REST API: it logs every call at debug level (method,
// path without the query, which may carry tokens, status and duration) and
// records it in the live trace (observe.go). The status is captured once for
// both.
func (e *Emulator) observeREST(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		e.log.Debug("emulator: REST call", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", d)
		e.traceREST(r, sw.status, d)
	})
}

// logReadEnd warns when a client's read ended because of a limit: a frame
// over maxClientMessage (the connection is closed with 1009).
func (e *Emulator) logReadEnd(c *conn, err error) {
	if errors.Is(err, websocket.ErrMessageTooBig) {
		e.log.Warn("emulator: limit hit: a client frame is larger than the emulator accepts; closing the connection with 1009", "hub", c.hub.name, "connectionId", c.id, "limit", maxClientMessage)
	}
}
