package core_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

func TestLostRecoverableConnectionWaitsForRecovery(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true, RecoveryWindow: time.Hour})
	c.LinkEnded(l, false)
	assert.Same(t, c, k.Hub("h").Conn("c"), "a dropped connection still exists")
	assert.False(t, c.Serves(l))
	send(c, text("while away"))
	l2 := &fakeLink{}
	require.True(t, c.Recover(l2, func(core.Link) {}))
	assert.True(t, c.Serves(l2))
	assert.Equal(t, []delivered{{1, "while away"}}, l2.messages())
	c.LinkEnded(l, false) // the old socket's end, reported late, changes nothing
	assert.True(t, c.Serves(l2))
	assert.Equal(t, []string{"connected c []", "dropped c", "message connection c while away", "recovered c"}, rec.log())
}

func TestRecoveryWindowRunsOut(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true, RecoveryWindow: 50 * time.Millisecond})
	c.LinkEnded(l, false)
	eventually(t, func() bool { return len(rec.with("removed")) == 1 }, "removed after the window")
	assert.Equal(t, "removed c: the connection was not recovered in time", rec.with("removed")[0])
	assert.False(t, c.Recover(&fakeLink{}, func(core.Link) {}))
}

func TestARecoveryStopsTheWindowOfTheDropBefore(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true, RecoveryWindow: 100 * time.Millisecond})
	c.LinkEnded(l, false)
	l2 := &fakeLink{}
	require.True(t, c.Recover(l2, func(core.Link) {}))
	time.Sleep(300 * time.Millisecond) // three windows: the first drop's timer must not fire
	assert.Empty(t, rec.with("removed"))
	assert.True(t, c.Serves(l2))
}

func TestConnectionsThatCannotRecoverAreRemovedWhenTheirSocketEnds(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	a, la := register(t, k, core.ConnSpec{ID: "a"})
	b, lb := register(t, k, core.ConnSpec{ID: "b", Recoverable: true})
	a.LinkEnded(la, false)
	b.LinkEnded(lb, true) // a client that closes does not come back
	assert.Equal(t, []string{
		"removed a: the connection was lost",
		"removed b: the client closed the connection",
	}, rec.with("removed"))
	assert.Nil(t, k.Hub("h").Conn("a"))
	assert.False(t, b.Recover(&fakeLink{}, func(core.Link) {}))
}

func TestRemoveClosesTheSocketAndEndsTheConnection(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	var removed []string
	c, l := register(t, k, core.ConnSpec{ID: "c", Groups: []string{"g"},
		OnRemove: func(c *core.Conn) {
			removed = append(removed, c.ID())
			assert.Empty(t, rec.with("removed"), "the adapter's cleanup runs before observers hear of it")
		}})
	require.True(t, c.Remove(core.CloseReason{Kind: core.CloseWireCode, Code: 4000, Text: "kicked"}))
	r := l.closeReason()
	require.NotNil(t, r)
	assert.Equal(t, core.CloseReason{Kind: core.CloseWireCode, Code: 4000, Text: "kicked", Final: true}, *r)
	assert.Equal(t, []string{"c"}, removed)
	send(c, text("late"))
	assert.Empty(t, l.messages(), "nothing reaches a removed connection")
	c.LinkEnded(l, false)
	assert.Equal(t, []string{"removed c: kicked"}, rec.with("removed"), "removed once")
}

func TestDropAndCloseLinkKeepTheConnection(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true})
	require.True(t, c.CloseLink(core.CloseReason{Kind: core.CloseWireCode, Code: 4001, Text: "go away"}))
	assert.Equal(t, core.CloseReason{Kind: core.CloseWireCode, Code: 4001, Text: "go away"}, *l.closeReason(), "not final")
	c.LinkEnded(l, false)
	assert.False(t, c.Drop(), "no socket to drop")
	assert.False(t, c.CloseLink(core.CloseReason{}))
	l2 := &fakeLink{}
	require.True(t, c.Recover(l2, func(core.Link) {}))
	require.True(t, c.Drop())
	assert.True(t, l2.wasAborted())
	assert.Empty(t, rec.with("removed"))
}

func TestARecoveryAbortsTheSocketItReplaces(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true})
	l2 := &fakeLink{}
	require.True(t, c.Recover(l2, func(core.Link) {}), "the client came back before its old socket's end was noticed")
	assert.True(t, l.wasAborted())
	assert.False(t, c.Serves(l))
	assert.True(t, c.Serves(l2))
}

func TestEstablishReportsTheGroupsAtThatMoment(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	h := k.Hub("h")
	c, err := h.Register(core.ConnSpec{ID: "c", Groups: []string{"b", "a"}, Link: &fakeLink{}})
	require.NoError(t, err)
	require.NoError(t, h.Join(c, "c", nil)) // during the handshake
	h.Leave(c, "b")
	assert.Empty(t, rec.log(), "nothing is reported before the connection is established")
	require.True(t, c.Establish())
	assert.False(t, c.Establish(), "once")
	require.NoError(t, h.Join(c, "d", nil))
	assert.Equal(t, []string{"connected c [a c]", "joined c d"}, rec.log())

	gone, err := h.Register(core.ConnSpec{ID: "gone", Link: &fakeLink{}})
	require.NoError(t, err)
	gone.Remove(core.CloseReason{Text: "closed during its handshake"})
	assert.False(t, gone.Establish())
}
