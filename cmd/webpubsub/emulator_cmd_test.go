package main

import (
	"encoding/base64"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// TestEmulatorKeyIsStableUnlessAskedOtherwise: the binary's connection
// string carries the well-known development key run after run (it says
// so), -random-key gives a new key each time, and an address beyond this
// machine needs a key.
func TestEmulatorKeyIsStableUnlessAskedOtherwise(t *testing.T) {
	keyOf := func(args ...string) (string, string) {
		p := startBinary(t, nil, append([]string{"emulator", "-addr", "127.0.0.1:0"}, args...)...)
		cs, err := webpubsub.ParseConnectionString(p.line(t))
		require.NoError(t, err)
		svc, err := webpubsub.NewServiceClientFromConnectionString("Endpoint="+cs.Endpoint+";AccessKey="+cs.AccessKey+";Version=1.0;", "chat", nil)
		require.NoError(t, err)
		require.NoError(t, errOf(svc.SendToAll(t.Context(), webpubsub.TextMessage("x"), nil)), "the printed key signs requests")
		require.Eventually(t, func() bool { return strings.Contains(p.stderr(), "live trace") }, 10*time.Second, 10*time.Millisecond)
		return cs.AccessKey, p.stderr()
	}
	first, stderr := keyOf()
	assert.Equal(t, emulator.DevAccessKey, first)
	assert.Contains(t, stderr, "the access key is the well-known development key")
	assert.Contains(t, stderr, "stays the same across restarts")
	again, _ := keyOf()
	assert.Equal(t, first, again, "a restart keeps the connection string")

	r1, stderr := keyOf("-random-key")
	r2, _ := keyOf("-random-key")
	assert.NotEqual(t, emulator.DevAccessKey, r1)
	assert.NotEqual(t, r1, r2)
	raw, err := base64.StdEncoding.DecodeString(r1)
	require.NoError(t, err)
	assert.Len(t, raw, 32)
	assert.NotContains(t, stderr, "well-known development key")

	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:8080"} {
		code, _, errOut := runBinary(t, nil, nil, "emulator", "-addr", addr)
		assert.Equal(t, exitUsage, code, addr)
		assert.Contains(t, errOut, "-addr "+addr+" listens beyond this machine, and the default key is public", addr)
		assert.Contains(t, errOut, "-key <base64> or -random-key", addr)
	}
}

// TestEmulatorAddrAcceptsABarePort: -addr 8081 means 127.0.0.1:8081.
func TestEmulatorAddrAcceptsABarePort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	require.NoError(t, ln.Close())
	p := startBinary(t, nil, "emulator", "-addr", port)
	cs, err := webpubsub.ParseConnectionString(p.line(t))
	require.NoError(t, err, p.stderr())
	assert.Equal(t, "http://127.0.0.1:"+port, cs.Endpoint)
}

// TestEmulatorPrintsANewSignInLinkOnEnter runs the binary with a terminal
// as standard input: it prints a sign-in link that works once, and pressing
// Enter prints a new one.
func TestEmulatorPrintsANewSignInLinkOnEnter(t *testing.T) {
	master, tty, err := openPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal here (%v); TestEmulatorCommandPointsAtTheLiveTrace covers the first link", err)
	}
	defer master.Close()
	defer tty.Close()
	p := startBinary(t, tty, "emulator", "-addr", "127.0.0.1:0")
	cs, err := webpubsub.ParseConnectionString(p.line(t))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(signInLinks(p.stderr())) == 1 }, 10*time.Second, 10*time.Millisecond)
	assert.Contains(t, p.stderr(), "press Enter here for a new one")
	first := signInLink(t, p.stderr())

	_, err = master.Write([]byte("\n"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(signInLinks(p.stderr())) == 2 }, 10*time.Second, 10*time.Millisecond, p.stderr())
	second := signInLink(t, p.stderr())
	assert.NotEqual(t, first, second)

	assert.Equal(t, http.StatusNoContent, redeem(t, cs.Endpoint, first))
	assert.Equal(t, http.StatusUnauthorized, redeem(t, cs.Endpoint, first), "a link works once")
	assert.Equal(t, http.StatusNoContent, redeem(t, cs.Endpoint, second))
}
