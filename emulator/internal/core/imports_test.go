package core_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCoreKnowsNoWire keeps the core protocol-neutral: nothing it imports,
// directly or not, speaks a wire format or a transport.
func TestCoreKnowsNoWire(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/webpubsub-go/webpubsub/emulator/internal/core", "go list ran on the core")
	forbidden := []string{
		"encoding/json",
		"net",
		"net/http",
		"github.com/coder/websocket",
		"google.golang.org/protobuf",
		"github.com/webpubsub-go/webpubsub/internal/protocol",
		"github.com/webpubsub-go/webpubsub/internal/upstream",
		"github.com/webpubsub-go/webpubsub/emulator/trace",
	}
	for _, d := range deps {
		for _, f := range forbidden {
			assert.False(t, d == f || strings.HasPrefix(d, f+"/"), "the core depends on %s", d)
		}
	}
}
