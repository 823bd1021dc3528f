package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// background runs a command until the returned stop is called; stdout
// lines arrive on the channel and stderr is collected.
type background struct {
	lines  chan string
	errOut *syncBuffer
	cancel context.CancelFunc
	done   chan struct{} // closed when the command returned
	code   int
}

func runBackground(t *testing.T, stdin io.Reader, args ...string) *background {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	b := &background{lines: make(chan string, 100), errOut: &syncBuffer{}, cancel: cancel, done: make(chan struct{})}
	go func() {
		b.code = run(ctx, args, stdin, pw, b.errOut)
		pw.Close()
		close(b.done)
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			b.lines <- sc.Text()
		}
		close(b.lines)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-b.done:
		case <-time.After(10 * time.Second):
		}
	})
	return b
}

func (b *background) stderr() string {
	b.errOut.mu.Lock()
	defer b.errOut.mu.Unlock()
	return b.errOut.b.String()
}

func (b *background) line(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-b.lines:
		require.True(t, ok, "the command ended; stderr: %s", b.stderr())
		return l
	case <-time.After(10 * time.Second):
		t.Fatalf("no output line; stderr: %s", b.stderr())
		return ""
	}
}

// stop cancels the command (Ctrl+C) and returns its exit code.
func (b *background) stop(t *testing.T) int {
	t.Helper()
	b.cancel()
	select {
	case <-b.done:
		return b.code
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not stop after Ctrl+C")
		return -1
	}
}

func TestListenPrintsEachMessageUntilCtrlC(t *testing.T) {
	e := emulatortest.New(t, nil)
	t.Setenv(envConnectionString, e.ConnectionString())
	l := runBackground(t, strings.NewReader(""), "listen", "-hub", "chat", "-group", "lobby", "-user", "ann")
	require.Eventually(t, func() bool { return strings.Contains(l.stderr(), "connected to hub chat as connection") }, 10*time.Second, 10*time.Millisecond)
	assert.Contains(t, l.stderr(), "(user ann, in group lobby); press Ctrl+C to stop")

	svc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "chat", nil)
	require.NoError(t, err)
	ctx := t.Context()
	require.NoError(t, errOf(svc.NewGroupClient("lobby").SendToAll(ctx, webpubsub.TextMessage("to the lobby"), nil)))
	assert.Equal(t, "group lobby: to the lobby", l.line(t), "a REST send to a group is a group message, without a sender")
	require.NoError(t, errOf(svc.SendToUser(ctx, "ann", webpubsub.TextMessage("two\nlines"), nil)))
	assert.Equal(t, `server: two\nlines`, l.line(t), "one line per message")
	require.NoError(t, errOf(svc.SendToAll(ctx, webpubsub.JSONMessage(map[string]int{"n": 1}), nil)))
	assert.Equal(t, `server: {"n":1}`, l.line(t))
	require.NoError(t, errOf(svc.NewGroupClient("elsewhere").SendToAll(ctx, webpubsub.TextMessage("not for ann"), nil)))
	require.NoError(t, errOf(svc.SendToAll(ctx, webpubsub.BinaryMessage([]byte("bin")), nil)))
	assert.Equal(t, "server: (binary, base64) Ymlu", l.line(t), "a message of another group does not arrive")

	assert.Equal(t, exitOK, l.stop(t))
	assert.Contains(t, l.stderr(), "stopped")
}

func TestListenJSON(t *testing.T) {
	e := emulatortest.New(t, nil)
	t.Setenv(envConnectionString, e.ConnectionString())
	l := runBackground(t, strings.NewReader(""), "listen", "-hub", "chat", "-group", "g", "-json")
	require.Eventually(t, func() bool { return strings.Contains(l.stderr(), "connected") }, 10*time.Second, 10*time.Millisecond)

	// A group message from another client (sent with the JSON subprotocol).
	code, out, errOut := runCmd(t, "", "token", "-hub", "chat", "-user", "zed", "-role", "webpubsub.sendToGroup")
	require.Equal(t, exitOK, code, errOut)
	ws, _ := dialJSON(t, strings.TrimSpace(out))
	b, err := json.Marshal(map[string]any{"type": "sendToGroup", "group": "g", "dataType": "text", "data": "hi g"})
	require.NoError(t, err)
	require.NoError(t, ws.Write(t.Context(), 1, b))
	var got listenLine
	require.NoError(t, json.Unmarshal([]byte(l.line(t)), &got))
	assert.Equal(t, listenLine{Type: "group", Group: "g", FromUserID: "zed", DataType: "text", Data: "hi g"}, got)

	svc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "chat", nil)
	require.NoError(t, err)
	require.NoError(t, errOf(svc.NewGroupClient("g").SendToAll(t.Context(), webpubsub.TextMessage("from the service"), nil)))
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(l.line(t)), &raw))
	assert.Equal(t, map[string]any{"type": "group", "group": "g", "dataType": "text", "data": "from the service"}, raw, "a REST send to a group: a group message without fromUserId")
	require.NoError(t, errOf(svc.SendToAll(t.Context(), webpubsub.BinaryMessage([]byte{0, 1, 2}), nil)))
	raw = nil
	require.NoError(t, json.Unmarshal([]byte(l.line(t)), &raw))
	assert.Equal(t, map[string]any{"type": "server", "dataType": "binary", "data": "AAEC"}, raw)
	assert.Equal(t, exitOK, l.stop(t))
}

