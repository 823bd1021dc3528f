package emulator_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// logBuffer collects an emulator's log lines for a test.
type logBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	notify chan struct{}
}

// newLog returns a logger at level writing to a logBuffer.
func newLog(level slog.Level) (*slog.Logger, *logBuffer) {
	b := &logBuffer{notify: make(chan struct{}, 1)}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: level})), b
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case b.notify <- struct{}{}:
	default:
	}
	return b.buf.Write(p)
}

// String returns everything logged so far.
func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until a logged line contains every one of parts and returns it.
func (b *logBuffer) waitFor(t testing.TB, parts ...string) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		for _, line := range strings.Split(b.String(), "\n") {
			ok := line != ""
			for _, p := range parts {
				ok = ok && strings.Contains(line, p)
			}
			if ok {
				return line
			}
		}
		select {
		case <-b.notify:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			require.FailNow(t, "log line not found", "want a line with %q in:\n%s", parts, b.String())
		}
	}
}
