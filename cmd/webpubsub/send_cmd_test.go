package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// TestSendSaysWhatToCheckForCommonRefusals: the service's common answers
// become one line that says what to check, with the service's message,
// instead of azcore's multi-line dump.
func TestSendSaysWhatToCheckForCommonRefusals(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
		want   string
	}{
		{http.StatusUnauthorized, "Error.Unauthorized", "the access key was refused: check that AccessKey in the connection string is the current key"},
		{http.StatusForbidden, "Error.Forbidden", "the request is not allowed: check that the key or identity has the Web PubSub Service Owner role"},
		{http.StatusNotFound, "Error.NotFound", "not found: check the Endpoint of the connection string and the hub name"},
		{http.StatusTooManyRequests, "Error.TooManyRequests", "the service is throttling requests: wait a little and try again"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("x-ms-error-code", tc.code)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("retry-after-ms", "1") // the SDK retries 429 at once
			w.WriteHeader(tc.status)
			_, _ = w.Write([]byte(`{"code": "` + tc.code + `", "message": "the service's own words\nover two lines"}`))
		}))
		cs := "Endpoint=" + srv.URL + ";AccessKey=d3Jvbmcta2V5;Version=1.0;"
		code, out, errOut := runBinary(t, nil, nil, "send", "-hub", "chat", "-connection-string", cs, "hello")
		srv.Close()
		assert.Equal(t, exitError, code, tc.status)
		assert.Empty(t, out)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
		assert.True(t, strings.HasPrefix(errOut, "webpubsub send: "+tc.want), errOut)
		assert.Contains(t, errOut, tc.code)
		assert.Contains(t, errOut, "the service said: the service's own words; over two lines")
		for _, dump := range []string{"RESPONSE", "ERROR CODE", "-----", "POST http"} {
			assert.NotContains(t, errOut, dump)
		}
	}

	// The same against the emulator, with the key of another emulator.
	e := emulatortest.New(t, nil)
	wrong := "Endpoint=" + e.URL() + ";AccessKey=d3Jvbmcta2V5;Version=1.0;"
	code, _, errOut := runBinary(t, nil, nil, "send", "-hub", "chat", "-connection-string", wrong, "hello")
	assert.Equal(t, exitError, code)
	assert.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	assert.Contains(t, errOut, "the access key was refused")
	assert.Contains(t, errOut, "(HTTP 401 Error.Unauthorized)")
}

// TestSendTakesWhatUsersPaste: a connection string with its quotes (from
// a .env file or a shell), in the flag or the environment.
func TestSendTakesWhatUsersPaste(t *testing.T) {
	e := emulatortest.New(t, nil)
	ws, _ := dialJSON(t, tokenURL(t, e.ConnectionString(), "chat"))
	for i, env := range [][]string{
		{envConnectionString + `="` + e.ConnectionString() + `"`},
		{envConnectionString + `='` + e.ConnectionString() + `' `},
	} {
		code, out, errOut := runBinary(t, nil, env, "send", "-hub", "chat", "pasted", string(rune('a'+i)))
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, out, "accepted by the service")
		assert.Equal(t, "pasted "+string(rune('a'+i)), string(readMessage(t, ws).(protocol.ServerDataMessage).Data.Data))
	}
	code, _, errOut := runBinary(t, nil, nil, "send", "-hub", "chat", "-connection-string", `"`+e.ConnectionString()+`"`, "flag")
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "flag", string(readMessage(t, ws).(protocol.ServerDataMessage).Data.Data))
}

// TestSendFlagsAfterTheTextGetTheSameHint: "send hello -hub chat" says
// where -hub belongs, as for -group, instead of "-hub is required".
func TestSendFlagsAfterTheTextGetTheSameHint(t *testing.T) {
	for _, args := range [][]string{
		{"send", "hello", "-hub", "chat"},
		{"send", "-hub", "chat", "hello", "-group", "lobby"},
	} {
		code, _, errOut := runBinary(t, nil, nil, args...)
		assert.Equal(t, exitUsage, code, args)
		assert.Contains(t, errOut, args[len(args)-2]+" comes after the message text: put flags before the text", args)
		assert.NotContains(t, errOut, "is required")
	}
}