func TestSendFlagAfterTextIsAnError(t *testing.T) {
	e := emulatortest.New(t, nil)
	t.Setenv(envConnectionString, e.ConnectionString())
	code, out, errOut := runCmd(t, "", "send", "-hub", "chat", "hello", "-group", "lobby")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "-group comes after the message text: put flags before the text")
	for _, ev := range e.Trace().Snapshot().Events {
		assert.NotEqual(t, trace.KindMessage, ev.Kind, "nothing was sent")
	}

	// After "--" everything is text, even what starts with "-".
	code, out, errOut = runCmd(t, "", "token", "-hub", "chat")
	require.Equal(t, exitOK, code, errOut)
	ws, _ := dialJSON(t, strings.TrimSpace(out))
	code, out, errOut = runCmd(t, "", "send", "-hub", "chat", "--", "-5", "degrees")
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "accepted by the service for every connection of hub chat\n", out)
	assert.Equal(t, "-5 degrees", string(readMessage(t, ws).(protocol.ServerDataMessage).Data.Data))
}

func TestSendHelpSaysWhereTheMessageComesFrom(t *testing.T) {
	code, _, errOut := runCmd(t, "", "send", "-h")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, errOut, "The message is the arguments after the flags")
	assert.Contains(t, errOut, "read from -file or standard input")
	assert.Contains(t, errOut, "-connection-string")
}

func TestSendCtrlCWhileWaitingForStdin(t *testing.T) {
	e := emulatortest.New(t, nil)
	t.Setenv(envConnectionString, e.ConnectionString())
	pr, pw := io.Pipe() // a standard input that never ends, like a terminal
	defer pw.Close()
	s := runBackground(t, pr, "send", "-hub", "chat")
	start := time.Now()
	assert.Equal(t, exitInterrupted, s.stop(t))
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Contains(t, s.stderr(), "cancelled, nothing was sent")
}

// TestSendBinaryStopsOnCtrlC checks the real binary with a terminal as
// standard input: send says it waits for the message, and Ctrl+C (SIGINT)
// ends it at once with exit code 130.
func TestSendBinaryStopsOnCtrlC(t *testing.T) {
	master, tty, err := openPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal here (%v); TestSendCtrlCWhileWaitingForStdin covers the cancellation", err)
	}
	defer master.Close()
	defer tty.Close()
	e := emulatortest.New(t, nil)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRunMain+"=send -hub chat -connection-string "+e.ConnectionString())
	cmd.Stdin = tty
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	// The prompt comes after the signal handler is installed.
	prompt, err := bufio.NewReader(stderr).ReadString('\n')
	require.NoError(t, err)
	assert.Contains(t, prompt, "type the message, then Ctrl+D (Ctrl+C cancels)")
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-done:
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee)
		assert.Equal(t, exitInterrupted, ee.ExitCode())
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("send did not stop on Ctrl+C while waiting for the message on a terminal")
	}
}

func TestTokenWarnsOnUnknownRoles(t *testing.T) {
	e := emulatortest.New(t, nil)
	t.Setenv(envConnectionString, e.ConnectionString())
	code, out, errOut := runCmd(t, "", "token", "-hub", "chat",
		"-role", "webpubsub.joinLeaveGroup", "-role", "webpubsub.sendToGroup.lobby",
		"-role", "webpubsub.sendtogroup", "-role", "admin", "-role", "webpubsub.joinLeaveGroup.")
	require.Equal(t, exitOK, code, "a warning is not an error")
	assert.True(t, strings.HasPrefix(out, "ws://"))
	assert.Contains(t, errOut, `warning: "webpubsub.sendtogroup" is not a known role`)
	assert.Contains(t, errOut, `warning: "admin" is not a known role`)
	assert.Contains(t, errOut, `warning: "webpubsub.joinLeaveGroup." is not a known role`)
	assert.Equal(t, 3, strings.Count(errOut, "warning:"), "known roles, plain or scoped, get no warning: %s", errOut)
	assert.Contains(t, errOut, "webpubsub.joinLeaveGroup or webpubsub.sendToGroup, each optionally followed by .<group>")
}

func TestEmulatorPortInUseSuggestsAFreePort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	code, _, errOut := runCmd(t, "", "emulator", "-addr", ln.Addr().String())
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, "address already in use")
	assert.Contains(t, errOut, "-addr 127.0.0.1:0")
	assert.NotContains(t, errOut, "emulator: emulator:")
}

