package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// envRunMain makes the test binary run main() instead of the tests (see
// TestBinaryStopsOnSignals); envRunArgs does the same with the arguments
// as a JSON array, for arguments with spaces (see runBinary).
const (
	envRunMain = "WEBPUBSUB_CLI_TEST_RUN_MAIN"
	envRunArgs = "WEBPUBSUB_CLI_TEST_RUN_ARGS"
)

func TestMain(m *testing.M) {
	if v := os.Getenv(envRunArgs); v != "" {
		var args []string
		if err := json.Unmarshal([]byte(v), &args); err != nil {
			panic(err)
		}
		os.Args = append([]string{"webpubsub"}, args...)
		main()
		return
	}
	if os.Getenv(envRunMain) != "" {
		os.Args = append([]string{"webpubsub"}, strings.Fields(os.Getenv(envRunMain))...)
		main()
		return
	}
	goleak.VerifyTestMain(m)
}

// runCmd runs the command line and returns the exit code, stdout and stderr.
func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// dialJSON connects to u with the JSON subprotocol and returns the
// connection and its connected message.
func dialJSON(t *testing.T, u string) (*websocket.Conn, protocol.ConnectedMessage) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: []string{protocol.JSON}})
	require.NoError(t, err)
	t.Cleanup(func() { ws.CloseNow() })
	return ws, readMessage(t, ws).(protocol.ConnectedMessage)
}

func readMessage(t *testing.T, ws *websocket.Conn) protocol.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, b, err := ws.Read(ctx)
	require.NoError(t, err)
	m, err := protocol.Decode(b)
	require.NoError(t, err)
	return m
}

func TestDemoShowsRecoveryAndEventHandler(t *testing.T) {
	t.Setenv(envConnectionString, "")
	start := time.Now()
	code, out, errOut := runCmd(t, "", "demo")
	took := time.Since(start)
	require.Equal(t, exitOK, code, errOut)
	t.Logf("demo took %v:\n%s", took, out)
	assert.Less(t, took, 5*time.Second, "the demo stays under 5 s")
	assert.Contains(t, out, "started an in-process emulator")
	assert.Contains(t, out, "after message 50 the emulator cut alice's network connection; bob keeps sending")
	assert.Regexp(t, `alice's client recovered connection \S+ in [1-9]\d*(\.\d+)?(ms|µs|s)`, out)
	assert.Contains(t, out, "alice received 100 of 100 messages: 0 lost, 0 repeated, in order: true")
	assert.Contains(t, out, `alice sent the user event "greet"; the event handler answered: Hello alice, the event handler got "hi"`)
	assert.Regexp(t, `done in \d+\.\d\ds`, out)
	// The events come in the order the demo tells them.
	assert.Less(t, strings.Index(out, "cut alice's"), strings.Index(out, "recovered connection"))
	assert.Less(t, strings.Index(out, "recovered connection"), strings.Index(out, "user event"))
}

func TestDemoAgainstConnectionStringFromEnvironment(t *testing.T) {
	e := emulatortest.New(t, nil)
	t.Setenv(envConnectionString, e.ConnectionString())
	code, out, errOut := runCmd(t, "", "demo", "-hub", "envhub", "-messages", "20")
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, out, "started an in-process emulator")
	assert.Contains(t, out, "no forced drop: it needs the in-process emulator")
	assert.Contains(t, out, "alice received 20 of 20 messages: 0 lost, 0 repeated, in order: true")
	assert.Contains(t, out, "no user event")
}

// syncBuffer is a goroutine-safe writer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// runEmulatorCmd runs "webpubsub emulator args..." in the background and
// returns the first line of its stdout. stop cancels the command and requires
// it to exit with 0 soon.
func runEmulatorCmd(t *testing.T, args ...string) (firstLine string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	var errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"emulator"}, args...), strings.NewReader(""), pw, &errOut)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	go io.Copy(io.Discard, pr) //nolint:errcheck // drain the rest
	return strings.TrimSpace(line), func() {
		t.Helper()
		cancel()
		select {
		case code := <-done:
			assert.Equal(t, exitOK, code, errOut.b.String())
		case <-time.After(10 * time.Second):
			t.Fatal("the emulator did not stop after cancellation")
		}
	}
}

