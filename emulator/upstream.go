package emulator

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// pendingTTL is how long a session created by onConnect waits for its
// connection to be established before it is forgotten.
const pendingTTL = time.Minute

// upstreamRetryDelays, when not nil, replace the service's 1, 3 and 5 s
// waits between retries of upstream validation; tests shorten them.
var upstreamRetryDelays []time.Duration

// upstreamCaller is an emulator's state for upstream calls: the invoker and
// the sessions between onConnect and onConnected.
type upstreamCaller struct {
	inv *upstream.Invoker

	mu      sync.Mutex
	pending map[string]pendingSession // by connection id
}

// pendingSession is a session whose connection is being set up.
type pendingSession struct {
	s  *upstream.Session
	at time.Time
}

// newUpstreamCaller builds the upstream caller of e, which routes events
// with the settings in effect. It needs e.url, e.key and e.log to be set.
func newUpstreamCaller(e *Emulator) (*upstreamCaller, error) {
	inv, err := upstream.New(upstream.Config{
		Route:       e.route,
		AccessKeys:  []string{e.key},
		Origin:      strings.TrimPrefix(e.url, "http://"),
		Go:          e.goTracked,
		Client:      e.upstreamClient(),
		RetryDelays: upstreamRetryDelays,
		Logger:      e.log,
	})
	if err != nil {
		return nil, err
	}
	return &upstreamCaller{inv: inv, pending: make(map[string]pendingSession)}, nil
}

// park keeps s until the connection id is established, forgetting sessions
// whose connection never was.
func (u *upstreamCaller) park(id string, s *upstream.Session) {
	now := time.Now()
	u.mu.Lock()
	defer u.mu.Unlock()
	for k, p := range u.pending {
		if now.Sub(p.at) > pendingTTL {
			delete(u.pending, k)
		}
	}
	u.pending[id] = pendingSession{s: s, at: now}
}

// take removes and returns the session parked for id, or nil.
func (u *upstreamCaller) take(id string) *upstream.Session {
	u.mu.Lock()
	defer u.mu.Unlock()
	p, ok := u.pending[id]
	if !ok {
		return nil
	}
	delete(u.pending, id)
	return p.s
}

// upstreamClient returns the HTTP client of upstream calls: the trace's
// recording client or one of the emulator's own, both held while fault
// injection pauses the upstream. Like the invoker's own client, it does not
// follow redirects (a redirected POST would lose its body).
func (e *Emulator) upstreamClient() *http.Client {
	c := e.tracedUpstreamClient()
	if c == nil {
		e.upstreamTransport = http.DefaultTransport.(*http.Transport).Clone()
		c = &http.Client{
			Transport:     e.upstreamTransport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	c.Transport = e.faults.Transport(c.Transport)
	return c
}
