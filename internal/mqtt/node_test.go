package mqtt

import (
	"bufio"
	"context"
	"encoding/json"
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

// The mqtt.js tests run interop/js/mqtt_client.js with the packages pinned
// in interop/package.json (see interop/node_test.go for the line protocol).
const (
	interopDir     = "../../interop"
	mqttJSVersion  = "5.16.0"
	scriptDeadline = 2 * time.Minute
)

// requireMQTTJS returns the node binary, or skips the test when node or
// mqtt.js is missing; with CI=true it fails instead.
func requireMQTTJS(t *testing.T) string {
	t.Helper()
	why := ""
	bin, err := exec.LookPath("node")
	if err != nil {
		why = "node is not on PATH"
	} else if b, err := os.ReadFile(filepath.Join(interopDir, "node_modules", "mqtt", "package.json")); err != nil {
		why = "interop/node_modules has no mqtt: run `npm ci` in interop/"
	} else {
		var pkg struct{ Version string }
		if json.Unmarshal(b, &pkg) != nil || pkg.Version != mqttJSVersion {
			why = fmt.Sprintf("interop/node_modules has mqtt %q, want %s: run `npm ci` in interop/", pkg.Version, mqttJSVersion)
		}
	}
	if why == "" {
		return bin
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but " + why)
	}
	t.Skip(why)
	return ""
}

// jsClient is a running mqtt_client.js.
type jsClient struct {
	t      *testing.T
	stdin  io.WriteCloser
	exited chan struct{}

	mu      sync.Mutex
	nextID  int
	pending map[int]chan jsReply
	events  []jsEvent
	taken   []bool
	changed chan struct{}
	done    bool
}

type jsReply struct {
	ID     int             `json:"id"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  *jsErr          `json:"error"`
}

// jsErr is an error the script reported: mqtt.js's message and code.
type jsErr struct {
	Name    string          `json:"name"`
	Message string          `json:"message"`
	Code    json.RawMessage `json:"code"`
	Packet  *jsPacket       `json:"packet"`
}

func (e *jsErr) Error() string { return fmt.Sprintf("%s: %s (code %s)", e.Name, e.Message, e.Code) }

// jsPacket is a packet as mqtt.js decoded it.
type jsPacket struct {
	Cmd            string         `json:"cmd"`
	SessionPresent bool           `json:"sessionPresent"`
	ReturnCode     *int           `json:"returnCode"`
	ReasonCode     *int           `json:"reasonCode"`
	Granted        []int          `json:"granted"`
	QoS            int            `json:"qos"`
	Dup            bool           `json:"dup"`
	Topic          string         `json:"topic"`
	Properties     map[string]any `json:"properties"`
}

type jsEvent struct {
	Name    string          `json:"event"`
	Topic   string          `json:"topic"`
	Payload json.RawMessage `json:"payload"`
	Packet  *jsPacket       `json:"packet"`
	Message string          `json:"message"`
	Raw     string          `json:"-"`
}

func startMQTTJS(t *testing.T) *jsClient {
	bin := requireMQTTJS(t)
	ctx, cancel := context.WithTimeout(context.Background(), scriptDeadline)
	cmd := exec.CommandContext(ctx, bin, filepath.Join(interopDir, "js", "mqtt_client.js"))
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = &logWriter{t: t}
	require.NoError(t, cmd.Start())
	c := &jsClient{t: t, stdin: stdin, exited: make(chan struct{}), pending: map[int]chan jsReply{}, changed: make(chan struct{})}
	go c.read(cmd, stdout)
	t.Cleanup(func() {
		_ = stdin.Close() // the script ends its client and exits
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			t.Errorf("mqtt_client.js did not exit within 10 s of its stdin closing")
		}
		cancel()
		<-c.exited
	})
	return c
}

func (c *jsClient) read(cmd *exec.Cmd, stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		var r jsReply
		if strings.HasPrefix(line, `{"id":`) && json.Unmarshal([]byte(line), &r) == nil {
			c.mu.Lock()
			ch := c.pending[r.ID]
			delete(c.pending, r.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- r
			}
			continue
		}
		var e jsEvent
		if json.Unmarshal([]byte(line), &e) != nil {
			continue
		}
		e.Raw = line
		c.mu.Lock()
		c.events = append(c.events, e)
		c.taken = append(c.taken, false)
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
	}
	_ = cmd.Wait()
	c.mu.Lock()
	c.done = true
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
	close(c.exited)
}

// call runs op; an error the script reported is a *jsErr.
func (c *jsClient) call(ctx context.Context, op string, args any, out any) error {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan jsReply, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	line, err := json.Marshal(map[string]any{"id": id, "op": op, "args": args})
	if err != nil {
		return err
	}
	if _, err := c.stdin.Write(append(line, '\n')); err != nil {
		return err
	}
	select {
	case r := <-ch:
		if !r.OK {
			return r.Error
		}
		if out != nil {
			return json.Unmarshal(r.Result, out)
		}
		return nil
	case <-c.exited:
		return fmt.Errorf("mqtt_client.js exited during %s", op)
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", op, ctx.Err())
	}
}

// event waits for the next event named name not returned before.
func (c *jsClient) event(ctx context.Context, name string) (jsEvent, error) {
	for {
		c.mu.Lock()
		for i, e := range c.events {
			if !c.taken[i] && e.Name == name {
				c.taken[i] = true
				c.mu.Unlock()
				return e, nil
			}
		}
		ch, done := c.changed, c.done
		c.mu.Unlock()
		if done {
			return jsEvent{}, fmt.Errorf("mqtt_client.js exited before %s", name)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return jsEvent{}, fmt.Errorf("waiting for %s: %w", name, ctx.Err())
		}
	}
}

// logWriter logs what the script writes to stderr.
type logWriter struct{ t *testing.T }

func (w *logWriter) Write(b []byte) (int, error) {
	defer func() { _ = recover() }() // a line after the test ended
	w.t.Log("mqtt_client.js: " + strings.TrimRight(string(b), "\n"))
	return len(b), nil
}
