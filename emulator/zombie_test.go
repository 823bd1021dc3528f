package emulator_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// stalledDial connects to u; the caller then stops reading so that the
// emulator's writes to it block once the socket buffers are full.
func stalledDial(t *testing.T, u, subprotocol string) *wsClient {
	t.Helper()
	return dial(t, u, subprotocol)
}

// stallMessages is how many 512 KiB messages fill the socket buffers of a
// client that does not read (loopback buffers reach a few MiB each way)
// while staying under the emulator's 32 MiB queue limit.
const stallMessages = 48

// logRecorder is a slog handler that passes every message to a channel.
type logRecorder struct{ msgs chan string }

func newLogRecorder() *logRecorder { return &logRecorder{msgs: make(chan string, 4096)} }

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	select {
	case l.msgs <- r.Message:
	default:
	}
	return nil
}

// waitFor waits (up to 60 s) for a log message containing s.
func (l *logRecorder) waitFor(t *testing.T, s string) {
	t.Helper()
	timeout := time.After(60 * time.Second)
	var seen []string
	for {
		select {
		case m := <-l.msgs:
			seen = append(seen, m)
			if strings.Contains(m, s) {
				return
			}
		case <-timeout:
			t.Fatalf("no log message containing %q (seen: %q)", s, seen)
		}
	}
}

// fillStalled sends n messages of 512 KiB to connection id, more than the
// socket buffers of a client that does not read can hold, so that the
// emulator's writer blocks.
func fillStalled(t *testing.T, e *emulator.Emulator, hub, id string, n int) {
	t.Helper()
	big := strings.Repeat("x", 512<<10)
	for i := 0; i < n; i++ {
		send(t, e, "/api/hubs/"+hub+"/connections/"+id+"/:send", big)
	}
}

// drainAll reads until the connection ends and returns the frames read.
func drainAll(t *testing.T, c *wsClient) []protocol.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []protocol.Message
	for {
		_, data, err := c.ws.Read(ctx)
		if err != nil {
			require.False(t, errors.Is(err, context.DeadlineExceeded), "the emulator never ended the connection (read %d frames)", len(out))
			return out
		}
		if m, err := protocol.Decode(data); err == nil {
			out = append(out, m)
		}
	}
}

// zombieFrames sends, from a removed connection, a sendToGroup to group g and
// a joinGroup with an ackId. Write errors are ignored: on a loaded machine
// the emulator may have aborted the socket already.
func zombieFrames(c *wsClient) {
	for _, m := range []protocol.Message{
		protocol.SendToGroupMessage{Group: "g", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("zombie")}},
		protocol.JoinGroupMessage{Group: "zombie-group", AckID: ackID(7)},
	} {
		b, err := protocol.Encode(m)
		require.NoError(c.t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = c.ws.Write(ctx, websocket.MessageText, b)
		cancel()
	}
}

// requireNoZombieEffect proves that the frames of zombieFrames had no effect:
// the listener in g gets the marker sent afterwards first, and the group the
// zombie joined does not exist.
func requireNoZombieEffect(t *testing.T, e *emulator.Emulator, listener *wsClient, zombieSaw []protocol.Message) {
	t.Helper()
	for _, m := range zombieSaw {
		if a, ok := m.(protocol.AckMessage); ok {
			assert.False(t, a.Success, "a removed connection got a successful ack %#v", a)
		}
	}
	send(t, e, "/api/hubs/hub1/groups/g/:send", "marker")
	m := listener.next()
	gm, ok := m.(protocol.GroupDataMessage)
	require.True(t, ok && gm.FromUserID == "", "want the marker sent through REST (no sender), got %#v (a frame of the removed connection was handled)", m)
	assert.Equal(t, "marker", string(gm.Data.Data))
	r := call(t, e, http.MethodHead, "/api/hubs/hub1/groups/zombie-group", "", nil)
	assert.Equal(t, http.StatusNotFound, r.status, "a removed connection joined a group")
}

var zombieClaims = auth.Claims{Subject: "z", Roles: []string{protocol.RoleSendToGroup, protocol.RoleJoinLeaveGroup}}

