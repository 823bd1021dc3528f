package pubsub

import (
	"log/slog"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/hooks"
	"github.com/webpubsub-go/webpubsub/emulator/internal/tasks"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wsio"
	"github.com/webpubsub-go/webpubsub/emulator/internal/wslink"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// FuzzClientFrame feeds arbitrary frames to a JSON connection: nothing may
// panic, and a connection that survives stays registered and consistent.
func FuzzClientFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"joinGroup","group":"g","ackId":1}`,
		`{"type":"sendToGroup","group":"g","dataType":"binary","data":"AAE="}`,
		`{"type":"event","event":"e","dataType":"json","data":{"a":[1]}}`,
		`{"type":"sequenceAck","sequenceId":18446744073709551615}`,
		`{"type":"ping"}`, `{"type":"leaveGroup","group":"\n"}`, `[]`, `null`, `{`,
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte{0xff, 0}, true)
	fuzzClientFrames(f, protocol.JSONReliable)
}

// harness is an adapter on a core without sockets or upstreams.
type harness struct {
	core    *core.Core
	adapter *Adapter
	tasks   *tasks.Group
}

// newHarness returns a harness that is closed when f ends.
func newHarness(f testing.TB) *harness {
	var ts tasks.Group
	log := slog.New(slog.DiscardHandler)
	hk, err := hooks.New(hooks.Config{
		Route:  func(string, string, bool) (upstream.Handler, bool) { return upstream.Handler{}, false },
		Origin: "127.0.0.1:1",
		Go:     ts.Go,
	})
	require.NoError(f, err)
	k := core.New(core.Config{Observers: []core.Observer{hk}, Go: ts.Go})
	f.Cleanup(func() {
		ts.Close()
		k.Close()
		hk.Close()
		ts.Wait()
	})
	return &harness{core: k, adapter: New(Config{Hooks: hk, Logger: log, Go: ts.Go, Limits: k.Limits()}), tasks: &ts}
}

// connect registers an established connection speaking subprotocol whose
// socket never starts (its frames are dropped when it is aborted).
func (h *harness) connect(t testing.TB, subprotocol string) *core.Conn {
	spec := core.ConnSpec{ID: core.RandomID(16), UserID: "u", Roles: []string{protocol.RoleJoinLeaveGroup, protocol.RoleSendToGroup}}
	framer, _ := h.adapter.Open(&spec, subprotocol)
	sock := wsio.New(wsio.Limits{}, slog.New(slog.DiscardHandler))
	spec.Link = wslink.New(sock, framer, spec.ID, slog.New(slog.DiscardHandler))
	c, err := h.core.Hub("fuzz").Register(spec)
	require.NoError(t, err)
	require.True(t, c.Establish())
	t.Cleanup(sock.Kill)
	return c
}

// fuzzClientFrames runs f over frames given to a new connection speaking
// subprotocol: nothing may panic, and a connection that survives stays
// registered and consistent with its groups.
func fuzzClientFrames(f *testing.F, subprotocol string) {
	h := newHarness(f)
	hub := h.core.Hub("fuzz")
	f.Fuzz(func(t *testing.T, data []byte, binary bool) {
		c := h.connect(t, subprotocol)
		typ := websocket.MessageText
		if binary {
			typ = websocket.MessageBinary
		}
		h.adapter.Handle(t.Context(), c, typ, data)
		if hub.Conn(c.ID()) == nil {
			return // removed: unregistered
		}
		require.Same(t, c, hub.Conn(c.ID()))
		for _, g := range c.Groups() {
			require.Contains(t, hub.Group(g), c)
		}
		c.Remove(core.CloseReason{Kind: core.CloseNormal, Text: "done"})
	})
}
