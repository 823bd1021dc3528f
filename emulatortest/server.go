package emulatortest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// ClientTimeout bounds how long NewClient waits for a client to connect, and
// how long Close waits for the clients that NewClient started to stop.
const ClientTimeout = 10 * time.Second

// Server is an emulator started for a test. Create it with New (or Start);
// its methods, including those of the embedded *emulator.Emulator, are safe
// for concurrent use, but the helpers that fail the test must be called from
// the test's goroutine, as t.Fatalf requires.
type Server struct {
	// Emulator is the running emulator; its methods (URL, ConnectionString,
	// AccessKey, the fault controls, Reset, Trace) are promoted to the
	// Server. Stop it with the Server's Close, which stops the Server's
	// clients first, rather than with Emulator.Close.
	*emulator.Emulator

	t testing.TB // nil for a Server from Start: the helpers panic instead

	mu      sync.Mutex
	clients []startedClient // one per NewClient call, until Close
	closing bool

	closeOnce sync.Once
	closeErr  error
}

// startedClient is a client started by NewClient, stopped by Close.
type startedClient struct {
	c   *client.Client
	hub string
}

// New starts an emulator with opts (nil means the emulator's defaults, see
// the package documentation) and closes it when the test and its subtests
// have completed (t.Cleanup), reporting an error of that Close with
// t.Errorf. If the emulator cannot start, New calls t.Fatalf with the
// reason.
func New(t testing.TB, opts *emulator.Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	s.t = t
	t.Cleanup(func() {
		// If the test called Close itself, Close returned it the error.
		ran := false
		s.closeOnce.Do(func() { ran = true; s.shutdown() })
		if ran && s.closeErr != nil {
			t.Errorf("%v", s.closeErr)
		}
	})
	return s
}

// Start starts an emulator with opts (nil means the emulator's defaults),
// for code that has no testing.TB: TestMain, runnable examples, a local
// tool. The caller must Close it. The helpers of a Server from Start panic
// where those of a Server from New would fail the test.
func Start(opts *emulator.Options) (*Server, error) {
	e, err := emulator.New(opts)
	if err != nil {
		return nil, fmt.Errorf("emulatortest: starting the emulator: %w", err)
	}
	return &Server{Emulator: e}, nil
}

// Close stops the clients started by NewClient (all at once, waiting at most
// ClientTimeout), then closes the emulator and waits for its goroutines to
// end. It returns every error met on the way, and is safe to call more than
// once: later calls return the first call's result. A Server from New is
// closed by the test's cleanup; calling Close earlier is allowed, for example
// to test what code does when the service goes away.
func (s *Server) Close() error {
	s.closeOnce.Do(s.shutdown)
	return s.closeErr
}

// shutdown does the work of Close, once.
func (s *Server) shutdown() {
	s.mu.Lock()
	s.closing = true
	clients := s.clients
	s.clients = nil
	s.mu.Unlock()
	errs := stopClients(clients)
	if err := s.Emulator.Close(); err != nil {
		errs = append(errs, fmt.Errorf("emulatortest: closing the emulator: %w", err))
	}
	s.closeErr = errors.Join(errs...)
}

// stopClients stops every client concurrently within ClientTimeout and
// returns the errors, in the order the clients were started.
func stopClients(clients []startedClient) []error {
	if len(clients) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), ClientTimeout)
	defer cancel()
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, sc := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := sc.c.Stop(ctx); err != nil {
				errs[i] = fmt.Errorf("emulatortest: stopping a client of hub %q within %v (is an event handler still running?): %w", sc.hub, ClientTimeout, err)
			}
		}()
	}
	wg.Wait()
	return errs
}

// fatalf reports a helper's failure: t.Fatalf for a Server from New, a panic
// for one from Start.
func (s *Server) fatalf(format string, args ...any) {
	if s.t == nil {
		panic(fmt.Sprintf(format, args...))
	}
	s.t.Helper()
	s.t.Fatalf(format, args...)
}

// errClosed is the error of a helper called after Close.
var errClosed = errors.New("the Server is closed: start clients before Close")
