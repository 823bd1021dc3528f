package trace_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulatortest"
)

// Environment variables of the browser test.
const (
	// envRequireBrowser makes a missing Chromium a failure instead of a
	// skip (.ci/run sets it, and CI=true does the same: CI installs Chromium).
	envRequireBrowser = "WEBPUBSUB_REQUIRE_BROWSER"
	// envScreenshot names a file the browser test writes its screenshot to
	// (README.md shows docs/live-trace.png, made with this).
	envScreenshot = "TRACE_SCREENSHOT"
)

// findChromium returns the Chromium binary, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// cdp is a minimal Chrome DevTools Protocol session with one page, over
// coder/websocket (the root module does not depend on chromedp).
type cdp struct {
	t  *testing.T
	ws *websocket.Conn
	id int
}

// startChromium starts a headless Chromium and returns a session with its
// first page. The browser is stopped when the test ends.
func startChromium(t *testing.T) *cdp {
	t.Helper()
	path := findChromium()
	if path == "" {
		msg := "chromium not found (looked for chromium, chromium-browser, /usr/bin/chromium, google-chrome); install it (Debian: apt-get install chromium) to run the live trace browser test"
		if os.Getenv(envRequireBrowser) != "" || os.Getenv("CI") == "true" {
			t.Fatal(msg + "; in CI (" + envRequireBrowser + " or CI=true) this is a failure")
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	cmd := exec.Command(path,
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,720",
		"--remote-debugging-port=0", "--user-data-dir="+dir, "about:blank")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	// Chromium writes its port to DevToolsActivePort once it listens.
	var port string
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(filepath.Join(dir, "DevToolsActivePort"))
		if err != nil {
			return false
		}
		port = strings.SplitN(string(b), "\n", 2)[0]
		return port != ""
	}, 60*time.Second, 50*time.Millisecond, "chromium did not start: %s", &stderr)

	var pageWS string
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var targets []struct{ Type, WebSocketDebuggerURL string }
		if json.NewDecoder(resp.Body).Decode(&targets) != nil {
			return false
		}
		for _, tg := range targets {
			if tg.Type == "page" {
				pageWS = tg.WebSocketDebuggerURL
				return true
			}
		}
		return false
	}, 30*time.Second, 50*time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, pageWS, nil)
	require.NoError(t, err)
	ws.SetReadLimit(64 << 20)
	t.Cleanup(func() { ws.CloseNow() })
	return &cdp{t: t, ws: ws}
}

