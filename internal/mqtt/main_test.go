package mqtt

import (
	"testing"

	"go.uber.org/goleak"
)

// The mqtt.js tests start a WebSocket server and node processes: every
// goroutine they start must end with the test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
