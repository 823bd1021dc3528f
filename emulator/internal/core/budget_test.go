package core_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

func TestBudgetRefusesOverItsLimitExceptBelowTheFloor(t *testing.T) {
	b := core.NewBudget("tests", 100, 10)
	assert.True(t, b.Take(60, 50))
	assert.True(t, b.Take(40, 50))
	assert.False(t, b.Take(1, 10), "over the limit, at the floor")
	assert.Equal(t, 100, b.Used(), "a refusal reserves nothing")
	assert.True(t, b.Exhausted())
	assert.True(t, b.Take(5, 9), "a holder below its floor is always granted")
	b.Give(45)
	assert.True(t, b.Take(40, 1000))
	assert.Equal(t, 100, b.Used())
	assert.Contains(t, b.Refusal(), "budget for tests")

	var none *core.Budget
	assert.Nil(t, core.NewBudget("none", 0, 0), "no limit: no budget")
	assert.True(t, none.Take(1<<40, 1<<40))
	none.Give(1)
	assert.Zero(t, none.Used())
}

func TestSharedBudgetCountsASharedKeyOnce(t *testing.T) {
	b := core.NewBudget("shared", 100, 0)
	s := core.NewSharedBudget[string](b)
	for i := 0; i < 1000; i++ {
		require.True(t, s.Take("m1", 60, 1000), "holder %d of a key held already", i)
	}
	assert.Equal(t, 60, b.Used())
	assert.False(t, s.Take("m2", 60, 1000), "a new key over the limit")
	for i := 0; i < 999; i++ {
		s.Give("m1")
	}
	assert.Equal(t, 60, b.Used(), "one holder is left")
	s.Give("m1")
	assert.Zero(t, b.Used())
	s.Give("m1") // one too many changes nothing
	assert.Zero(t, b.Used())
	assert.True(t, s.Take("m2", 60, 1000))
}

func TestOutboundBudgetCountsSharedFramesOnce(t *testing.T) {
	k, _ := newCore(t, withLimits(func(l *core.Limits) { l.TotalQueueBytes = 4 << 20 }))
	o := k.Outbound()
	frame := make([]byte, 3<<20)
	for i := 0; i < 100; i++ {
		require.True(t, o.Take(frame, 2<<20), "recipient %d shares the frame", i)
	}
	assert.Equal(t, 3<<20, k.BudgetUse()["queue"])
	other := make([]byte, 3<<20)
	assert.False(t, o.Take(other, 2<<20), "a socket over the floor, a new frame over the budget")
	assert.True(t, o.Take(other, 0), "a socket below the floor may always take one")
	o.Give(other)
	for i := 0; i < 100; i++ {
		o.Give(frame)
	}
	assert.Zero(t, k.BudgetUse()["queue"])
}

// withLimits returns the default limits changed by f.
func withLimits(f func(*core.Limits)) core.Limits {
	l := core.DefaultLimits()
	f(&l)
	return l
}

// TestUnackedBudgetClosesTheConnectionThatGoesOver: reliable connections
// each receive their own messages and never ack; once their buffers
// together take TotalUnackedBytes, the next one over its floor is closed
// for good and its buffer released. A message buffered by many
// connections counts once.
func TestUnackedBudgetClosesTheConnectionThatGoesOver(t *testing.T) {
	// A message of 1 MiB costs 2 MiB here: its payload and its encoding.
	k, rec := newCore(t, withLimits(func(l *core.Limits) { l.TotalUnackedBytes = 12 << 20 }))
	size := func(m *core.Message) (int, error) { return len(m.Data.Data), nil }
	big := func(i int) *core.Message { return text(fmt.Sprint(i, strings.Repeat("x", 1<<20))) }
	var conns []*core.Conn
	for i := 0; i < 4; i++ {
		c, _ := register(t, k, core.ConnSpec{ID: fmt.Sprint("r", i), Recoverable: true, Size: size, Groups: []string{"all"}})
		conns = append(conns, c)
	}
	h := k.Hub("h")
	for i := 0; i < 3; i++ {
		h.Send(&core.Send{Message: big(i), Source: "rest", Target: "group all", To: h.Group("all")})
	}
	_, bytes := conns[0].Unacked()
	assert.Greater(t, bytes, 3<<20, "every connection buffers the broadcasts")
	assert.Less(t, k.BudgetUse()["unacked"], 7<<20, "three broadcasts to four connections count once")

	for i := 0; i < 4; i++ {
		send(conns[0], big(10+i))
	}
	eventually(t, func() bool { return len(rec.with("limit r0")) == 1 }, "r0 went over the budget")
	assert.Contains(t, rec.with("limit r0")[0], "budget for unacknowledged messages (12 MiB across all connections) is exhausted")
	assert.Empty(t, rec.with("limit r1"), "the others keep their buffers")
	_, bytes = conns[1].Unacked()
	assert.Greater(t, bytes, 3<<20)

	for _, c := range conns[1:] {
		require.True(t, c.AckUpTo(3))
	}
	eventually(t, func() bool { return k.BudgetUse()["unacked"] == 0 }, "acks and the removal gave everything back")
}

