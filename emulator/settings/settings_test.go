package settings_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/settings"
)

const serviceShape = `{
  "hubs": {
    "Chat": {
      "eventHandlers": [
        {"urlTemplate": "http://127.0.0.1:8081/chat/{event}", "userEventPattern": "message, Echo", "systemEvents": ["Connect"]},
        {"urlTemplate": "http://127.0.0.1:8082/all/{hub}/{event}", "userEventPattern": "*", "systemEvents": ["connect", "connected", "disconnected"]}
      ],
      "anonymousConnectPolicy": "Allow"
    },
    "wrapped": {"name": "wrapped", "properties": {"eventHandlers": [{"urlTemplate": "https://example.test/{event}", "systemEvents": ["disconnected"]}]}},
    "*": {"eventHandlers": [{"urlTemplate": "http://127.0.0.1:9000/any/{hub}", "userEventPattern": "*"}]}
  }
}`

func TestParseServiceShape(t *testing.T) {
	s, err := settings.Parse([]byte(serviceShape))
	require.NoError(t, err)
	require.NoError(t, s.Validate())
	require.Len(t, s.Hubs, 3)

	h, ok := s.Match("chat", "ECHO", false)
	require.True(t, ok, "hub and user event names match case-insensitively")
	assert.Equal(t, "http://127.0.0.1:8081/chat/{event}", h.URLTemplate)

	h, ok = s.Match("CHAT", "connect", true)
	require.True(t, ok)
	assert.Equal(t, "http://127.0.0.1:8081/chat/{event}", h.URLTemplate, "the first matching handler wins")

	h, ok = s.Match("chat", "connected", true)
	require.True(t, ok)
	assert.Equal(t, "http://127.0.0.1:8082/all/{hub}/{event}", h.URLTemplate)

	h, ok = s.Match("chat", "other", false)
	require.True(t, ok)
	assert.Equal(t, "http://127.0.0.1:8082/all/{hub}/{event}", h.URLTemplate)

	h, ok = s.Match("wrapped", "disconnected", true)
	require.True(t, ok, "properties wrapper of the hub resource is accepted")
	assert.Equal(t, "https://example.test/{event}", h.URLTemplate)

	h, ok = s.Match("wrapped", "hello", false)
	require.True(t, ok, "the * hub's handlers come after the hub's own")
	assert.Equal(t, "http://127.0.0.1:9000/any/{hub}", h.URLTemplate)

	_, ok = s.Match("other", "connect", true)
	assert.False(t, ok, "no handler takes connect of an unlisted hub")

	assert.True(t, s.AllowsAnonymous("chat"))
	assert.False(t, s.AllowsAnonymous("wrapped"), "deny by default")
	assert.False(t, s.AllowsAnonymous("other"))
}

func TestParseAppSettingsShape(t *testing.T) {
	doc := `{
  "Logging": {"LogLevel": {"Default": "Information"}},
  "WebPubSub": {
    "Hubs": {
      "sample_chat": {
        "EventHandlers": [
          {"UrlTemplate": "http://localhost:7071/events/{hub}/{event}", "SystemEvents": ["connect", "connected", "disconnected"], "EventPattern": "*"}
        ]
      }
    }
  }
}`
	s, err := settings.Parse([]byte(doc))
	require.NoError(t, err)
	h, ok := s.Match("Sample_Chat", "anything", false)
	require.True(t, ok)
	assert.Equal(t, "http://localhost:7071/events/{hub}/{event}", h.URLTemplate)
	assert.Equal(t, []string{"connect", "connected", "disconnected"}, h.SystemEvents)
}

