package settings_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/settings"
)

// A valid file that replaces an invalid or missing one is reported as a
// recovery, with the problem it fixed, so that the emulator can say that
// the file is good again (#25.8: fixing a broken file logged nothing).
func TestWatchReportsRecoveryFromAnInvalidFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hubs.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"hubs": {}}`), 0o600))
	reloads := make(chan settings.Reload, 8)
	errs := make(chan error, 8)
	sw, _, err := settings.NewWatcher(p, settings.WatchOptions{
		Interval:   10 * time.Millisecond,
		OnReloaded: func(r settings.Reload) { reloads <- r },
		OnError:    func(err error) { errs <- err },
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sw.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })

	next := func() settings.Reload {
		t.Helper()
		select {
		case r := <-reloads:
			return r
		case err := <-errs:
			t.Fatalf("unexpected error %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("no reload")
		}
		return settings.Reload{}
	}
	nextErr := func() error {
		t.Helper()
		select {
		case err := <-errs:
			return err
		case r := <-reloads:
			t.Fatalf("unexpected reload %+v", r)
		case <-time.After(10 * time.Second):
			t.Fatal("no error")
		}
		return nil
	}

	replace(t, p, `{"hubs": {"chat": {"anonymousConnectPolicy": "allow"}}}`)
	r := next()
	assert.False(t, r.Recovered, "a change from a valid file is no recovery")
	assert.NoError(t, r.Fixed)
	assert.True(t, r.Settings.AllowsAnonymous("chat"))

	replace(t, p, `{"hubs": {"chat": {"anonymousConnectPolicy": "sometimes"}}}`)
	bad := nextErr()
	replace(t, p, `{"hubs": {"chat": {"anonymousConnectPolicy": "deny"}}}`)
	r = next()
	assert.True(t, r.Recovered, "the file was invalid before")
	assert.Equal(t, bad, r.Fixed, "the problem that was fixed")
	assert.False(t, r.Settings.AllowsAnonymous("chat"))

	require.NoError(t, os.Remove(p))
	missing := nextErr()
	assert.ErrorContains(t, missing, "no such file")
	replace(t, p, `{"hubs": {}}`)
	r = next()
	assert.True(t, r.Recovered, "the file was missing before")
	assert.Equal(t, missing, r.Fixed)

	replace(t, p, `{"hubs": {"x": {}}}`)
	assert.False(t, next().Recovered)
}

// OnReloaded, when set, is called instead of OnReload; one of them is
// required.
func TestWatchCallbacks(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hubs.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"hubs": {}}`), 0o600))
	_, _, err := settings.NewWatcher(p, settings.WatchOptions{})
	assert.ErrorContains(t, err, "OnReloaded or OnReload is required")

	calls := make(chan string, 8)
	sw, _, err := settings.NewWatcher(p, settings.WatchOptions{
		Interval:   10 * time.Millisecond,
		OnReload:   func(*settings.Settings) { calls <- "OnReload" },
		OnReloaded: func(settings.Reload) { calls <- "OnReloaded" },
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sw.Run(ctx)
	}()
	replace(t, p, `{"hubs": {"a": {}}}`)
	select {
	case c := <-calls:
		assert.Equal(t, "OnReloaded", c)
	case <-time.After(10 * time.Second):
		t.Fatal("no reload")
	}
	cancel()
	wg.Wait()
	assert.Empty(t, calls, "OnReload is not called as well")
}
