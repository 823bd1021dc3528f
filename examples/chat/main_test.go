package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves goroutines behind: the emulator, the
// chat server, WebSocket clients and the browser are all shut down.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
