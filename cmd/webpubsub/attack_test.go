package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
)

// TestEmulatorStderrStaysShortUnderAttack: unauthenticated REST calls with
// long paths each log one short warning line on the emulator's stderr
// (issue 21 item 1: 1,000 calls with 1 MB paths wrote 950 MB of warnings).
// 20 of the paths are 1 MB long, 180 are 64 KiB.
func TestEmulatorStderrStaysShortUnderAttack(t *testing.T) {
	p := startBinary(t, nil, "emulator", "-addr", "127.0.0.1:0")
	cs, err := webpubsub.ParseConnectionString(p.line(t))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return strings.Contains(p.stderr(), "live trace") }, 10*time.Second, 10*time.Millisecond)
	base := len(p.stderr())
	const calls = 200
	for i := 0; i < calls; i++ {
		long := strings.Repeat("x", 64<<10)
		if i%10 == 0 {
			long = strings.Repeat("x", 1<<20-8<<10)
		}
		resp, err := http.Get(fmt.Sprintf("%s/api/hubs/h%d%s/:send", cs.Endpoint, i, long))
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
	require.Eventually(t, func() bool { return strings.Count(p.stderr(), "REST call refused") == calls }, 30*time.Second, 10*time.Millisecond, "one warning per refused call")
	written := len(p.stderr()) - base
	t.Logf("%d refused calls wrote %d bytes to stderr", calls, written)
	assert.Less(t, written, calls*1024, "the warnings carry whole paths")
}
