package core_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

// The extensions for wires whose sessions the adapter keeps (MQTT):
// ConnSpec.Offline, Conn.Takeover and Conn.SetRecoveryWindow.

func TestOfflineLinkTakesMessagesWhileTheConnectionHasNoSocket(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	off := &fakeLink{}
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true, RecoveryWindow: time.Hour, Offline: off})
	send(c, text("online"))
	assert.Equal(t, []delivered{{0, "online"}}, l.messages(), "no sequence id: the adapter keeps the messages")
	msgs, bytes := c.Unacked()
	assert.Zero(t, msgs, "the core keeps no resend buffer")
	assert.Zero(t, bytes)

	c.LinkEnded(l, false)
	send(c, text("away"))
	assert.Equal(t, []delivered{{0, "away"}}, off.messages(), "the offline link queues for the absent client")

	l2 := &fakeLink{}
	greeted := false
	require.True(t, c.Recover(l2, func(core.Link) { greeted = true }))
	assert.True(t, greeted)
	assert.Empty(t, l2.messages(), "nothing is replayed by the core")
	send(c, text("back"))
	assert.Equal(t, []delivered{{0, "back"}}, l2.messages())
	assert.Len(t, off.messages(), 1, "the offline link only serves while there is no socket")
	assert.False(t, off.wasAborted())
	assert.Nil(t, off.closeReason())
	assert.Equal(t, []string{"dropped c", "recovered c"}, append(rec.with("dropped"), rec.with("recovered")...))
}

func TestOfflineLinkThatRefusesEndsTheConnection(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	off := &fakeLink{full: true}
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true, RecoveryWindow: time.Hour, Offline: off})
	c.LinkEnded(l, false)
	send(c, text("too much"))
	eventually(t, func() bool { return len(rec.with("removed")) == 1 }, "removed in the background")
	assert.Equal(t, []string{"limit c: the client does not read its messages fast enough"}, rec.with("limit"))
}

func TestOfflineIsIgnoredForConnectionsThatCannotRecover(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	off := &fakeLink{}
	c, l := register(t, k, core.ConnSpec{ID: "c", Offline: off})
	c.LinkEnded(l, false)
	assert.Equal(t, []string{"removed c: the connection was lost"}, rec.with("removed"))
	send(c, text("x"))
	assert.Empty(t, off.messages())
}

func TestTakeoverClosesThePreviousSocketWithTheReason(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true, RecoveryWindow: time.Hour, Offline: &fakeLink{}})
	l2 := &fakeLink{}
	require.True(t, c.Takeover(l2, func(core.Link) {}, core.CloseReason{Kind: core.CloseTakenOver, Text: "taken over", Final: true}))
	require.NotNil(t, l.closeReason(), "the live socket is closed, not aborted")
	assert.Equal(t, core.CloseReason{Kind: core.CloseTakenOver, Text: "taken over"}, *l.closeReason(), "only the socket ends")
	assert.False(t, l.wasAborted())
	assert.True(t, c.Serves(l2))
	assert.False(t, c.Serves(l))
	c.LinkEnded(l, false) // the old socket's end changes nothing
	assert.True(t, c.Serves(l2))
	assert.Empty(t, rec.with("removed"))
	assert.Equal(t, []string{"recovered c"}, rec.with("recovered"))
}

func TestTakeoverOfARemovedConnectionFails(t *testing.T) {
	k, _ := newCore(t, core.Limits{})
	c, _ := register(t, k, core.ConnSpec{ID: "c", Recoverable: true})
	c.Remove(core.CloseReason{Text: "bye"})
	assert.False(t, c.Takeover(&fakeLink{}, func(core.Link) { t.Error("greet of a removed connection") }, core.CloseReason{Kind: core.CloseTakenOver}))
}

func TestRecoveryWindowZeroEndsTheConnectionWithItsSocket(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true, RecoveryWindow: time.Hour})
	c.SetRecoveryWindow(0)
	c.LinkEnded(l, false)
	assert.Equal(t, []string{"removed c: the connection was lost"}, rec.with("removed"))
	assert.Empty(t, rec.with("dropped"))
}

func TestSetRecoveryWindowAppliesToTheNextDrop(t *testing.T) {
	k, rec := newCore(t, core.Limits{})
	c, l := register(t, k, core.ConnSpec{ID: "c", Recoverable: true, RecoveryWindow: time.Hour})
	c.SetRecoveryWindow(50 * time.Millisecond)
	c.LinkEnded(l, false)
	assert.Equal(t, []string{"dropped c"}, rec.with("dropped"))
	eventually(t, func() bool { return len(rec.with("removed")) == 1 }, "removed after the new window")
	assert.Equal(t, "removed c: the connection was not recovered in time", rec.with("removed")[0])
}
