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

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// logREST logs every REST call at debug level: method, path (without the
// query, which may carry tokens), status and duration. Authentication
// failures are warnings.
func (e *Emulator) logREST(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		e.log.Debug("emulator: REST call", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", time.Since(start))
	})
}

// logReadEnd warns when a client's read ended because of a limit: a frame
// over maxClientMessage (the connection is closed with 1009).
func (e *Emulator) logReadEnd(c *conn, err error) {
	if errors.Is(err, websocket.ErrMessageTooBig) {
		e.log.Warn("emulator: limit hit: a client frame is larger than the emulator accepts; closing the connection with 1009", "hub", c.hub.name, "connectionId", c.id, "limit", maxClientMessage)
	}
}
