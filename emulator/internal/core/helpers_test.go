package core_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// delivered is one message a fakeLink took.
type delivered struct {
	seq  uint64
	text string
}

// fakeLink records what the core does with a socket.
type fakeLink struct {
	mu      sync.Mutex
	got     []delivered
	closed  *core.CloseReason
	aborted bool
	full    bool // Deliver refuses: the socket is over its limits
	flushes int
	onFlush func()
}

func (l *fakeLink) Deliver(m *core.Message, seq uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.full {
		return false
	}
	l.got = append(l.got, delivered{seq: seq, text: string(m.Data.Data)})
	return true
}

func (l *fakeLink) Close(r core.CloseReason) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed == nil {
		l.closed = &r
	}
}

func (l *fakeLink) Abort() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.aborted = true
}

// Flush runs onFlush, if set: the core calls it with no lock held.
func (l *fakeLink) Flush() {
	l.mu.Lock()
	f := l.onFlush
	l.flushes++
	l.mu.Unlock()
	if f != nil {
		f()
	}
}

func (l *fakeLink) messages() []delivered {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]delivered(nil), l.got...)
}

func (l *fakeLink) closeReason() *core.CloseReason {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

func (l *fakeLink) wasAborted() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.aborted
}

// recorder is an Observer that records events as text. Each callback also
// reads the connection (Groups, Serves), which takes the hub's and the
// connection's locks: a callback made with either held would deadlock.
type recorder struct {
	mu     sync.Mutex
	events []string
	sent   []*core.Sent
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) touch(c *core.Conn) {
	_ = c.Groups()
	_ = c.Serves(nil)
}

func (r *recorder) OnConnected(c *core.Conn, groups []string) {
	r.touch(c)
	r.add("connected %s %v", c.ID(), groups)
}
func (r *recorder) OnDropped(c *core.Conn)   { r.touch(c); r.add("dropped %s", c.ID()) }
func (r *recorder) OnRecovered(c *core.Conn) { r.touch(c); r.add("recovered %s", c.ID()) }
func (r *recorder) OnRemoved(c *core.Conn, reason string) {
	r.touch(c)
	r.add("removed %s: %s", c.ID(), reason)
}
func (r *recorder) OnJoined(c *core.Conn, g string) { r.touch(c); r.add("joined %s %s", c.ID(), g) }
func (r *recorder) OnLeft(c *core.Conn, g string)   { r.touch(c); r.add("left %s %s", c.ID(), g) }
func (r *recorder) OnLimit(c *core.Conn, reason string) {
	r.touch(c)
	r.add("limit %s: %s", c.ID(), reason)
}
func (r *recorder) OnMessage(s *core.Sent) {
	r.mu.Lock()
	r.sent = append(r.sent, s)
	r.mu.Unlock()
	r.add("message %s %s", s.Target, s.Message.Data.Data)
}
func (r *recorder) OnReset() { r.add("reset") }

func (r *recorder) log() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// with returns the recorded events that start with prefix.
func (r *recorder) with(prefix string) []string {
	var out []string
	for _, e := range r.log() {
		if strings.HasPrefix(e, prefix) {
			out = append(out, e)
		}
	}
	return out
}

// tasks runs the core's background work and waits for it.
type tasks struct{ wg sync.WaitGroup }

func (t *tasks) Go(f func()) bool {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		f()
	}()
	return true
}

// newCore returns a core with lim (zero: defaults) and a recorder; it is
// closed and its background work waited for at the end of the test.
func newCore(t *testing.T, lim core.Limits) (*core.Core, *recorder) {
	t.Helper()
	rec := &recorder{}
	var ts tasks
	k := core.New(core.Config{Limits: lim, Observers: []core.Observer{rec}, Go: ts.Go})
	t.Cleanup(func() {
		k.Close()
		ts.wg.Wait()
	})
	return k, rec
}

// register registers and establishes a connection of hub "h".
func register(t *testing.T, k *core.Core, spec core.ConnSpec) (*core.Conn, *fakeLink) {
	t.Helper()
	l := &fakeLink{}
	if spec.Link == nil {
		spec.Link = l
	} else {
		l = spec.Link.(*fakeLink)
	}
	c, err := k.Hub("h").Register(spec)
	require.NoError(t, err)
	require.True(t, c.Establish())
	return c, l
}

// text returns a server message with text data.
func text(s string) *core.Message {
	return &core.Message{Origin: core.FromServer, Data: core.Payload{Type: core.DataText, Data: []byte(s)}}
}

// send sends m to c from the server.
func send(c *core.Conn, m *core.Message) int {
	return c.Hub().Send(&core.Send{Message: m, Source: "rest", Target: "connection " + c.ID(), To: []*core.Conn{c}})
}

// eventually waits up to 10 s for cond.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, time.Millisecond, msg)
}
