package emulator

import (
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// HTTP timeouts of the emulator's server. A WebSocket is not subject to them
// once upgraded (the server clears its deadlines when it hands the connection
// over). (Variables so that tests can lower them.)
var (
	// httpReadHeaderTimeout bounds reading a request's headers.
	httpReadHeaderTimeout = 10 * time.Second
	// httpReadTimeout bounds reading a whole request, body included.
	httpReadTimeout = 30 * time.Second
	// httpIdleTimeout is how long an idle keep-alive connection is kept.
	httpIdleTimeout = 30 * time.Second
)

// DefaultMaxConnections is the limit of concurrent TCP connections (REST and
// WebSocket together) when Options.MaxConnections is zero, unless the
// process's file limit is lower: then the limit is that file limit less 128
// descriptors kept for everything else.
const DefaultMaxConnections = 10000

// maxConnectionsFor returns the connection limit for the option value n.
func maxConnectionsFor(n int) int {
	if n > 0 {
		return n
	}
	limit := DefaultMaxConnections
	if files, ok := fileLimit(); ok && files < uint64(limit)+128 {
		limit = max(int(files)-128, 16)
	}
	return limit
}

// limitListener accepts at most max connections at once. A connection over
// the limit is answered "503 Service Unavailable" with the reason and closed,
// so that a client sees why instead of a hang.
type limitListener struct {
	net.Listener
	max  int
	log  *slog.Logger
	open atomic.Int64
	// refusing counts refusals being written; beyond maxRefusing a
	// connection over the limit is closed without an answer.
	refusing   atomic.Int64
	lastWarned atomic.Int64 // Unix seconds of the last warning
}

// maxRefusing bounds the goroutines that answer refused connections.
const maxRefusing = 64

func newLimitListener(ln net.Listener, max int, log *slog.Logger) *limitListener {
	return &limitListener{Listener: ln, max: max, log: log}
}

// Accept returns the next connection within the limit.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) <= int64(l.max) {
			return &limitedConn{Conn: c, l: l}, nil
		}
		l.open.Add(-1)
		l.refuse(c)
	}
}

// refuse answers a connection over the limit and closes it.
func (l *limitListener) refuse(c net.Conn) {
	if now := time.Now().Unix(); l.lastWarned.Swap(now) != now {
		l.log.Warn("emulator: limit hit: too many concurrent connections; refusing new ones", "limit", l.max)
	}
	if l.refusing.Add(1) > maxRefusing {
		l.refusing.Add(-1)
		c.Close()
		return
	}
	go func() {
		defer l.refusing.Add(-1)
		defer c.Close()
		body := fmt.Sprintf("the emulator has reached its limit of %d concurrent connections (Options.MaxConnections); close idle connections or raise the limit\n", l.max)
		_ = c.SetDeadline(time.Now().Add(time.Second))
		// Read the request first (best effort), so that closing does not
		// reset the connection before the client reads the answer.
		buf := make([]byte, 4096)
		_, _ = c.Read(buf)
		_, _ = fmt.Fprintf(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	}()
}

// limitedConn releases its place in the limit when closed.
type limitedConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

// Close closes the connection and releases its place.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.open.Add(-1) })
	return err
}