func TestParseErrorsNameLineAndField(t *testing.T) {
	cases := []struct {
		name, doc         string
		line, col         int
		field, msgContain string
	}{
		{"syntax", "{\n  \"hubs\": {\n    \"chat\": {,}\n  }\n}", 3, 14, "", "invalid JSON"},
		{"truncated", `{"hubs": {`, 1, 11, "", "unexpected end"},
		{"unknown system event", "{\"hubs\": {\"chat\": {\"eventHandlers\": [\n  {\"urlTemplate\": \"http://h/{event}\",\n   \"systemEvents\": [\"connect\", \"connnected\"]}]}}}", 3, 32, "hubs.chat.eventHandlers[0].systemEvents[1]", "unknown system event \"connnected\""},
		{"bad url", "{\"hubs\": {\"chat\": {\"eventHandlers\": [{\"urlTemplate\": \"localhost:8080/x\"}]}}}", 1, 54, "hubs.chat.eventHandlers[0].urlTemplate", "not an absolute http or https URL"},
		{"unknown placeholder", `{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "http://h/{evnt}"}]}}}`, 1, 54, "hubs.chat.eventHandlers[0].urlTemplate", "unknown placeholder"},
		{"placeholder in host", `{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "http://{event}.h/"}]}}}`, 1, 54, "hubs.chat.eventHandlers[0].urlTemplate", "only in the path and the query"},
		{"tunnel", `{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "tunnel:///api/events"}]}}}`, 1, 54, "hubs.chat.eventHandlers[0].urlTemplate", "tunnel:// URL templates are not supported"},
		{"auth", `{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "http://h/", "auth": {"type": "ManagedIdentity"}}]}}}`, 1, 67, "hubs.chat.eventHandlers[0].auth", "not supported"},
		{"missing template", `{"hubs": {"chat": {"eventHandlers": [{"systemEvents": ["connect"]}]}}}`, 1, 38, "hubs.chat.eventHandlers[0].urlTemplate", "needs a urlTemplate"},
		{"typo", `{"hubs": {"chat": {"eventHandler": []}}}`, 1, 20, "hubs.chat.eventHandler", "unknown field \"eventHandler\""},
		{"policy", `{"hubs": {"chat": {"anonymousConnectPolicy": "maybe"}}}`, 1, 46, "hubs.chat.anonymousConnectPolicy", "not a policy"},
		{"hub name", `{"hubs": {"9chat": {}}}`, 1, 11, "hubs.9chat", "invalid hub name \"9chat\": must start with a letter"},
		{"duplicate hub", "{\"hubs\": {\"chat\": {},\n \"CHAT\": {}}}", 2, 2, "hubs.CHAT", "case-insensitively"},
		{"wrong kind", `{"hubs": {"chat": {"eventHandlers": {}}}}`, 1, 37, "hubs.chat.eventHandlers", "must be an array"},
		{"pattern", `{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "http://h/", "userEventPattern": "a,,b"}]}}}`, 1, 87, "hubs.chat.eventHandlers[0].userEventPattern", "empty event name"},
		{"top level", `{"hub": {}}`, 1, 2, "hub", "unknown field"},
		{"not an object", `[]`, 1, 1, "", "must be a JSON object"},
		{"trailing", `{} {}`, 1, 4, "", "unexpected data"},
		{"listeners", `{"hubs": {"chat": {"eventListeners": []}}}`, 1, 20, "hubs.chat.eventListeners", "not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := settings.Parse([]byte(tc.doc))
			var pe *settings.ParseError
			require.True(t, errors.As(err, &pe), "want *ParseError, got %v", err)
			assert.Equal(t, tc.line, pe.Line, "line of %v", err)
			assert.Equal(t, tc.col, pe.Column, "column of %v", err)
			assert.Equal(t, tc.field, pe.Field)
			assert.Contains(t, pe.Msg, tc.msgContain)
		})
	}
}

func TestLoadPrefixesThePath(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hubs.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "ftp://h/"}]}}}`), 0o600))
	_, err := settings.Load(p)
	require.EqualError(t, err, p+`:1:54: hubs.chat.eventHandlers[0].urlTemplate: URL template "ftp://h/" is not an absolute http or https URL`)

	_, err = settings.Load(filepath.Join(t.TempDir(), "missing.json"))
	require.ErrorContains(t, err, "no such file")
}

func TestValidateGoSettings(t *testing.T) {
	s := &settings.Settings{Hubs: map[string]settings.Hub{
		"chat": {EventHandlers: []settings.EventHandler{{URLTemplate: "http://h/{event}", SystemEvents: []string{"connect", "open"}}}},
	}}
	err := s.Validate()
	var fe *settings.FieldError
	require.True(t, errors.As(err, &fe), "got %v", err)
	assert.Equal(t, "hubs.chat.eventHandlers[0].systemEvents[1]", fe.Field)
	assert.NoError(t, (*settings.Settings)(nil).Validate())
}

func TestMatchUserEvent(t *testing.T) {
	assert.True(t, settings.MatchUserEvent("*", "x"))
	assert.True(t, settings.MatchUserEvent(" a , B ", "b"))
	assert.False(t, settings.MatchUserEvent("a,b", "c"))
	assert.False(t, settings.MatchUserEvent("", "c"))
}

// A settings file with Microsoft's emulator's globs is accepted (it was
// refused at start) and routes events as its UpstreamUserEventTests do.
func TestEventPatternGlobs(t *testing.T) {
	doc := `{"WebPubSub": {"Hubs": {"chat": {"EventHandlers": [
		{"UrlTemplate": "http://h/one", "EventPattern": "join, ROOM.*"},
		{"UrlTemplate": "http://h/deep", "EventPattern": "room.**"},
		{"UrlTemplate": "http://h/short", "EventPattern": "x.?"},
		{"UrlTemplate": "http://h/all", "EventPattern": "*"}
	]}}}}`
	s, err := settings.Parse([]byte(doc))
	require.NoError(t, err)
	cases := map[string]string{
		"room.message":      "http://h/one",
		"JOIN":              "http://h/one",
		"room.message.more": "http://h/deep",
		"x.a":               "http://h/short",
		"x..":               "http://h/all",
		"a.b.c":             "http://h/all",
	}
	for event, want := range cases {
		h, ok := s.Match("CHAT", event, false)
		require.True(t, ok, event)
		assert.Equal(t, want, h.URLTemplate, event)
	}
	_, err = settings.Parse([]byte(`{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "http://h/", "userEventPattern": "a\\x"}]}}}`))
	assert.ErrorContains(t, err, `must be followed by "*", "?" or "\"`, "a bad escape is refused with the reason")
}

