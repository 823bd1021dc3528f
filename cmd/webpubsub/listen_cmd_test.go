package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
)

// TestListenSaysAtOnceWhenTheConnectionDrops: listen reports a drop as it
// happens, then the recovery; a connection the service forgot is reported
// as lost with a short cause, then the new connection.
func TestListenSaysAtOnceWhenTheConnectionDrops(t *testing.T) {
	e, err := emulator.New(nil)
	require.NoError(t, err)
	closed := false
	t.Cleanup(func() {
		if !closed {
			require.NoError(t, e.Close())
		}
	})
	t.Setenv(envConnectionString, e.ConnectionString())
	l := runBackground(t, strings.NewReader(""), "listen", "-hub", "chat")
	connected := regexp.MustCompile(`connected to hub chat as connection (\S+);`)
	require.Eventually(t, func() bool { return connected.MatchString(l.stderr()) }, 10*time.Second, 10*time.Millisecond)
	id := connected.FindStringSubmatch(l.stderr())[1]

	require.True(t, e.DropConnection("chat", id))
	start := time.Now()
	require.Eventually(t, func() bool { return strings.Contains(l.stderr(), "connection "+id+" dropped; recovering it") }, 5*time.Second, 10*time.Millisecond, l.stderr())
	t.Logf("the drop was reported after %v", time.Since(start))
	require.Eventually(t, func() bool { return strings.Contains(l.stderr(), "recovered connection "+id+"; nothing was lost") }, 10*time.Second, 10*time.Millisecond, l.stderr())

	e.Reset() // the emulator forgets the connection: it cannot be recovered
	require.Eventually(t, func() bool { return strings.Contains(l.stderr(), "connected again to hub chat as a new connection") }, 20*time.Second, 10*time.Millisecond, l.stderr())
	var lost string
	for _, line := range strings.Split(l.stderr(), "\n") {
		if strings.Contains(line, " lost: ") {
			lost = line
		}
	}
	require.NotEmpty(t, lost)
	assert.Less(t, len(lost), 300, "a short cause: %s", lost)
	for _, noise := range []string{"client: ", "dial tcp", "ws://", "access_token"} {
		assert.NotContains(t, lost, noise)
	}

	// The emulator goes away: listen says so at once, not after 30 s.
	before := strings.Count(l.stderr(), "dropped; recovering it")
	require.NoError(t, e.Close())
	closed = true
	start = time.Now()
	require.Eventually(t, func() bool { return strings.Count(l.stderr(), "dropped; recovering it") > before }, 5*time.Second, 10*time.Millisecond, l.stderr())
	t.Logf("the emulator's end was reported after %v", time.Since(start))
	require.Eventually(t, func() bool {
		return strings.Contains(l.stderr(), "recovering failed: connection refused; trying again")
	}, 10*time.Second, 10*time.Millisecond, l.stderr())
	time.Sleep(1500 * time.Millisecond) // the client tries again every second
	assert.Equal(t, 1, strings.Count(l.stderr(), "recovering failed: connection refused"), "a cause is said once, not at every attempt")
	assert.Equal(t, exitOK, l.stop(t))
}
