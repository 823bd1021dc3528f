package interop

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	cliOnce sync.Once
	cliBin  string
	cliErr  error
	cliDir  string
)

// buildCLI builds cmd/webpubsub once per test binary.
func buildCLI(t *testing.T) string {
	t.Helper()
	cliOnce.Do(func() {
		cliDir, cliErr = os.MkdirTemp("", "webpubsub-interop-cli")
		if cliErr != nil {
			return
		}
		cliBin = filepath.Join(cliDir, "webpubsub")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", cliBin, "github.com/webpubsub-go/webpubsub/cmd/webpubsub").CombinedOutput()
		if err != nil {
			cliErr = err
			cliBin = string(out)
		}
	})
	require.NoError(t, cliErr, "building cmd/webpubsub: %s", cliBin)
	return cliBin
}

// startCLIEmulator runs `webpubsub emulator` with args on a free loopback
// port and returns its connection string (the first line of its stdout). It
// is interrupted when the test ends.
func startCLIEmulator(t *testing.T, args ...string) string {
	t.Helper()
	connStr, _ := startCLIEmulatorLogged(t, args...)
	return connStr
}

// startCLIEmulatorLogged is startCLIEmulator that also returns what the
// emulator writes to stderr (its log), as it is written.
func startCLIEmulatorLogged(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	bin := buildCLI(t)
	ctx, cancel := context.WithTimeout(context.Background(), scriptDeadline)
	cmd := exec.CommandContext(ctx, bin, append([]string{"emulator", "-addr", "127.0.0.1:0"}, args...)...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 10 * time.Second
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr := &syncBuffer{}
	cmd.Stderr = io.MultiWriter(&testWriter{t: t, prefix: "webpubsub emulator: "}, stderr)
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		for sc.Scan() {
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("the CLI emulator exited with %v after SIGINT", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("the CLI emulator did not exit within 15s of SIGINT")
		}
		cancel()
	})
	select {
	case line := <-lines:
		require.True(t, strings.HasPrefix(line, "Endpoint="), "first line of stdout is the connection string: %q", line)
		return line, stderr
	case err := <-exited:
		t.Fatalf("the CLI emulator exited before printing its connection string: %v", err)
	case <-time.After(waitLong):
		t.Fatal("the CLI emulator printed no connection string")
	}
	return "", stderr
}
