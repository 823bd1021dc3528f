package core_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

// order records the frames handled.
type order struct {
	mu   sync.Mutex
	seen []string
}

func (o *order) work(name string) func() {
	return func() {
		o.mu.Lock()
		o.seen = append(o.seen, name)
		o.mu.Unlock()
	}
}

func (o *order) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.seen...)
}

// TestARecoveredSocketReadsWhileTheOldOnesFrameIsHandled: a frame of the
// dropped socket whose handling waits (an upstream call) does not stop the
// recovered socket from reading; its frames run after, in order.
func TestARecoveredSocketReadsWhileTheOldOnesFrameIsHandled(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	c, old := register(t, k, core.ConnSpec{ID: "c", Recoverable: true})
	var o order
	release := make(chan struct{})
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- c.Submit(context.Background(), old, 1, func() {
			close(started)
			<-release // the upstream answers late
			o.work("old 1")()
		})
	}()
	<-started
	recovered := &fakeLink{}
	require.True(t, c.Recover(recovered, func(core.Link) {}))
	for i := 1; i <= 3; i++ {
		within(t, "a submit behind a frame in progress", func() {
			assert.NoError(t, c.Submit(context.Background(), recovered, 1, o.work(fmt.Sprint("new ", i))))
		})
	}
	assert.Empty(t, o.list(), "the recovered socket's frames wait for the old one's")
	close(release)
	require.NoError(t, <-done)
	assert.Equal(t, []string{"old 1", "new 1", "new 2", "new 3"}, o.list())
}

func TestAFullInboxPausesReading(t *testing.T) {
	lim := core.DefaultLimits()
	lim.InboxFrames = 2
	k, _ := newCore(t, lim)
	c, l := register(t, k, core.ConnSpec{ID: "c"})
	var o order
	release := make(chan struct{})
	started := make(chan struct{})
	go func() {
		_ = c.Submit(context.Background(), l, 1, func() { close(started); <-release })
	}()
	<-started
	require.NoError(t, c.Submit(context.Background(), l, 1, o.work("1")))
	require.NoError(t, c.Submit(context.Background(), l, 1, o.work("2")))
	third := make(chan error, 1)
	go func() { third <- c.Submit(context.Background(), l, 1, o.work("3")) }()
	select {
	case <-third:
		t.Fatal("a full inbox took a third frame")
	case <-time.After(50 * time.Millisecond):
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, c.Submit(ctx, l, 1, o.work("never")), context.Canceled, "a reader whose socket ended stops waiting")
	close(release)
	require.NoError(t, <-third)
	eventually(t, func() bool { return len(o.list()) == 3 }, "every queued frame ran")
	assert.Equal(t, []string{"1", "2", "3"}, o.list())
}

func TestInboxBytesBoundTheQueue(t *testing.T) {
	lim := core.DefaultLimits()
	lim.InboxBytes = 10
	k, _ := newCore(t, lim)
	c, l := register(t, k, core.ConnSpec{ID: "c"})
	require.NoError(t, c.Submit(context.Background(), l, 100, func() {}), "a frame larger than the bound fits an empty inbox")
	release := make(chan struct{})
	started := make(chan struct{})
	go func() { _ = c.Submit(context.Background(), l, 1, func() { close(started); <-release }) }()
	<-started
	require.NoError(t, c.Submit(context.Background(), l, 8, func() {}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, c.Submit(ctx, l, 3, func() {}), context.DeadlineExceeded, "8+3 bytes are over the bound")
	close(release)
}

func TestFramesOfAReplacedOrRemovedSocketHaveNoEffect(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	c, old := register(t, k, core.ConnSpec{ID: "c", Recoverable: true})
	var o order
	require.NoError(t, c.Submit(context.Background(), old, 1, o.work("old before")))
	require.True(t, c.Recover(&fakeLink{}, func(core.Link) {}))
	require.NoError(t, c.Submit(context.Background(), old, 1, o.work("old after the recovery")))
	d, l := register(t, k, core.ConnSpec{ID: "d"})
	d.Remove(core.CloseReason{Text: "bye"})
	require.NoError(t, d.Submit(context.Background(), l, 1, o.work("removed")))
	assert.Equal(t, []string{"old before"}, o.list())
}

// TestObserversSeeEachConnectionsChangesInOrder runs joins and leaves of
// the same groups from many goroutines: replaying the events the observer
// saw gives each connection's final groups, so no event overtook another.
func TestObserversSeeEachConnectionsChangesInOrder(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	h := k.Hub("h")
	var conns []*core.Conn
	for i := 0; i < 4; i++ {
		c, _ := register(t, k, core.ConnSpec{ID: fmt.Sprint("c", i), UserID: "u"})
		conns = append(conns, c)
	}
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				c := conns[(w+i)%len(conns)]
				g := fmt.Sprint("g", i%3)
				switch (w + i) % 4 {
				case 0, 1:
					_ = h.Join(c, g, nil)
				case 2:
					h.Leave(c, g)
				default:
					if _, err := h.AddUserToGroup("u", g); err == nil {
						h.RemoveUserFromGroup("u", g)
					}
				}
			}
		}()
	}
	wg.Wait()
	groups := map[string]map[string]bool{}
	for _, e := range rec.log() {
		f := strings.Fields(e)
		switch f[0] {
		case "connected":
			groups[f[1]] = map[string]bool{}
		case "joined":
			assert.False(t, groups[f[1]][f[2]], "joined twice without leaving: %s", e)
			groups[f[1]][f[2]] = true
		case "left":
			assert.True(t, groups[f[1]][f[2]], "left without joining: %s", e)
			delete(groups[f[1]], f[2])
		}
	}
	for _, c := range conns {
		var replayed []string
		for g := range groups[c.ID()] {
			replayed = append(replayed, g)
		}
		assert.ElementsMatch(t, c.Groups(), replayed, "connection %s", c.ID())
	}
}

// within fails the test if f does not return within 10 s.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s blocked", what)
	}
}
