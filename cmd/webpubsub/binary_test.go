package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// runBinary runs the command line as a user does: in a child process (the
// test binary running main), with stdin and the environment plus env, and
// returns its exit code, stdout and stderr. It fails the test after a minute.
func runBinary(t *testing.T, stdin io.Reader, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := binaryCommand(t, env, args...)
	cmd.Stdin = stdin
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%v did not end within a minute; stderr: %s", args, errOut.String())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String(), errOut.String()
	}
	require.NoError(t, err)
	return 0, out.String(), errOut.String()
}

// binaryCommand returns the command that runs main with args.
func binaryCommand(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	b, err := json.Marshal(args)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), envRunArgs+"="+string(b), envConnectionString+"="), env...)
	return cmd
}

// liveProcess is a command running in a child process, like an emulator in
// a terminal of its own.
type liveProcess struct {
	cmd    *exec.Cmd
	out    *bufio.Reader
	errOut *syncBuffer
	done   chan error
}

// startBinary starts the command line in a child process with stdin; the
// process is interrupted (SIGINT) when the test ends.
func startBinary(t *testing.T, stdin *os.File, args ...string) *liveProcess {
	t.Helper()
	cmd := binaryCommand(t, nil, args...)
	cmd.Stdin = stdin
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	p := &liveProcess{cmd: cmd, out: bufio.NewReader(stdout), errOut: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.errOut
	require.NoError(t, cmd.Start())
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// line returns the next line of stdout.
func (p *liveProcess) line(t *testing.T) string {
	t.Helper()
	l, err := p.out.ReadString('\n')
	require.NoError(t, err, "stderr: %s", p.stderr())
	return strings.TrimSpace(l)
}

func (p *liveProcess) stderr() string {
	p.errOut.mu.Lock()
	defer p.errOut.mu.Unlock()
	return p.errOut.b.String()
}

// linkPattern matches the sign-in links the emulator command prints.
var linkPattern = regexp.MustCompile(`live trace, signed in: (\S+)`)

// signInLink returns the last sign-in link in the emulator's stderr.
func signInLink(t *testing.T, stderr string) string {
	t.Helper()
	m := linkPattern.FindAllStringSubmatch(stderr, -1)
	require.NotEmpty(t, m, "no sign-in link in: %s", stderr)
	return m[len(m)-1][1]
}

// signInLinks returns every sign-in link in the emulator's stderr.
func signInLinks(stderr string) []string {
	var links []string
	for _, m := range linkPattern.FindAllStringSubmatch(stderr, -1) {
		links = append(links, m[1])
	}
	return links
}

// redeem does what the page does with a sign-in link: it posts the code
// to the emulator from the page's origin, and returns the status.
func redeem(t *testing.T, endpoint, link string) int {
	t.Helper()
	_, code, ok := strings.Cut(link, "#code=")
	require.True(t, ok, link)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint+"/trace/signin", strings.NewReader(code))
	require.NoError(t, err)
	req.Header.Set("Origin", endpoint)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}
