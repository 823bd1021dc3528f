package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pinned are the packages package.json pins, with their versions.
var pinned = map[string]string{
	"@azure/web-pubsub":         "1.2.0",
	"@azure/web-pubsub-client":  "1.1.0",
	"@azure/web-pubsub-express": "1.1.0",
	"mqtt":                      "5.16.0",
}

// scriptDeadline bounds each Node process; a script still running then is
// killed and the test fails.
const scriptDeadline = 2 * time.Minute

var (
	setupOnce sync.Once
	nodeBin   string
	setupErr  error
	skipMsg   string
)

// requireNode returns the node binary, making sure the pinned packages are
// installed. Without node it skips the test, or fails it when CI=true.
func requireNode(t *testing.T) string {
	t.Helper()
	setupOnce.Do(setup)
	if skipMsg != "" {
		if fail, msg := missingNodeVerdict(skipMsg, os.Getenv("CI")); fail {
			t.Fatal(msg)
		} else {
			t.Skip(msg)
		}
	}
	require.NoError(t, setupErr)
	return nodeBin
}

// missingNodeVerdict decides what a test does without node: skip locally,
// fail when the CI environment variable is "true".
func missingNodeVerdict(why, ci string) (fail bool, msg string) {
	if ci == "true" {
		return true, "CI=true but " + why
	}
	return false, why
}

func setup() {
	bin, err := exec.LookPath("node")
	if err != nil {
		skipMsg = "node (Node.js 20 or newer) is not on PATH; install it to run the interop tests against the official JS packages"
		return
	}
	nodeBin = bin
	if installed() == nil {
		return
	}
	// Install from the lockfile, preferring the local npm cache (no network
	// when the packages were installed before on this machine).
	npm, err := exec.LookPath("npm")
	if err != nil {
		setupErr = fmt.Errorf("interop/node_modules lacks the pinned JS packages (%v) and npm is not on PATH: run `npm ci` in interop/", installed())
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--prefer-offline", "--no-audit", "--no-fund")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		setupErr = fmt.Errorf("interop/node_modules lacks the pinned JS packages and `npm ci --prefer-offline` failed (%v): run `npm ci` in interop/; npm said:\n%s", err, out.String())
		return
	}
	if err := installed(); err != nil {
		setupErr = fmt.Errorf("after npm ci: %w; run `npm ci` in interop/", err)
	}
}

// installed checks node_modules holds the pinned versions.
func installed() error {
	for name, want := range pinned {
		b, err := os.ReadFile(filepath.Join("node_modules", filepath.FromSlash(name), "package.json"))
		if err != nil {
			return fmt.Errorf("%s is not installed", name)
		}
		var pkg struct{ Version string }
		if err := json.Unmarshal(b, &pkg); err != nil || pkg.Version != want {
			return fmt.Errorf("%s is %q, want %s", name, pkg.Version, want)
		}
	}
	return nil
}

// event is a line a script reported on its own: {"event": name, ...}.
type event struct {
	Name   string
	Fields map[string]json.RawMessage
	Raw    []byte
}

// str returns a string field of e ("" if absent or not a string).
func (e event) str(key string) string {
	var s string
	_ = json.Unmarshal(e.Fields[key], &s)
	return s
}

// decode decodes the whole event line into v.
func (e event) decode(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(e.Raw, v), "event %s", e.Raw)
}

// jsError is an operation a script reported as failed.
type jsError struct {
	Op         string          `json:"-"`
	Name       string          `json:"name"`
	Message    string          `json:"message"`
	StatusCode int             `json:"statusCode"`
	Code       json.RawMessage `json:"code"`
	// ErrorDetail is the service's error of a failed ack ({name, message}).
	ErrorDetail json.RawMessage `json:"errorDetail"`
}

func (e *jsError) Error() string {
	return fmt.Sprintf("%s failed in node: %s (status %d): %s", e.Op, e.Name, e.StatusCode, e.Message)
}