func TestEmulatorCommandPrintsConnectionStringFirst(t *testing.T) {
	line, stop := runEmulatorCmd(t, "-addr", "127.0.0.1:0", "-key", "dGVzdC1rZXk=")
	cs, err := webpubsub.ParseConnectionString(line)
	require.NoError(t, err, line)
	assert.Equal(t, "dGVzdC1rZXk=", cs.AccessKey)
	assert.True(t, strings.HasPrefix(cs.Endpoint, "http://127.0.0.1:"), cs.Endpoint)

	svc, err := webpubsub.NewServiceClientFromConnectionString(line, "hub1", nil)
	require.NoError(t, err)
	require.NoError(t, errOf(svc.HealthCheck(t.Context(), nil)))
	require.NoError(t, errOf(svc.SendToAll(t.Context(), webpubsub.TextMessage("x"), nil)), "the printed key signs requests")
	stop()
}

func TestTokenPrintsURLTheEmulatorAccepts(t *testing.T) {
	e := emulatortest.New(t, nil)
	code, out, errOut := runCmd(t, "", "token", "-connection-string", e.ConnectionString(), "-hub", "chat",
		"-user", "carol", "-role", "webpubsub.joinLeaveGroup", "-role", "webpubsub.sendToGroup", "-group", "g1", "-expires", "5m")
	require.Equal(t, exitOK, code, errOut)
	u := strings.TrimSpace(out)
	assert.True(t, strings.HasPrefix(u, "ws://127.0.0.1:"), u)
	ws, cm := dialJSON(t, u)
	assert.Equal(t, "carol", cm.UserID)
	svc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "chat", nil)
	require.NoError(t, err)
	require.NoError(t, errOf(svc.NewGroupClient("g1").SendToAll(t.Context(), webpubsub.TextMessage("in g1"), nil)))
	m := readMessage(t, ws).(protocol.GroupDataMessage)
	assert.Equal(t, "g1", m.Group)
	assert.Equal(t, "in g1", string(m.Data.Data), "the -group flag joined g1 on connect")
}

func TestSendReachesConnectedClient(t *testing.T) {
	e := emulatortest.New(t, nil)
	t.Setenv(envConnectionString, e.ConnectionString())
	code, out, errOut := runCmd(t, "", "token", "-hub", "chat", "-user", "dave", "-group", "room")
	require.Equal(t, exitOK, code, errOut)
	ws, cm := dialJSON(t, strings.TrimSpace(out))

	cases := []struct {
		stdin string
		args  []string
		want  string
		group string // the group it arrives as a message of; "" for the server
	}{
		{"", []string{"send", "-hub", "chat", "hello", "world"}, "hello world", ""},
		{"", []string{"send", "-hub", "chat", "-user", "dave", "to dave"}, "to dave", ""},
		{"", []string{"send", "-hub", "chat", "-connection", cm.ConnectionID, "to the connection"}, "to the connection", ""},
		{"from stdin\n", []string{"send", "-hub", "chat", "-group", "room"}, "from stdin", "room"},
	}
	for _, tc := range cases {
		code, _, errOut := runCmd(t, tc.stdin, tc.args...)
		require.Equal(t, exitOK, code, errOut)
		var data protocol.Payload
		switch m := readMessage(t, ws).(type) {
		case protocol.ServerDataMessage:
			assert.Empty(t, tc.group, "a server message")
			data = m.Data
		case protocol.GroupDataMessage:
			assert.Equal(t, tc.group, m.Group, "a REST send to a group is a group message")
			data = m.Data
		default:
			require.Failf(t, "want a data message", "got %#v", m)
		}
		assert.Equal(t, protocol.DataTypeText, data.Type)
		assert.Equal(t, tc.want, string(data.Data))
	}
}

