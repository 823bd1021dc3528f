package observe

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestClipLoggerCutsWhatClientsChoose: every kind of value a client can
// put in a log line (a string, an error, a Stringer, a list, a group, a
// logger's own attributes) is cut to MaxLogValue; numbers pass untouched.
func TestClipLoggerCutsWhatClientsChoose(t *testing.T) {
	var out bytes.Buffer
	log := ClipLogger(slog.New(slog.NewTextHandler(&out, nil)))
	huge := strings.Repeat("é", 1<<19) // 1 MiB of two-byte characters
	log.With("hub", huge).WithGroup("g").Warn("refused "+huge,
		"path", huge, "err", errors.New(huge), "list", []string{huge, huge},
		slog.Group("inner", "id", huge), "status", 401, huge, "key")
	line := out.String()
	t.Logf("a line with eight values of 1 MiB is %d bytes", len(line))
	assert.Less(t, len(line), 8*MaxLogValue+MaxLogMessage+512)
	assert.Contains(t, line, "status=401")
	assert.Equal(t, 1, strings.Count(line, "\n"), "one line")
	assert.NotContains(t, line, "\ufffd", "cut at character boundaries")
	assert.Equal(t, 7, strings.Count(line, "…"), "every long value is marked as cut")

	out.Reset()
	log.Info("short", "path", "/api/hubs/chat", "err", errors.New("boom"))
	assert.Contains(t, out.String(), `msg=short path=/api/hubs/chat err=boom`, "short values are kept whole")
	assert.Nil(t, ClipLogger(nil))
}
