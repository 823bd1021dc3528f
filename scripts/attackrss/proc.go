package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	webpubsub "github.com/webpubsub-go/webpubsub"
)

// rssCap is the RSS (KiB) past which an emulator is stopped.
var rssCap int64 = 2 << 20

// emulatorProc is a running CLI emulator.
type emulatorProc struct {
	cmd      *exec.Cmd
	endpoint string // http://127.0.0.1:PORT
	key      string
	dir      string // holds the settings file
	errBytes atomic.Int64
	hitCap   atomic.Bool
	done     chan struct{}
	watchEnd chan struct{}
}

// countWriter counts what the emulator writes to stderr.
type countWriter struct{ n *atomic.Int64 }

func (w countWriter) Write(p []byte) (int, error) { w.n.Add(int64(len(p))); return len(p), nil }

// startEmulator starts "bin emulator -addr 127.0.0.1:0" (with -config when
// config is set, and args), reads its connection string and waits until it
// serves.
func startEmulator(bin, config string, args ...string) (*emulatorProc, error) {
	dir, err := os.MkdirTemp("", "attackrss")
	if err != nil {
		return nil, err
	}
	e := &emulatorProc{dir: dir, done: make(chan struct{}), watchEnd: make(chan struct{})}
	args = append([]string{"emulator", "-addr", "127.0.0.1:0"}, args...)
	if config != "" {
		path := filepath.Join(dir, "hubs.json")
		if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
			return nil, err
		}
		args = append(args, "-config", path)
	}
	e.cmd = exec.Command(bin, args...)
	e.cmd.Stderr = countWriter{&e.errBytes}
	out, err := e.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := e.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = e.cmd.Wait(); close(e.done) }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		e.stop()
		return nil, fmt.Errorf("reading the connection string: %w", err)
	}
	cs, err := webpubsub.ParseConnectionString(strings.TrimSpace(line))
	if err != nil {
		e.stop()
		return nil, err
	}
	e.endpoint, e.key = cs.Endpoint, cs.AccessKey
	go e.watch()
	return e, e.waitHealthy()
}

// waitHealthy waits until the emulator answers its health check.
func (e *emulatorProc) waitHealthy() error {
	for i := 0; i < 100; i++ {
		resp, err := http.Get(e.endpoint + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("the emulator did not become healthy")
}

// watch stops the emulator when its RSS passes rssCap.
func (e *emulatorProc) watch() {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-e.done:
			return
		case <-e.watchEnd:
			return
		case <-t.C:
			if e.rss("VmRSS") > rssCap {
				e.hitCap.Store(true)
				_ = e.cmd.Process.Kill()
				return
			}
		}
	}
}

// capped reports whether the emulator was stopped for passing rssCap.
func (e *emulatorProc) capped() bool { return e.hitCap.Load() }

// stderrBytes is how much the emulator wrote to stderr.
func (e *emulatorProc) stderrBytes() int64 { return e.errBytes.Load() }

// rss returns a memory figure of /proc/<pid>/status in KiB (VmRSS, VmHWM);
// once the process is gone, the cap when it was stopped for passing it.
func (e *emulatorProc) rss(field string) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(e.cmd.Process.Pid) + "/status")
	if err != nil {
		if e.capped() {
			return rssCap
		}
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// stop interrupts the emulator (SIGINT, as Ctrl+C) and reports how long it
// took to stop; after 10 s it is killed.
func (e *emulatorProc) stop() (time.Duration, bool) {
	defer os.RemoveAll(e.dir)
	select {
	case <-e.watchEnd:
	default:
		close(e.watchEnd)
	}
	start := time.Now()
	_ = e.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-e.done:
		return time.Since(start), true
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.done
		return time.Since(start), false
	}
}

// settingsPath is the emulator's settings file.
func (e *emulatorProc) settingsPath() string { return filepath.Join(e.dir, "hubs.json") }

// drain reads r to its end.
func drain(r io.Reader) { _, _ = io.Copy(io.Discard, r) }