// TestSendJSONAndBinary: -json sends checked JSON, -binary sends bytes from
// a file or standard input as they are.
func TestSendJSONAndBinary(t *testing.T) {
	e := emulatortest.New(t, nil)
	ws, _ := dialJSON(t, tokenURL(t, e.ConnectionString(), "chat"))
	env := []string{envConnectionString + "=" + e.ConnectionString()}

	code, _, errOut := runBinary(t, nil, env, "send", "-hub", "chat", "-json", `{"text": "hello", "n": 1}`)
	require.Equal(t, exitOK, code, errOut)
	m := readMessage(t, ws).(protocol.ServerDataMessage)
	assert.Equal(t, protocol.DataTypeJSON, m.Data.Type)
	assert.JSONEq(t, `{"text": "hello", "n": 1}`, string(m.Data.Data))

	code, _, errOut = runBinary(t, nil, env, "send", "-hub", "chat", "-json", `{"text": hello}`)
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, "the message is not valid JSON")
	assert.Contains(t, errOut, "drop -json to send it as text")

	bin := []byte{0, 1, 2, 0xff, '\n'}
	path := filepath.Join(t.TempDir(), "msg.bin")
	require.NoError(t, os.WriteFile(path, bin, 0o600))
	code, _, errOut = runBinary(t, nil, env, "send", "-hub", "chat", "-binary", "-file", path)
	require.Equal(t, exitOK, code, errOut)
	m = readMessage(t, ws).(protocol.ServerDataMessage)
	assert.Equal(t, protocol.DataTypeBinary, m.Data.Type)
	assert.Equal(t, bin, m.Data.Data, "byte for byte, the final newline too")

	code, _, errOut = runBinary(t, bytes.NewReader(bin), env, "send", "-hub", "chat", "-binary")
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, bin, readMessage(t, ws).(protocol.ServerDataMessage).Data.Data, "from standard input")

	code, _, errOut = runBinary(t, bytes.NewReader(bin), env, "send", "-hub", "chat")
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, "not UTF-8 text: use -binary")

	code, _, errOut = runBinary(t, strings.NewReader("typed text\n"), env, "send", "-hub", "chat", "-file", "-")
	require.Equal(t, exitOK, code, errOut)
	m = readMessage(t, ws).(protocol.ServerDataMessage)
	assert.Equal(t, protocol.DataTypeText, m.Data.Type)
	assert.Equal(t, "typed text", string(m.Data.Data))
}

// TestSendToNobodySaysSo: a send to a group, user or connection that has
// no connection exits 0, as the service accepts it, and says nobody got it.
func TestSendToNobodySaysSo(t *testing.T) {
	e := emulatortest.New(t, nil)
	env := []string{envConnectionString + "=" + e.ConnectionString()}
	_, cm := dialJSON(t, tokenURL(t, e.ConnectionString(), "chat", "-user", "ann", "-group", "room"))
	for _, tc := range []struct {
		args []string
		note string
	}{
		{[]string{"-group", "empty"}, "group empty has no connection right now (0 recipients)"},
		{[]string{"-user", "nobody"}, "user nobody has no connection right now (0 recipients)"},
		{[]string{"-connection", "no-such-id"}, "connection no-such-id does not exist right now (0 recipients)"},
		{[]string{"-group", "room"}, ""},
		{[]string{"-user", "ann"}, ""},
		{[]string{"-connection", cm.ConnectionID}, ""},
	} {
		code, out, errOut := runBinary(t, nil, env, append(append([]string{"send", "-hub", "chat"}, tc.args...), "hi")...)
		assert.Equal(t, exitOK, code, tc.args)
		assert.True(t, strings.HasPrefix(out, "accepted by the service for "), out)
		if tc.note == "" {
			assert.NotContains(t, errOut, "note:", tc.args)
			continue
		}
		assert.Contains(t, errOut, "webpubsub send: note: "+tc.note, tc.args)
		assert.Contains(t, errOut, "so nobody received the message")
	}
}

// tokenURL runs "webpubsub token" for hub with extra flags and returns the URL.
func tokenURL(t *testing.T, cs, hub string, flags ...string) string {
	t.Helper()
	code, out, errOut := runCmd(t, "", append([]string{"token", "-connection-string", cs, "-hub", hub}, flags...)...)
	require.Equal(t, exitOK, code, errOut)
	return strings.TrimSpace(out)
}
