//go:build unix

package settings_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/settings"
)

// mkfifo makes a named pipe at path. When the code under test blocks
// opening it (the bug these tests guard against), cleanup opens the pipe
// for writing, which releases the reader, so that a failing test does not
// leave a goroutine blocked for ever.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	t.Cleanup(func() {
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
}

// within runs f and fails the test when it does not return within d.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %s", what, d)
	}
}

func TestSpecialFilesAreRefusedAtStart(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	mkfifo(t, fifo)
	linkToFIFO := filepath.Join(dir, "link-fifo.json")
	require.NoError(t, os.Symlink(fifo, linkToFIFO))
	zero := filepath.Join(dir, "zero.json")
	require.NoError(t, os.Symlink("/dev/zero", zero))

	cases := map[string]string{fifo: "named pipe", linkToFIFO: "named pipe", zero: "device", dir: "directory"}
	for path, kind := range cases {
		t.Run(filepath.Base(path), func(t *testing.T) {
			within(t, 5*time.Second, "Load", func() {
				_, err := settings.Load(path)
				require.Error(t, err)
				assert.Contains(t, err.Error(), "is not a regular file")
				assert.Contains(t, err.Error(), kind)
				assert.Contains(t, err.Error(), path)
			})
			within(t, 5*time.Second, "NewWatcher", func() {
				_, _, err := settings.NewWatcher(path, settings.WatchOptions{OnReload: func(*settings.Settings) {}})
				assert.ErrorContains(t, err, "is not a regular file")
			})
		})
	}
}

// A symlink to a regular file is read as the file (configuration mounts,
// such as Kubernetes ConfigMaps, are symlinks).
func TestSymlinkToRegularFileIsRead(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	require.NoError(t, os.WriteFile(target, []byte(`{"hubs": {"chat": {"anonymousConnectPolicy": "allow"}}}`), 0o600))
	link := filepath.Join(dir, "hubs.json")
	require.NoError(t, os.Symlink(target, link))
	s, err := settings.Load(link)
	require.NoError(t, err)
	assert.True(t, s.AllowsAnonymous("chat"))
}

// Replacing the watched file with a FIFO or a link to /dev/zero is reported
// and ignored; the watcher keeps polling (a later valid file is reloaded)
// and stops at once when asked.
func TestSpecialFilesAreRefusedOnReload(t *testing.T) {
	for _, kind := range []string{"fifo", "zero"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "hubs.json")
			require.NoError(t, os.WriteFile(p, []byte(`{"hubs": {}}`), 0o600))
			reloads := make(chan *settings.Settings, 8)
			errs := make(chan error, 8)
			sw, _, err := settings.NewWatcher(p, settings.WatchOptions{
				Interval: 10 * time.Millisecond,
				OnReload: func(s *settings.Settings) { reloads <- s },
				OnError:  func(err error) { errs <- err },
			})
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			stopped := make(chan struct{})
			go func() {
				defer close(stopped)
				sw.Run(ctx)
			}()
			t.Cleanup(func() {
				cancel()
				<-stopped
			})

			special := filepath.Join(dir, "special")
			if kind == "fifo" {
				mkfifo(t, special)
			} else {
				require.NoError(t, os.Symlink("/dev/zero", special))
			}
			require.NoError(t, os.Rename(special, p))
			select {
			case err := <-errs:
				assert.ErrorContains(t, err, "is not a regular file")
			case <-reloads:
				t.Fatal("a special file was reloaded")
			case <-time.After(10 * time.Second):
				t.Fatal("the special file was not reported")
			}

			replace(t, p, `{"hubs": {"chat": {"anonymousConnectPolicy": "allow"}}}`)
			select {
			case s := <-reloads:
				assert.True(t, s.AllowsAnonymous("chat"), "the watcher still sees later edits")
			case err := <-errs:
				t.Fatalf("unexpected error %v", err)
			case <-time.After(10 * time.Second):
				t.Fatal("a valid file after the special one was not reloaded")
			}

			require.NoError(t, os.Remove(p))
			if kind == "fifo" {
				mkfifo(t, p)
			} else {
				require.NoError(t, os.Symlink("/dev/zero", p))
			}
			time.Sleep(50 * time.Millisecond) // let the watcher poll the special file
			cancel()
			select {
			case <-stopped:
			case <-time.After(5 * time.Second):
				t.Fatal("Run did not stop while the file is a special file")
			}
		})
	}
}
