package wsio

import (
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingBudget is a Budget that counts what is taken and not given back,
// refusing beyond limit.
type countingBudget struct {
	mu     sync.Mutex
	limit  int
	held   int
	frames int
}

func (b *countingBudget) Take(data []byte, _ int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.held+len(data) > b.limit {
		return false
	}
	b.held += len(data)
	b.frames++
	return true
}

func (b *countingBudget) Give(data []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.held -= len(data)
	b.frames--
}

func (b *countingBudget) state() (held, frames int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.held, b.frames
}

// TestBudgetGetsEveryFrameBack: frames written and frames dropped (queued
// behind a blocked write when the socket is killed) are all given back; a
// frame the budget refuses is refused like one over the queue's limits.
func TestBudgetGetsEveryFrameBack(t *testing.T) {
	b := &countingBudget{limit: 64 << 10}
	lim := slow
	lim.Budget = b

	s, ws := tcpPair(t, lim)
	s.Start()
	for i := 0; i < 10; i++ {
		require.True(t, s.Queue(Frame{Type: websocket.MessageBinary, Data: make([]byte, 1000)}))
	}
	for i := 0; i < 10; i++ {
		read(t, ws)
	}
	require.Eventually(t, func() bool { h, f := b.state(); return h == 0 && f == 0 }, 10*time.Second, time.Millisecond, "written frames are given back")

	s2, p := pipePair(t, lim, &logs{})
	blockWriter(t, s2, p)
	for i := 0; i < 20; i++ {
		require.True(t, s2.Queue(Frame{Type: websocket.MessageBinary, Data: make([]byte, 1000)}))
	}
	assert.False(t, s2.Queue(Frame{Type: websocket.MessageBinary, Data: make([]byte, 64<<10)}), "the budget refuses")
	held, frames := b.state()
	assert.Equal(t, 1024+20*1000, held)
	assert.Equal(t, 21, frames)
	s2.Kill()
	s2.writer.Wait()
	held, frames = b.state()
	assert.Zero(t, held, "the blocked frame and the queued ones were given back")
	assert.Zero(t, frames)
}