// call sends a command and returns its result, skipping events.
func (c *cdp) call(method string, params any) json.RawMessage {
	c.t.Helper()
	c.id++
	id := c.id
	b, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	require.NoError(c.t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(c.t, c.ws.Write(ctx, websocket.MessageText, b))
	for {
		_, data, err := c.ws.Read(ctx)
		require.NoError(c.t, err, "waiting for %s", method)
		var m struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct{ Message string }
		}
		require.NoError(c.t, json.Unmarshal(data, &m))
		if m.ID != id {
			continue
		}
		require.Nil(c.t, m.Error, "%s failed", method)
		return m.Result
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value into out.
func (c *cdp) eval(expr string, out any) {
	c.t.Helper()
	res := c.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct{ Text string } `json:"exceptionDetails"`
	}
	require.NoError(c.t, json.Unmarshal(res, &r))
	require.Nil(c.t, r.ExceptionDetails, "evaluating %s", expr)
	if out != nil {
		require.NoError(c.t, json.Unmarshal(r.Result.Value, out), "evaluating %s: %s", expr, r.Result.Value)
	}
}

// waitFor polls a boolean JavaScript expression until it is true.
func (c *cdp) waitFor(what, expr string) {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var ok bool
		// The page may still be loading: an error counts as not yet.
		c.eval("(() => { try { return Boolean("+expr+"); } catch (e) { return false; } })()", &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var body string
			c.eval("document.body.innerText", &body)
			c.t.Fatalf("the page never showed %s; it shows:\n%s", what, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pageConn is a row of the page's connection table as a user sees it.
type pageConn struct {
	ID, User, Subprotocol, State string
	Groups                       []string
}

const readConnsJS = `[...document.querySelectorAll('#connections tbody tr[data-id]')].map(tr => ({
	ID: tr.dataset.id,
	User: tr.querySelector('.user').textContent,
	Subprotocol: tr.querySelector('.subprotocol').dataset.subprotocol,
	State: tr.querySelector('.state').textContent,
	Groups: [...tr.querySelectorAll('.group')].map(g => g.textContent),
}))`

// TestLiveTracePageInChromium opens the page with the emulator's sign-in
// link, then a client connects, joins a group and sends to it: the page
// shows the connection with its group and the message, live; departed
// connections fold away; a REST send is one row. Later it signs in with the
// connection string and with a token.
func TestLiveTracePageInChromium(t *testing.T) {
	browser := startChromium(t)
	e := emulatortest.New(t, nil)
	browser.call("Page.enable", nil)
	browser.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": false})
	link := e.Trace().SignInURL(e.URL())
	browser.call("Page.navigate", map[string]any{"url": link})
	browser.waitFor("the live view", `!document.getElementById('app').hidden && document.getElementById('status').textContent === 'live'`)
	var address string
	browser.eval(`location.href`, &address)
	assert.Equal(t, e.URL()+"/", address, "the code is gone from the address bar")

	// The link works once: opened again, it shows why it does not sign in.
	browser.eval(`fetch('/trace/session', {method: 'DELETE'}).then(() => true)`, nil)
	browser.call("Page.navigate", map[string]any{"url": link})
	browser.waitFor("the used link's explanation", `document.getElementById('signin-error').textContent.includes('already used or has expired')`)

	// A wrong credential is refused with a reason.
	browser.eval(`document.getElementById('credential').value = "Endpoint=`+e.URL()+`;AccessKey=bm90LXRoZS1rZXk=;Version=1.0;";
		document.querySelector('#signin-form button').click(); true`, nil)
	browser.waitFor("the refusal", `document.getElementById('signin-error').textContent.includes('refused')`)

	// The connection string, pasted with its quotes.
	cs, err := json.Marshal(`"` + e.ConnectionString() + `"`)
	require.NoError(t, err)
	browser.eval(`document.getElementById('credential').value = `+string(cs)+`;
		document.querySelector('#signin-form button').click(); true`, nil)
	browser.waitFor("the live view", `!document.getElementById('app').hidden && document.getElementById('status').textContent === 'live'`)

	// Clients connect, join and send while the page watches.
	ctx := t.Context()
	svc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "chat", nil)
	require.NoError(t, err)
	var clients []*client.Client
	t.Cleanup(func() {
		for _, c := range clients {
			stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = c.Stop(stopCtx)
			cancel()
		}
	})
	for _, user := range []string{"alice", "bob"} {
		tok, err := svc.GetClientAccessToken(ctx, &webpubsub.ServiceClientGetClientAccessTokenOptions{
			UserID: user, Roles: []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"},
		})
		require.NoError(t, err)
		c, err := client.New(tok.URL, nil)
		require.NoError(t, err)
		require.NoError(t, c.Start(ctx))
		clients = append(clients, c)
		_, err = c.JoinGroup(ctx, "room", nil)
		require.NoError(t, err)
	}
	alice := clients[0]

	// carol comes and goes: her row stays, marked gone, with the reason.
	tok, err := svc.GetClientAccessToken(ctx, &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "carol"})
	require.NoError(t, err)
	carol, err := client.New(tok.URL, nil)
	require.NoError(t, err)
	require.NoError(t, carol.Start(ctx))
	carolID := carol.ConnectionID()
	require.NoError(t, carol.Stop(ctx))
	browser.waitFor("the departed toggle", `document.getElementById('show-gone').textContent === 'show 1 departed'`)
	var folded bool
	browser.eval(fmt.Sprintf(`!document.querySelector('#connections tr[data-id=%q]')`, carolID), &folded)
	assert.True(t, folded, "carol's row is folded away")
	browser.eval(`document.getElementById('show-gone').click(); true`, nil)
	browser.waitFor("carol's row marked gone", fmt.Sprintf(
		`(document.querySelector('#connections tr[data-id=%q] .state') || {}).textContent === 'gone'`, carolID))
	var carolTitle string
	browser.eval(fmt.Sprintf(`document.querySelector('#connections tr[data-id=%q]').title`, carolID), &carolTitle)
	assert.Contains(t, carolTitle, "the client closed the connection")
	_, err = alice.SendToGroup(ctx, "room", client.Text("hello room, alice here"), nil)
	require.NoError(t, err)
	_, err = svc.SendToAll(ctx, webpubsub.TextMessage("server notice: maintenance at noon"), nil)
	require.NoError(t, err)

	id := alice.ConnectionID()
	browser.waitFor("alice's connection in room", fmt.Sprintf(
		`[...document.querySelectorAll('#connections tr[data-id=%q] .group')].some(g => g.textContent === 'room')`, id))
	browser.waitFor("alice's message", `[...document.querySelectorAll('#events tr[data-kind=message] .preview')].some(p => p.textContent === 'hello room, alice here')`)
	browser.waitFor("the REST broadcast", `[...document.querySelectorAll('#events tr[data-kind=message]')].some(r =>
		r.textContent.includes('REST POST /api/hubs/chat/:send → 202') && r.textContent.includes('to hub → 2 recipients'))`)
	var restRows int
	browser.eval(`[...document.querySelectorAll('#events tr[data-kind=rest]')].filter(r => r.textContent.includes(':send')).length`, &restRows)
	assert.Equal(t, 0, restRows, "one REST send is one row")

	var conns []pageConn
	browser.eval(readConnsJS, &conns)
	var mine *pageConn
	for i := range conns {
		if conns[i].ID == id {
			mine = &conns[i]
		}
	}
	require.NotNil(t, mine, "alice's row: %+v", conns)
	assert.Equal(t, "alice", mine.User)
	assert.Equal(t, "json.reliable.webpubsub.azure.v1", mine.Subprotocol)
	assert.Equal(t, "connected", mine.State)
	assert.Equal(t, []string{"room"}, mine.Groups)

	var details string
	browser.eval(`[...document.querySelectorAll('#events tr[data-kind=message]')].map(r => r.textContent).join('\n')`, &details)
	assert.Contains(t, details, "from connection (alice) to group room → 2 recipients")

	// The connection filter shows only what concerns one connection.
	browser.eval(fmt.Sprintf(`document.getElementById('f-conn').value = %q; document.getElementById('f-conn').dispatchEvent(new Event('input')); true`, clients[1].ConnectionID()), nil)
	var kinds []string
	browser.eval(`[...document.querySelectorAll('#events tbody tr')].map(r => r.dataset.kind)`, &kinds)
	assert.Contains(t, kinds, "message", "bob received alice's message")
	assert.Contains(t, kinds, "connected")
	assert.NotContains(t, kinds, "rest")
	browser.eval(`document.getElementById('f-conn').value = ''; document.getElementById('f-conn').dispatchEvent(new Event('input')); true`, nil)

	// The user and group filters narrow both the table and the trace.
	setFilter := func(id, v string) {
		browser.eval(fmt.Sprintf(`document.getElementById(%q).value = %q; document.getElementById(%q).dispatchEvent(new Event('input')); true`, id, v, id), nil)
	}
	setFilter("f-user", "bob")
	browser.eval(readConnsJS, &conns)
	require.Len(t, conns, 1)
	assert.Equal(t, "bob", conns[0].User)
	var users []string
	browser.eval(`[...document.querySelectorAll('#events tbody tr td.conn')].map(td => td.textContent)`, &users)
	for _, u := range users {
		assert.Equal(t, clients[1].ConnectionID(), u, "only bob's events")
	}
	setFilter("f-user", "")
	setFilter("f-group", "room")
	browser.eval(readConnsJS, &conns)
	assert.Len(t, conns, 2, "alice and bob are in room, carol is not")
	browser.eval(`[...document.querySelectorAll('#events tbody tr')].map(r => r.dataset.kind)`, &kinds)
	assert.Contains(t, kinds, "message")
	var notice int
	browser.eval(`[...document.querySelectorAll('#events .preview')].filter(p => p.textContent === 'server notice: maintenance at noon').length`, &notice)
	assert.Equal(t, 0, notice, "a REST send to the hub is not about the group")
	setFilter("f-group", "")
	other, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "other", nil)
	require.NoError(t, err)
	_, err = other.SendToAll(ctx, webpubsub.TextMessage("to the other hub"), nil)
	require.NoError(t, err)
	browser.waitFor("hub other in the hub filter", `[...document.getElementById('f-hub').options].some(o => o.value === 'other')`)
	setFilter("f-hub", "other")
	browser.eval(readConnsJS, &conns)
	assert.Empty(t, conns, "no connection in hub other")
	var hubs []string
	browser.eval(`[...document.querySelectorAll('#events tbody tr td:nth-child(3)')].map(td => td.textContent)`, &hubs)
	require.NotEmpty(t, hubs)
	for _, h := range hubs {
		assert.Equal(t, "other", h)
	}
	setFilter("f-hub", "")

	// Pause holds new rows back; resume shows them.
	browser.eval(`document.getElementById('pause').click(); true`, nil)
	_, err = svc.SendToAll(ctx, webpubsub.TextMessage("sent while paused"), nil)
	require.NoError(t, err)
	browser.waitFor("the paused count", `document.getElementById('status').textContent.startsWith('paused · ') && !document.getElementById('status').textContent.startsWith('paused · 0')`)
	var shown bool
	browser.eval(`[...document.querySelectorAll('#events .preview')].some(p => p.textContent === 'sent while paused')`, &shown)
	assert.False(t, shown, "paused: no new rows")
	browser.eval(`document.getElementById('pause').click(); true`, nil)
	browser.waitFor("the held row after resume", `[...document.querySelectorAll('#events .preview')].some(p => p.textContent === 'sent while paused')`)

	testClientPanel(t, browser)

	// Nothing on the page gives the key away.
	var html string
	browser.eval(`document.documentElement.outerHTML`, &html)
	assert.NotContains(t, html, e.AccessKey())

	shot := browser.call("Page.captureScreenshot", map[string]any{"format": "png"})
	var img struct{ Data string }
	require.NoError(t, json.Unmarshal(shot, &img))
	raw, err := base64.StdEncoding.DecodeString(img.Data)
	require.NoError(t, err)
	cfg, err := png.DecodeConfig(bytes.NewReader(raw))
	require.NoError(t, err)
	assert.Equal(t, 1280, cfg.Width)
	browser.eval(`document.getElementById('side').scrollTop = 0; true`, nil)
	out := os.Getenv(envScreenshot)
	if out == "" {
		out = filepath.Join(t.TempDir(), "live-trace.png")
	}
	require.NoError(t, os.WriteFile(out, raw, 0o644))
	t.Logf("screenshot: %s", out)

	// A refused send says why.
	browser.eval(`document.getElementById('rs-hub').value = '1bad'; document.querySelector('#rs-form button[type=submit]').click(); true`, nil)
	browser.waitFor("the REST form's refusal", `document.getElementById('rs-result').textContent.includes('invalid hub name')`)

	// Clear empties the view.
	browser.eval(`document.getElementById('clear').click(); document.querySelectorAll('#events tbody tr').length`, nil)
	var rows int
	browser.eval(`document.querySelectorAll('#events tbody tr').length`, &rows)
	assert.Equal(t, 0, rows)

	// Sign out, then in again with a token instead of the connection string.
	browser.eval(`document.getElementById('signout').click(); true`, nil)
	browser.waitFor("the sign-in form after signing out", `!document.getElementById('signin').hidden`)
	tokJS, err := json.Marshal(signToken(t, e.AccessKey(), e.URL()+"/trace"))
	require.NoError(t, err)
	browser.eval(`document.getElementById('credential').value = `+string(tokJS)+`;
		document.querySelector('#signin-form button').click(); true`, nil)
	browser.waitFor("the live view after a token sign-in", `!document.getElementById('app').hidden && document.getElementById('status').textContent === 'live'`)
	browser.waitFor("the connections again", fmt.Sprintf(`!!document.querySelector('#connections tr[data-id=%q]')`, id))
}

// testClientPanel connects the page's test client to chat as tess in room,
// sends to room through the REST form and from the test client itself, and
// checks what the test client received.
func testClientPanel(t *testing.T, browser *cdp) {
	browser.waitFor("the test client form", `!document.getElementById('tryit').hidden && !document.getElementById('tc-form').hidden`)
	browser.eval(`document.getElementById('tc-user').value = 'tess';
		document.getElementById('tc-groups').value = 'room';
		document.querySelector('#tc-form button[type=submit]').click(); true`, nil)
	browser.waitFor("the test client connected", `document.getElementById('tc-status').textContent.startsWith('connected as ')`)
	browser.waitFor("tess in the connection table", `[...document.querySelectorAll('#connections tr[data-id]')].some(r =>
		r.querySelector('.user').textContent === 'tess' && r.textContent.includes('room'))`)

	browser.eval(`document.getElementById('rs-to').value = 'group'; document.getElementById('rs-to').dispatchEvent(new Event('change'));
		document.getElementById('rs-name').value = 'room';
		document.getElementById('rs-data').value = 'via the REST form';
		document.querySelector('#rs-form button[type=submit]').click(); true`, nil)
	browser.waitFor("the REST form's answer", `document.getElementById('rs-result').textContent.startsWith('accepted')`)
	browser.waitFor("the REST message in the test client", `[...document.querySelectorAll('#tc-inbox li')].some(li => li.textContent.includes('via the REST form'))`)
	browser.waitFor("the REST form's row", `[...document.querySelectorAll('#events tr[data-kind=message]')].some(r =>
		r.textContent.includes('REST POST /api/hubs/chat/groups/room/:send → 202') && r.textContent.includes('to group room as a group message → 3 recipients'))`)

	browser.eval(`document.getElementById('tc-send-group').value = 'room';
		document.getElementById('tc-text').value = 'hi from the page';
		document.querySelector('#tc-send-form button[type=submit]').click(); true`, nil)
	browser.waitFor("the test client's own group message", `[...document.querySelectorAll('#tc-inbox li')].some(li =>
		li.textContent === 'group room from tess (text): hi from the page')`)
	browser.waitFor("the send's ack", `[...document.querySelectorAll('#tc-inbox li')].some(li => li.textContent === 'send to room: done')`)

}
