package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/webpubsub-go/webpubsub/internal/names"
)

// TestEveryCommandHasHelp: "webpubsub <command> -h" prints a usage line,
// one sentence that says what the command does, an example and the flags.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, cmd := range []string{"emulator", "token", "demo", "listen", "send"} {
		code, out, errOut := runBinary(t, nil, nil, cmd, "-h")
		assert.Equal(t, exitOK, code, cmd)
		assert.Empty(t, out, cmd)
		lines := strings.Split(errOut, "\n")
		assert.True(t, strings.HasPrefix(lines[0], "usage: webpubsub "+cmd+" "), "%s: %q", cmd, lines[0])
		assert.Empty(t, lines[1], cmd)
		assert.Regexp(t, `^[A-Z][a-z]+s `, lines[2], "%s: a sentence on what it does", cmd)
		assert.Contains(t, errOut, "\nexample:\n  webpubsub "+cmd+" ", cmd)
		assert.Contains(t, errOut, "\nflags:\n  -", cmd)
	}
	code, out, _ := runBinary(t, nil, nil, "help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "they never\nstart an emulator. demo starts an in-process emulator when neither is set.")
}

// TestNamesFollowTheServiceRules: the CLI takes a hub or group name exactly
// when internal/names (the service's rules, which the SDK, the emulator and
// its settings use) does: one definition for all.
func TestNamesFollowTheServiceRules(t *testing.T) {
	cs := "Endpoint=http://127.0.0.1:1;AccessKey=a2V5;Version=1.0;"
	for _, hub := range []string{"chat", "_chat", "a.b", "1bad", "a-b", "Chat`s,[1]", strings.Repeat("h", 129)} {
		code, _, errOut := runCmd(t, "", "token", "-connection-string", cs, "-hub", hub)
		if names.ValidateHub(hub) == nil {
			assert.Equal(t, exitOK, code, "hub %q: %s", hub, errOut)
		} else {
			assert.Equal(t, exitUsage, code, hub)
			assert.Contains(t, errOut, "invalid hub name", hub)
		}
	}
	for _, group := range []string{"room", "a.b", "_g", " ", "a\nb", strings.Repeat("g", 1025)} {
		code, _, errOut := runCmd(t, "", "token", "-connection-string", cs, "-hub", "chat", "-group", group)
		if names.ValidateGroup(group) == nil {
			assert.Equal(t, exitOK, code, "group %q: %s", group, errOut)
		} else {
			assert.Equal(t, exitUsage, code, group)
			assert.Contains(t, errOut, "invalid group name", group)
		}
	}
}

// TestTokenExpiresSaysWhatToWrite: "-expires 2" says to use a duration.
func TestTokenExpiresSaysWhatToWrite(t *testing.T) {
	code, _, errOut := runBinary(t, nil, nil, "token", "-hub", "chat", "-expires", "2", "-connection-string", "Endpoint=http://127.0.0.1:1;AccessKey=a2V5;Version=1.0;")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `invalid value "2" for flag -expires: use a duration such as 90m or 2h`)
	assert.NotContains(t, errOut, "parse error")
}

// TestRefusedHandshakeIsOneReadableLine: whatever the service puts in the
// body of a refused handshake (the emulator names the handler, its answer
// and a hint there) reaches the user of listen and demo in one line.
func TestRefusedHandshakeIsOneReadableLine(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "the event handler http://127.0.0.1:8081/api refused the connect event of hub chat with 401:\n"+
			"ce-signature does not match any access key\n\nhint: start the handler with the emulator's key", http.StatusUnauthorized)
	}))
	defer srv.Close()
	cs := "Endpoint=" + srv.URL + ";AccessKey=a2V5;Version=1.0;"
	want := "the service refused the connection (HTTP 401): the event handler http://127.0.0.1:8081/api refused the connect event of hub chat with 401: " +
		"ce-signature does not match any access key; hint: start the handler with the emulator's key"
	for _, args := range [][]string{
		{"listen", "-hub", "chat", "-connection-string", cs},
		{"demo", "-hub", "chat", "-connection-string", cs},
	} {
		code, _, errOut := runBinary(t, nil, nil, args...)
		assert.Equal(t, exitError, code, args)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
		assert.Contains(t, errOut, want, args)
		assert.NotContains(t, errOut, "access_token", args)
	}
}