func TestRESTCloseOfStalledConnectionStopsIt(t *testing.T) {
	defer emulator.SetCloseTimeout(500 * time.Millisecond)()
	defer emulator.SetWriteTimeout(time.Minute)() // only the close timeout aborts
	logs := newLogRecorder()
	e := start(t, emulator.Options{Logger: slog.New(logs)})
	listener, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: "l", Groups: []string{"g"}})
	z := stalledDial(t, clientURL(t, e, "hub1", zombieClaims), protocol.JSON)
	id := z.connected().ConnectionID
	fillStalled(t, e, "hub1", id, stallMessages)

	r := call(t, e, http.MethodDelete, "/api/hubs/hub1/connections/"+id, "", nil)
	require.Equal(t, http.StatusNoContent, r.status, r.body)
	zombieFrames(z)
	// The close frame cannot be written behind the stalled data: the
	// emulator aborts the socket instead of waiting forever.
	logs.waitFor(t, "close frame could not be written in time")
	saw := drainAll(t, z)
	assert.Less(t, len(saw), stallMessages, "the stalled data was still written after the removal")
	requireNoZombieEffect(t, e, listener, saw)
}

func TestInvalidFrameOfStalledConnectionStopsIt(t *testing.T) {
	defer emulator.SetCloseTimeout(500 * time.Millisecond)()
	defer emulator.SetWriteTimeout(time.Minute)() // only the close timeout aborts
	logs := newLogRecorder()
	e := start(t, emulator.Options{Logger: slog.New(logs)})
	listener, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: "l", Groups: []string{"g"}})
	z := stalledDial(t, clientURL(t, e, "hub1", zombieClaims), protocol.JSON)
	id := z.connected().ConnectionID
	fillStalled(t, e, "hub1", id, stallMessages)

	// A binary frame is not allowed with the JSON subprotocol.
	require.NoError(t, z.ws.Write(t.Context(), websocket.MessageBinary, []byte{1, 2, 3}))
	zombieFrames(z)
	logs.waitFor(t, "close frame could not be written in time")
	saw := drainAll(t, z)
	requireNoZombieEffect(t, e, listener, saw)
}

func TestJoinGroupAfterRemovalIsNotAcked(t *testing.T) {
	e := start(t, emulator.Options{})
	z, id := connectJSON(t, e, "hub1", zombieClaims)
	r := call(t, e, http.MethodDelete, "/api/hubs/hub1/connections/"+id, "", nil)
	require.Equal(t, http.StatusNoContent, r.status, r.body)
	// The client may still be sending when the close arrives.
	_ = z.ws.Write(t.Context(), websocket.MessageText, []byte(`{"type":"joinGroup","group":"late","ackId":1}`))
	for _, m := range drainAll(t, z) {
		if a, ok := m.(protocol.AckMessage); ok {
			assert.False(t, a.Success, "joinGroup after removal acked with success")
		}
	}
	r = call(t, e, http.MethodHead, "/api/hubs/hub1/groups/late", "", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
}

func TestEmulatorCloseDoesNotBlockOnStalledPeer(t *testing.T) {
	for _, removal := range []string{"rest-close", "none"} {
		t.Run(removal, func(t *testing.T) {
			srv := emulatortest.New(t, nil)
			e := srv.Emulator
			z := stalledDial(t, clientURL(t, e, "hub1", zombieClaims), protocol.JSONReliable)
			id := z.connected().ConnectionID
			fillStalled(t, e, "hub1", id, stallMessages)
			if removal == "rest-close" {
				r := call(t, e, http.MethodDelete, "/api/hubs/hub1/connections/"+id, "", nil)
				require.Equal(t, http.StatusNoContent, r.status, r.body)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Close() }()
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(4 * time.Second): // the default close timeout is longer
				z.ws.CloseNow() // unblock so that the test can end
				<-done
				t.Fatal("Emulator.Close blocked on a stalled peer")
			}
		})
	}
}

// TestWriteTimeoutDropsStalledClient: a client that takes no frame for the
// write timeout is dropped, like a network failure, without any removal.
func TestWriteTimeoutDropsStalledClient(t *testing.T) {
	defer emulator.SetWriteTimeout(300 * time.Millisecond)()
	logs := newLogRecorder()
	e := start(t, emulator.Options{Logger: slog.New(logs)})
	z := stalledDial(t, clientURL(t, e, "hub1", zombieClaims), protocol.JSON)
	id := z.connected().ConnectionID
	fillStalled(t, e, "hub1", id, stallMessages)
	logs.waitFor(t, "a write did not finish in time")
	require.Eventually(t, func() bool { return !exists(t, e, "hub1", id) }, 10*time.Second, 20*time.Millisecond,
		"a dropped non-reliable connection is removed")
}
