package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// screenshotEnv names the environment variable that makes the browser test
// refresh the committed screenshot.png.
const screenshotEnv = "UPDATE_SCREENSHOT"

// The browser window size, which is also the screenshot's size.
const windowWidth, windowHeight = 720, 560

// chatLine is one entry of the page's #messages list, as a user sees it.
type chatLine struct {
	Kind string `json:"kind"` // "message", "notice" or "error"
	From string `json:"from"` // sender of a "message"; empty otherwise
	Text string `json:"text"`
	Mine bool   `json:"mine"` // the page marks the user's own messages
}

// readLinesJS lists the page's conversation as chatLine values.
const readLinesJS = `[...document.querySelectorAll('#messages li')].map(li => ({
	kind: li.classList[0],
	from: li.dataset.from || '',
	text: li.querySelector('.text').textContent,
	mine: li.classList.contains('mine'),
}))`

// findChromium returns the Chromium binary to drive, or "" if there is none.
func findChromium() string {
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium for the test and returns a context
// bound to it. The browser is stopped when the test ends. The test is skipped
// only when no Chromium binary is installed.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		t.Skip("chromium not found (looked for chromium and chromium-browser in PATH and /usr/bin/chromium); install it (Debian: apt-get install chromium) to run the browser test")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(windowWidth, windowHeight),
	)
	ctx, cancelTimeout := context.WithTimeout(allocCtx, 60*time.Second)
	browserCtx, cancelBrowser := chromedp.NewContext(ctx)
	t.Cleanup(func() {
		// Close the browser gracefully and wait for its process to exit, so
		// that the user data directory can be removed.
		assert.NoError(t, chromedp.Cancel(browserCtx), "closing the browser")
		cancelBrowser()
		cancelTimeout()
		cancelAlloc()
	})
	require.NoError(t, chromedp.Run(browserCtx), "starting %s", path)
	return browserCtx
}

// newTab opens a tab in a fresh browser context (like a separate private
// window), so two users share nothing but the server. The tab is created as a
// new window: headless Chromium has no window in a new browser context to put
// a tab into.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	var id target.ID
	require.NoError(t, chromedp.Run(browser, chromedp.ActionFunc(func(ctx context.Context) error {
		exec := cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser)
		bc, err := target.CreateBrowserContext().WithDisposeOnDetach(true).Do(exec)
		if err != nil {
			return err
		}
		id, err = target.CreateTarget("about:blank").WithBrowserContextID(bc).WithNewWindow(true).Do(exec)
		return err
	})), "opening a tab in a new browser context")
	tab, cancel := chromedp.NewContext(browser, chromedp.WithTargetID(id))
	t.Cleanup(cancel)
	return tab
}

// joinAs loads the page in tab and joins the chat as name, waiting until the
// page shows the message box (the join was acknowledged).
func joinAs(t *testing.T, tab context.Context, baseURL, name string) {
	t.Helper()
	require.NoError(t, chromedp.Run(tab,
		chromedp.Navigate(baseURL+"/"),
		chromedp.WaitVisible("#name", chromedp.ByQuery),
		chromedp.SendKeys("#name", name, chromedp.ByQuery),
		chromedp.Click("#join", chromedp.ByQuery),
		chromedp.WaitVisible("#composer", chromedp.ByQuery),
	), "%s joins the chat", name)
}

// say types text into the message box of tab and sends it.
func say(t *testing.T, tab context.Context, text string) {
	t.Helper()
	require.NoError(t, chromedp.Run(tab,
		chromedp.SendKeys("#text", text, chromedp.ByQuery),
		chromedp.Click("#send", chromedp.ByQuery),
	), "sending %q", text)
}

// lines returns the conversation currently shown in tab.
func lines(tab context.Context) ([]chatLine, error) {
	var got []chatLine
	err := chromedp.Run(tab, chromedp.Evaluate(readLinesJS, &got))
	return got, err
}

// requireSees waits until tab shows every line of want.
func requireSees(t *testing.T, tab context.Context, who string, want ...chatLine) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		got, err := lines(tab)
		require.NoError(c, err)
		for _, w := range want {
			assert.Contains(c, got, w, "%s's page", who)
		}
	}, 15*time.Second, 50*time.Millisecond)
}

// TestBrowserChat drives the real page in headless Chromium: two users in two
// isolated browser contexts join the chat served by the sample server (with the
// in-process emulator), each sends a message, and each sees the other's.
//
// It is skipped only when Chromium is not installed. With UPDATE_SCREENSHOT=1
// it refreshes examples/chat/screenshot.png.
func TestBrowserChat(t *testing.T) {
	baseURL, _ := startChat(t)
	browser := newBrowser(t)
	alice, bob := newTab(t, browser), newTab(t, browser)

	joinAs(t, alice, baseURL, "alice")
	requireSees(t, alice, "alice",
		chatLine{Kind: "notice", Text: "Connected as alice"},
		chatLine{Kind: "notice", Text: "You joined #chat"})

	joinAs(t, bob, baseURL, "bob")
	// The server's "connected" event handler announces bob to the group.
	requireSees(t, alice, "alice", chatLine{Kind: "notice", Text: "bob joined the chat"})

	say(t, alice, "Hello from alice!")
	say(t, bob, "Hi alice, bob here.")

	fromAlice := chatLine{Kind: "message", From: "alice", Text: "Hello from alice!"}
	fromBob := chatLine{Kind: "message", From: "bob", Text: "Hi alice, bob here."}
	ownAlice, ownBob := fromAlice, fromBob
	ownAlice.Mine, ownBob.Mine = true, true
	requireSees(t, alice, "alice", ownAlice, fromBob)
	requireSees(t, bob, "bob", fromAlice, ownBob)

	var shot []byte
	require.NoError(t, chromedp.Run(alice, chromedp.CaptureScreenshot(&shot)))
	path := filepath.Join(t.TempDir(), "screenshot.png")
	if os.Getenv(screenshotEnv) != "" {
		path = "screenshot.png" // the package directory: examples/chat/screenshot.png
	}
	require.NoError(t, os.WriteFile(path, shot, 0o644))
	written, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotEmpty(t, written)
	img, err := png.Decode(bytes.NewReader(written))
	require.NoError(t, err, "the screenshot is a PNG")
	assert.Equal(t, windowWidth, img.Bounds().Dx(), "the screenshot is as wide as the window")
	assert.Positive(t, img.Bounds().Dy())

	// Markup in a message is shown as text, never interpreted.
	const markup = `<img src=x onerror="document.title='owned'"><b>bold</b>`
	say(t, bob, markup)
	requireSees(t, alice, "alice", chatLine{Kind: "message", From: "bob", Text: markup})
	var imgs int
	var title string
	require.NoError(t, chromedp.Run(alice,
		chromedp.Evaluate(`document.querySelectorAll('#messages img, #messages b').length`, &imgs),
		chromedp.Title(&title)))
	assert.Zero(t, imgs, "no element was created from a message")
	assert.Equal(t, "Web PubSub chat", title)

	for who, tab := range map[string]context.Context{"alice": alice, "bob": bob} {
		got, err := lines(tab)
		require.NoError(t, err)
		for _, l := range got {
			assert.NotEqual(t, "error", l.Kind, "%s's page shows an error: %q", who, l.Text)
		}
	}
}