// reply is the answer to one request.
type reply struct {
	ID     int             `json:"id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *jsError        `json:"error"`
}

// nodeProc is a running Node script speaking the line protocol of js/rpc.js.
type nodeProc struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	exited chan struct{}

	mu      sync.Mutex
	nextID  int
	pending map[int]chan reply
	events  []event
	taken   []bool
	changed chan struct{} // closed and replaced when events grow or the process exits
	waitErr error
	done    bool // the process exited
}

// startNode runs js/<script> with env added to the environment. The process
// is killed after scriptDeadline or when the test ends.
func startNode(t *testing.T, script string, env ...string) *nodeProc {
	t.Helper()
	bin := requireNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), scriptDeadline)
	cmd := exec.CommandContext(ctx, bin, filepath.Join("js", script))
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = &testWriter{t: t, prefix: script + ": "}
	require.NoError(t, cmd.Start(), "starting node %s", script)
	p := &nodeProc{t: t, name: script, cmd: cmd, stdin: stdin, exited: make(chan struct{}), pending: map[int]chan reply{}, changed: make(chan struct{})}
	go p.read(stdout)
	t.Cleanup(func() {
		_ = stdin.Close() // the script exits when stdin ends
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			t.Errorf("node %s did not exit within 10s of its stdin closing; killing it", script)
		}
		cancel()
		<-p.exited
	})
	return p
}

// read parses stdout lines until the process exits.
func (p *nodeProc) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := append([]byte(nil), sc.Bytes()...)
		var probe struct {
			ID    *int   `json:"id"`
			Event string `json:"event"`
		}
		if json.Unmarshal(line, &probe) != nil {
			p.t.Logf("%s: stdout: %s", p.name, line)
			continue
		}
		if probe.ID != nil {
			var r reply
			if err := json.Unmarshal(line, &r); err == nil {
				p.mu.Lock()
				ch := p.pending[r.ID]
				delete(p.pending, r.ID)
				p.mu.Unlock()
				if ch != nil {
					ch <- r
				}
			}
			continue
		}
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(line, &fields)
		p.mu.Lock()
		p.events = append(p.events, event{Name: probe.Event, Fields: fields, Raw: line})
		p.taken = append(p.taken, false)
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
	}
	err := p.cmd.Wait()
	p.mu.Lock()
	p.waitErr = err
	p.done = true
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
	close(p.exited)
}

// call sends op with args and waits for the answer; a failure reported by
// the script is a *jsError.
func (p *nodeProc) call(ctx context.Context, op string, args any) (json.RawMessage, error) {
	if args == nil {
		args = map[string]any{}
	}
	p.mu.Lock()
	p.nextID++
	id := p.nextID
	ch := make(chan reply, 1)
	p.pending[id] = ch
	p.mu.Unlock()
	line, err := json.Marshal(map[string]any{"id": id, "op": op, "args": args})
	if err != nil {
		return nil, err
	}
	if _, err := p.stdin.Write(append(line, '\n')); err != nil {
		return nil, fmt.Errorf("writing %s to node %s: %w", op, p.name, err)
	}
	select {
	case r := <-ch:
		if !r.OK {
			if r.Error == nil {
				r.Error = &jsError{}
			}
			r.Error.Op = op
			return nil, r.Error
		}
		return r.Result, nil
	case <-p.exited:
		return nil, fmt.Errorf("node %s exited during %s: %v", p.name, op, p.waitErr)
	case <-ctx.Done():
		return nil, fmt.Errorf("%s in node %s: %w", op, p.name, ctx.Err())
	}
}

// must calls op and fails the test on an error; the result is decoded into
// out when out is not nil.
func (p *nodeProc) must(ctx context.Context, op string, args any, out any) {
	p.t.Helper()
	res, err := p.call(ctx, op, args)
	require.NoError(p.t, err)
	if out != nil {
		require.NoError(p.t, json.Unmarshal(res, out), "result of %s: %s", op, res)
	}
}

// waitEvent returns the first event not returned before that is named name
// and satisfies match (nil matches all), waiting until ctx ends.
func (p *nodeProc) waitEvent(ctx context.Context, name string, match func(event) bool) (event, error) {
	for {
		p.mu.Lock()
		for i, e := range p.events {
			if !p.taken[i] && e.Name == name && (match == nil || match(e)) {
				p.taken[i] = true
				p.mu.Unlock()
				return e, nil
			}
		}
		changed := p.changed
		exited := p.done
		p.mu.Unlock()
		if exited {
			return event{}, fmt.Errorf("node %s exited before reporting %s", p.name, name)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return event{}, fmt.Errorf("waiting for %s from node %s: %w", name, p.name, ctx.Err())
		}
	}
}

// mustEvent is waitEvent failing the test on a timeout.
func (p *nodeProc) mustEvent(ctx context.Context, name string, match func(event) bool) event {
	p.t.Helper()
	e, err := p.waitEvent(ctx, name, match)
	require.NoError(p.t, err)
	return e
}

// eventsNamed returns every event named name so far, taken or not.
func (p *nodeProc) eventsNamed(name string) []event {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []event
	for _, e := range p.events {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// testWriter logs what a script writes to stderr, line by line.
type testWriter struct {
	t      *testing.T
	prefix string
	mu     sync.Mutex
	buf    []byte
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(w.buf[:i]), "\r")
		w.buf = w.buf[i+1:]
		logSafely(w.t, w.prefix+line)
	}
	return len(b), nil
}

// logSafely logs unless the test has finished (a late line would panic).
func logSafely(t *testing.T, s string) {
	defer func() { _ = recover() }()
	t.Log(s)
}

// errIs reports whether err is a *jsError with the given status.
func jsStatus(err error) int {
	var je *jsError
	if errors.As(err, &je) {
		return je.StatusCode
	}
	return 0
}
