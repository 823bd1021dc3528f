package core

import (
	"context"
	"sync"
)

// inbox is a connection's queue of frames read but not handled yet. It keeps
// the connection's order across its sockets without a lock held while a
// frame is handled: a recovered socket's frames wait behind the old one's.
type inbox struct {
	mu      sync.Mutex
	items   []inItem
	bytes   int
	running bool          // a goroutine is handling the items
	space   chan struct{} // closed when an item is taken; nil when nobody waits
}

// inItem is one frame's work.
type inItem struct {
	from Link
	size int
	work func()
}

// Submit hands the work of one frame that socket from read, size bytes
// long, to the connection. Frames run one at a time, in the order they were
// submitted, each only if from still serves the connection when its turn
// comes (a frame of a replaced or removed socket has no effect). When no
// frame waits, Submit runs work itself and every frame submitted meanwhile
// before it returns; otherwise it queues work and returns. When the inbox
// is full (Limits.InboxFrames or InboxBytes), Submit waits for room, which
// pauses the caller's reading, until ctx is done (its error is returned).
func (c *Conn) Submit(ctx context.Context, from Link, size int, work func()) error {
	b := &c.inbox
	lim := &c.hub.core.limits
	b.mu.Lock()
	for b.running && len(b.items) > 0 &&
		(len(b.items) >= lim.InboxFrames || b.bytes+size > lim.InboxBytes) {
		if b.space == nil {
			b.space = make(chan struct{})
		}
		space := b.space
		b.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			return ctx.Err()
		}
		b.mu.Lock()
	}
	b.items = append(b.items, inItem{from: from, size: size, work: work})
	b.bytes += size
	if b.running {
		b.mu.Unlock()
		return nil
	}
	b.running = true
	b.mu.Unlock()
	c.runInbox()
	return nil
}

// runInbox handles the inbox's items until it is empty.
func (c *Conn) runInbox() {
	b := &c.inbox
	for {
		b.mu.Lock()
		if len(b.items) == 0 {
			b.running = false
			b.items = nil
			b.mu.Unlock()
			return
		}
		it := b.items[0]
		b.items[0] = inItem{}
		b.items = b.items[1:]
		b.bytes -= it.size
		if b.space != nil {
			close(b.space) // wake every waiter to check for room
			b.space = nil
		}
		b.mu.Unlock()
		if c.Serves(it.from) {
			it.work()
		}
	}
}