func TestUsageErrors(t *testing.T) {
	t.Setenv(envConnectionString, "")
	cs := "Endpoint=http://127.0.0.1:1;AccessKey=k;Version=1.0;"
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "usage"},
		{"unknown command", []string{"launch"}, "unknown command"},
		{"bad flag", []string{"emulator", "-nope"}, "flag provided but not defined"},
		{"emulator key not base64", []string{"emulator", "-key", "not;base64"}, "-key must be a base64 string"},
		{"emulator key twice", []string{"emulator", "-key", "a2V5", "-random-key"}, "use -key or -random-key, not both"},
		{"send invalid hub", []string{"send", "-hub", "1bad", "-connection-string", cs, "x"}, "invalid hub name"},
		{"send invalid group", []string{"send", "-hub", "h", "-group", " ", "-connection-string", cs, "x"}, "invalid group name"},
		{"listen invalid hub", []string{"listen", "-hub", "1bad", "-connection-string", cs}, "invalid hub name"},
		{"token invalid group", []string{"token", "-hub", "h", "-group", "a\nb", "-connection-string", cs}, "invalid group name"},
		{"send json and binary", []string{"send", "-hub", "h", "-json", "-binary", "-connection-string", cs, "x"}, "-json or -binary, not both"},
		{"send file and text", []string{"send", "-hub", "h", "-file", "f", "-connection-string", cs, "x"}, "not both"},
		{"emulator args", []string{"emulator", "extra"}, "unexpected arguments"},
		{"token without hub", []string{"token", "-connection-string", cs}, "-hub is required"},
		{"token without connection string", []string{"token", "-hub", "h"}, envConnectionString},
		{"token bad expiry", []string{"token", "-hub", "h", "-expires", "-1m", "-connection-string", cs}, "-expires"},
		{"send two targets", []string{"send", "-hub", "h", "-user", "u", "-group", "g", "-connection-string", cs, "x"}, "at most one"},
		{"send no message", []string{"send", "-hub", "h", "-connection-string", cs}, "no message"},
		{"demo args", []string{"demo", "x"}, "unexpected arguments"},
		{"demo too few messages", []string{"demo", "-messages", "1"}, "-messages"},
		{"listen without hub", []string{"listen", "-connection-string", cs}, "-hub is required"},
		{"listen args", []string{"listen", "-hub", "h", "-connection-string", cs, "extra"}, "unexpected arguments"},
		{"listen without connection string", []string{"listen", "-hub", "h"}, envConnectionString},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, "", tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, errOut, tc.want)
		})
	}
	code, out, _ := runCmd(t, "", "help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "emulator")
}

func TestRuntimeErrorsExitOne(t *testing.T) {
	for _, bad := range []string{
		"garbage;AccessKey=secret-key-in-cs",
		"Endpoint=ftp://example.com;AccessKey=secret-key-in-cs;Version=1.0;",
		"AccessKey=secret-key-in-cs;Version=1.0;",
	} {
		code, _, errOut := runCmd(t, "", "token", "-hub", "h", "-connection-string", bad)
		assert.Equal(t, exitError, code, bad)
		assert.Contains(t, errOut, "webpubsub token:", bad)
		assert.NotContains(t, errOut, "secret-key-in-cs", "errors never show the access key")
	}

	code, _, errOut := runCmd(t, "", "emulator", "-addr", "256.0.0.1:0")
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, "listening")
}

func TestBinaryStopsOnSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) { testStopsOn(t, sig) })
	}
}

func testStopsOn(t *testing.T, sig syscall.Signal) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRunMain+"=emulator -addr 127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var errOut syncBuffer
	cmd.Stderr = &errOut
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	svc, err := webpubsub.NewServiceClientFromConnectionString(strings.TrimSpace(line), "hub1", nil)
	require.NoError(t, err)
	require.NoError(t, errOf(svc.HealthCheck(t.Context(), nil)))

	require.NoError(t, cmd.Process.Signal(sig))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "exit code 0 after the signal")
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("the emulator did not stop on the signal")
	}
	errOut.mu.Lock()
	defer errOut.mu.Unlock()
	assert.Contains(t, errOut.b.String(), "stopped")
}

// errOf returns the error of an SDK operation, dropping its response.
func errOf[T any](_ T, err error) error { return err }