// watcher runs Watch for the test and collects what it reports.
type watcher struct {
	reloads chan *settings.Settings
	errs    chan error
}

func watch(t *testing.T, path string) *watcher {
	t.Helper()
	w := &watcher{reloads: make(chan *settings.Settings, 8), errs: make(chan error, 8)}
	ctx, cancel := context.WithCancel(context.Background())
	sw, _, err := settings.NewWatcher(path, settings.WatchOptions{
		Interval: 10 * time.Millisecond,
		OnReload: func(s *settings.Settings) { w.reloads <- s },
		OnError:  func(err error) { w.errs <- err },
	})
	require.NoError(t, err)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sw.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return w
}

func TestWatchReloadsValidChangesAndReportsInvalidOnes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hubs.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"hubs": {}}`), 0o600))
	w := watch(t, p)

	replace(t, p, `{"hubs": {"chat": {"anonymousConnectPolicy": "allow"}}}`)
	select {
	case s := <-w.reloads:
		assert.True(t, s.AllowsAnonymous("chat"))
	case err := <-w.errs:
		t.Fatalf("unexpected error %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no reload")
	}

	replace(t, p, `{"hubs": {"chat": {"anonymousConnectPolicy": "sometimes"}}}`)
	select {
	case err := <-w.errs:
		assert.ErrorContains(t, err, p+":1:46: hubs.chat.anonymousConnectPolicy")
	case <-w.reloads:
		t.Fatal("an invalid file was reloaded")
	case <-time.After(10 * time.Second):
		t.Fatal("no error reported")
	}
}

// replace swaps the file's content at once (write a temporary file, rename).
func replace(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path+".tmp", []byte(content), 0o600))
	require.NoError(t, os.Rename(path+".tmp", path))
}

// TestREADMESettingsExample keeps the README's complete example valid.
func TestREADMESettingsExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	const marker = "<!-- settings-example"
	i := bytes.Index(readme, []byte(marker))
	require.GreaterOrEqual(t, i, 0, "the README's settings example is marked")
	rest := readme[i:]
	start := bytes.Index(rest, []byte("```json\n")) + len("```json\n")
	end := bytes.Index(rest[start:], []byte("```"))
	require.Positive(t, end)
	s, err := settings.Parse(rest[start : start+end])
	require.NoError(t, err)
	h, ok := s.Match("Sample_Chat", "typing", false)
	require.True(t, ok)
	assert.Equal(t, "http://127.0.0.1:3000/eventhandler/{event}", h.URLTemplate)
	assert.True(t, s.AllowsAnonymous("public"))
	h, ok = s.Match("other", "x", false)
	require.True(t, ok)
	assert.Equal(t, "http://127.0.0.1:3003/fallback/{hub}/{event}", h.URLTemplate)
}

// Placeholders match in any case, as in Microsoft's emulator.
func TestPlaceholdersAnyCase(t *testing.T) {
	s, err := settings.Parse([]byte(`{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "http://h/{HUB}/{Event}", "systemEvents": ["connect"]}]}}}`))
	require.NoError(t, err)
	h, ok := s.Match("chat", "connect", true)
	require.True(t, ok)
	assert.Equal(t, "http://h/{HUB}/{Event}", h.URLTemplate)
}

// Hub names follow the service's rules (internal/names), the ones REST
// applies: "a.b" is a hub, "_chat" is not.
func TestHubNamesFollowTheServiceRules(t *testing.T) {
	for _, name := range []string{"a.b", "chat", "Chat_1", "a[1],b`c", "*"} {
		_, err := settings.Parse([]byte(`{"hubs": {"` + name + `": {}}}`))
		assert.NoError(t, err, name)
		assert.NoError(t, (&settings.Settings{Hubs: map[string]settings.Hub{name: {}}}).Validate(), name)
	}
	for _, name := range []string{"_chat", "9chat", "a-b", "a b", strings.Repeat("a", 129)} {
		_, err := settings.Parse([]byte(`{"hubs": {"` + name + `": {}}}`))
		assert.ErrorContains(t, err, "invalid hub name", name)
		assert.ErrorContains(t, (&settings.Settings{Hubs: map[string]settings.Hub{name: {}}}).Validate(), "invalid hub name", name)
	}
	_, err := settings.Parse([]byte(`{"WebPubSub": {"Hubs": {"_default": {}}}}`))
	assert.ErrorContains(t, err, `use "*" for the settings of every hub`, "Microsoft's emulator's default hub gets a hint")
}
