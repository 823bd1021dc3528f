package emulator

import (
	"strings"
	"sync"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// pendingTTL is how long a session created by onConnect waits for its
// connection to be established before it is forgotten.
const pendingTTL = time.Minute

// upstreamCaller is an emulator's state for upstream calls: the invoker and
// the sessions between onConnect and onConnected.
type upstreamCaller struct {
	inv *upstream.Invoker
	// err is set when Options.Upstream is invalid; connections are then
	// refused with it.
	err error

	mu      sync.Mutex
	pending map[string]pendingSession // by connection id
}

// pendingSession is a session whose connection is being set up.
type pendingSession struct {
	s  *upstream.Session
	at time.Time
}

// callers holds the upstream callers of running emulators. An entry is
// removed when its emulator stops serving.
var (
	callersMu sync.Mutex
	callers   = map[*Emulator]*upstreamCaller{}
)

// upstreamCaller returns e's upstream caller, creating it on first use. It
// returns nil when no upstream is configured or the emulator is closed.
func (e *Emulator) upstreamCaller() *upstreamCaller {
	if len(e.opts.Upstream) == 0 {
		return nil
	}
	callersMu.Lock()
	defer callersMu.Unlock()
	if u := callers[e]; u != nil {
		return u
	}
	select {
	case <-e.serveDone:
		return nil
	default:
	}
	handlers := make([]upstream.Handler, len(e.opts.Upstream))
	for i, h := range e.opts.Upstream {
		handlers[i] = upstream.Handler{
			Hub:              h.Hub,
			URLTemplate:      h.URLTemplate,
			UserEventPattern: h.UserEventPattern,
			SystemEvents:     append([]string(nil), h.SystemEvents...),
		}
	}
	inv, err := upstream.New(upstream.Config{
		Handlers:   handlers,
		AccessKeys: []string{e.key},
		Origin:     strings.TrimPrefix(e.url, "http://"),
		Go:         e.goTracked,
		Logger:     e.log,
	})
	if err != nil {
		return &upstreamCaller{err: err}
	}
	u := &upstreamCaller{inv: inv, pending: make(map[string]pendingSession)}
	stopped := e.goTracked(func() {
		<-e.serveDone
		inv.Close()
		callersMu.Lock()
		delete(callers, e)
		callersMu.Unlock()
	})
	if !stopped {
		inv.Close()
		return nil
	}
	callers[e] = u
	return u
}

// lookupUpstreamCaller returns e's upstream caller if it exists.
func (e *Emulator) lookupUpstreamCaller() *upstreamCaller {
	callersMu.Lock()
	defer callersMu.Unlock()
	return callers[e]
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