func TestGroupBytesAreBoundedPerConnectionAndInTotal(t *testing.T) {
	k, _ := newCore(t, withLimits(func(l *core.Limits) {
		l.MaxGroupBytesPerConnection = 4096
		l.TotalGroupBytes = 3 * (4096 + 4*core.MembershipOverhead)
	}))
	h := k.Hub("h")
	name := func(c, i int) string { return fmt.Sprintf("%d-%d-%s", c, i, strings.Repeat("g", 1020)) }
	var conns []*core.Conn
	for c := 0; c < 4; c++ {
		conn, _ := register(t, k, core.ConnSpec{ID: fmt.Sprint("c", c)})
		conns = append(conns, conn)
		for i := 0; i < 4; i++ {
			err := h.Join(conn, name(c, i), nil)
			if c < 3 {
				require.NoError(t, err, "conn %d group %d", c, i)
				continue
			}
			require.ErrorIs(t, err, core.ErrGroupBudget, "the fourth connection finds the budget used up")
		}
		if c < 3 {
			var tooMany *core.ErrTooManyGroups
			require.ErrorAs(t, h.Join(conn, name(c, 9), nil), &tooMany, "a fifth 1 KiB name is over 4 KiB")
			assert.Equal(t, 4096, tooMany.Bytes)
			assert.Contains(t, tooMany.Error(), "4096 bytes")
		}
	}
	assert.Equal(t, 3*4*(len(name(0, 0))+core.MembershipOverhead), k.BudgetUse()["groups"], "names plus the overhead of each membership")

	_, err := h.Register(core.ConnSpec{ID: "late", UserID: "u", Link: &fakeLink{}, Groups: []string{"x"}})
	require.ErrorIs(t, err, core.ErrGroupBudget, "a connection whose groups do not fit is not registered")
	assert.Nil(t, h.Conn("late"))
	assert.False(t, h.HasUser("u"))

	require.True(t, conns[0].Remove(core.CloseReason{Text: "bye"}))
	require.NoError(t, h.Join(conns[3], name(3, 0), nil), "a removal gives its memberships back")
	h.LeaveAll(conns[1])
	k.Reset()
	assert.Zero(t, k.BudgetUse()["groups"], "leaves and a reset give everything back")

	assert.NoError(t, core.DefaultLimits().CheckGroups([]string{"a", "a", "b"}))
	err = withLimits(func(l *core.Limits) { l.MaxGroupBytesPerConnection = 10 }).CheckGroups([]string{"abcdef", "ghijkl"})
	assert.ErrorContains(t, err, "take 12 bytes; the emulator's limit per connection is 10 bytes")
	assert.False(t, errors.Is(err, core.ErrGroupBudget))
}

func TestUserGroupBytesAreBounded(t *testing.T) {
	k, _ := newCore(t, withLimits(func(l *core.Limits) { l.MaxGroupBytesPerConnection = 2048 }))
	h := k.Hub("h")
	long := strings.Repeat("u", 1000)
	_, err := h.AddUserToGroup("u", "a"+long)
	require.NoError(t, err)
	_, err = h.AddUserToGroup("u", "b"+long)
	require.NoError(t, err)
	_, err = h.AddUserToGroup("u", "c"+long)
	assert.ErrorContains(t, err, "would take more than 2048 bytes")
	_, err = h.AddUserToGroup("u", "a"+long)
	assert.NoError(t, err, "a group the user is in already")
}