func TestKeylessConnectionStringSaysWhatToDo(t *testing.T) {
	keyless := "Endpoint=https://example.webpubsub.azure.com;AuthType=azure.msi;Version=1.0;"
	for _, args := range [][]string{
		{"token", "-hub", "h", "-connection-string", keyless},
		{"send", "-hub", "h", "-connection-string", keyless, "x"},
		{"listen", "-hub", "h", "-connection-string", keyless},
	} {
		code, _, errOut := runCmd(t, "", args...)
		assert.Equal(t, exitError, code, args)
		assert.Contains(t, errOut, "AuthType=azure.msi", args)
		assert.Contains(t, errOut, "NewServiceClient with a Microsoft Entra credential", args)
		assert.NotContains(t, errOut, "webpubsub: webpubsub:")
	}
}

func TestRefusedConnectionFailsFastWithAHint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	cs := "Endpoint=http://" + addr + ";AccessKey=a2V5;Version=1.0;"
	for _, args := range [][]string{
		{"send", "-hub", "h", "-connection-string", cs, "hello"},
		{"listen", "-hub", "h", "-connection-string", cs},
		{"demo", "-connection-string", cs},
	} {
		start := time.Now()
		code, _, errOut := runCmd(t, "", args...)
		took := time.Since(start)
		assert.Equal(t, exitError, code, args)
		assert.Less(t, took, 3*time.Second, "%v took %v", args, took)
		assert.Contains(t, errOut, "cannot reach http://"+addr, args)
		assert.Contains(t, errOut, "is the emulator running (webpubsub emulator)?", args)
		assert.NotContains(t, errOut, "webpubsub: webpubsub:")
	}
}

func TestErrorsHaveOnePrefix(t *testing.T) {
	e := emulatortest.New(t, nil)
	for _, args := range [][]string{
		{"token", "-hub", "h", "-connection-string", "garbage"},
		{"send", "-hub", "h", "-connection", "no-such", "-connection-string", "Endpoint=http://" + strings.TrimPrefix(e.URL(), "http://") + ";AccessKey=d3Jvbmc=;Version=1.0;", "x"},
	} {
		code, _, errOut := runCmd(t, "", args...)
		assert.Equal(t, exitError, code, args)
		assert.True(t, strings.HasPrefix(errOut, "webpubsub "+args[0]+": "), errOut)
		for _, doubled := range []string{"webpubsub: webpubsub:", ": webpubsub: ", ": client: "} {
			assert.NotContains(t, errOut, doubled)
		}
	}
}

func TestEmulatorCommandPointsAtTheLiveTrace(t *testing.T) {
	em := runBackground(t, strings.NewReader(""), "emulator", "-addr", "127.0.0.1:0")
	cs, err := webpubsub.ParseConnectionString(em.line(t))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return strings.Contains(em.stderr(), "with the connection string)") }, 10*time.Second, 10*time.Millisecond)
	link := signInLink(t, em.stderr())
	assert.True(t, strings.HasPrefix(link, cs.Endpoint+"/#code="), link)
	assert.Contains(t, em.stderr(), "sign in at "+cs.Endpoint+"/ with the connection string")
	assert.Equal(t, http.StatusNoContent, redeem(t, cs.Endpoint, link), "the printed link signs in")
	assert.NotContains(t, em.stderr(), cs.AccessKey, "the key is printed once, on stdout")
	resp, err := http.Get(cs.Endpoint + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "live trace")
	assert.Equal(t, exitOK, em.stop(t))
}

// TestEmulatorCommandAcceptsTokensForItsHostNames: with -hostname, a client
// token minted for that name opens a WebSocket sent to that name; a token
// for a name not listed is refused.
func TestEmulatorCommandAcceptsTokensForItsHostNames(t *testing.T) {
	em := runBackground(t, strings.NewReader(""), "emulator", "-addr", "127.0.0.1:0", "-hostname", "emulator", "-hostname", "gw.internal:9000")
	cs, err := webpubsub.ParseConnectionString(em.line(t))
	require.NoError(t, err)
	port := cs.Endpoint[strings.LastIndexByte(cs.Endpoint, ':')+1:]
	wsURL := "ws" + strings.TrimPrefix(cs.Endpoint, "http") + "/client/hubs/chat?access_token="
	for _, tc := range []struct {
		host string
		ok   bool
	}{{"emulator:" + port, true}, {"gw.internal:9000", true}, {"other:" + port, false}} {
		sc, err := webpubsub.NewServiceClientFromConnectionString("Endpoint=http://"+tc.host+";AccessKey="+cs.AccessKey+";Version=1.0;", "chat", nil)
		require.NoError(t, err)
		tok, err := sc.GetClientAccessToken(t.Context(), nil)
		require.NoError(t, err)
		conn, resp, err := websocket.Dial(t.Context(), wsURL+tok.Token, &websocket.DialOptions{Host: tc.host})
		if tc.ok {
			require.NoError(t, err, tc.host)
			conn.CloseNow()
			continue
		}
		require.Error(t, err, tc.host)
		require.NotNil(t, resp, tc.host)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, tc.host)
	}
	assert.Equal(t, exitOK, em.stop(t))
}
