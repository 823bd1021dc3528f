package core

import (
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// Budget is an emulator-wide byte budget: what many connections hold of one
// kind of memory (outbound queues, resend buffers, invocations in flight,
// group memberships) counts against one limit, so that many connections
// opened with one token cannot multiply a per-connection limit. Its
// methods are safe for concurrent use; a nil *Budget grants everything.
type Budget struct {
	name  string // what it bounds, for messages
	limit int64
	// floor is what one holder may always hold: a holder that holds less
	// is never refused (see Take), so that a busy emulator never refuses
	// a client that keeps up.
	floor int64
	used  atomic.Int64
}

// NewBudget returns a budget of limit bytes (no limit when limit <= 0)
// for what name says, whose holders may always hold up to floor bytes.
func NewBudget(name string, limit, floor int) *Budget {
	if limit <= 0 {
		return nil
	}
	return &Budget{name: name, limit: int64(limit), floor: int64(floor)}
}

// Take reserves n bytes for a holder that holds held bytes already. It
// reports false, reserving nothing, when the budget would go over its
// limit and the holder holds at least its floor; a holder below its floor
// is always granted (the budget may then go over its limit by at most one
// floor and one reservation per holder).
func (b *Budget) Take(n, held int) bool {
	if b == nil || n <= 0 {
		return true
	}
	if b.used.Add(int64(n)) > b.limit && int64(held) >= b.floor {
		b.used.Add(-int64(n))
		return false
	}
	return true
}

// Give returns n bytes taken before.
func (b *Budget) Give(n int) {
	if b != nil && n > 0 {
		b.used.Add(-int64(n))
	}
}

// Used returns the bytes reserved now.
func (b *Budget) Used() int {
	if b == nil {
		return 0
	}
	return int(b.used.Load())
}

// Limit returns the budget's limit in bytes (0: none).
func (b *Budget) Limit() int {
	if b == nil {
		return 0
	}
	return int(b.limit)
}

// Exhausted reports whether the budget is at or over its limit.
func (b *Budget) Exhausted() bool { return b != nil && b.used.Load() >= b.limit }

// Refusal says why the budget refused a reservation, for a client's error
// and the log.
func (b *Budget) Refusal() string {
	return fmt.Sprintf("the emulator's budget for %s (%s across all connections) is exhausted", b.name, mebibytes(b.limit))
}

// mebibytes formats n bytes for a message.
func mebibytes(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// sharedShards spreads a SharedBudget's table over locks, so that the
// writers of many sockets returning frames at once rarely wait for each
// other.
const sharedShards = 32

// SharedBudget counts bytes that many holders share once: the first holder
// of a key (a message's encoded bytes, which every recipient of that wire
// format shares) reserves its size from the budget, later holders of the
// same key reserve nothing, and the size is given back when the last one
// lets go. A broadcast to a thousand recipients thus costs its size once,
// as it costs the heap once. A nil *SharedBudget grants everything.
type SharedBudget[K comparable] struct {
	b      *Budget
	seed   maphash.Seed
	shards [sharedShards]sharedShard[K]
}

type sharedShard[K comparable] struct {
	mu   sync.Mutex
	refs map[K]sharedRef
}

// sharedRef is one key's holders and the size it reserved.
type sharedRef struct {
	holders int32
	size    int
}

// NewSharedBudget returns a SharedBudget over b; nil when b is nil.
func NewSharedBudget[K comparable](b *Budget) *SharedBudget[K] {
	if b == nil {
		return nil
	}
	s := &SharedBudget[K]{b: b, seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i].refs = make(map[K]sharedRef)
	}
	return s
}

// Budget returns the budget the shared bytes count against.
func (s *SharedBudget[K]) Budget() *Budget {
	if s == nil {
		return nil
	}
	return s.b
}

func (s *SharedBudget[K]) shard(k K) *sharedShard[K] {
	return &s.shards[maphash.Comparable(s.seed, k)%sharedShards]
}

// Take makes the caller a holder of k, of size bytes, for a holder that
// holds held bytes already (see Budget.Take). A key held already costs
// nothing more. It reports false when the budget refuses.
func (s *SharedBudget[K]) Take(k K, size, held int) bool {
	if s == nil {
		return true
	}
	sh := s.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if r, ok := sh.refs[k]; ok {
		r.holders++
		sh.refs[k] = r
		return true
	}
	if !s.b.Take(size, held) {
		return false
	}
	sh.refs[k] = sharedRef{holders: 1, size: size}
	return true
}

// Give lets go of k, taken before.
func (s *SharedBudget[K]) Give(k K) {
	if s == nil {
		return
	}
	sh := s.shard(k)
	sh.mu.Lock()
	r, ok := sh.refs[k]
	if !ok {
		sh.mu.Unlock()
		return
	}
	if r.holders--; r.holders > 0 {
		sh.refs[k] = r
		sh.mu.Unlock()
		return
	}
	delete(sh.refs, k)
	sh.mu.Unlock()
	s.b.Give(r.size)
}

// OutboundBudget is the budget of the bytes queued for client sockets
// (Limits.TotalQueueBytes): frames that share their bytes (a message sent
// to many recipients of one wire format) count once. It implements the
// socket layer's budget (its Take and Give are called for every frame
// queued and written or dropped).
type OutboundBudget struct{ s *SharedBudget[*byte] }

// Take reserves data's bytes for a socket that holds held bytes already.
func (o *OutboundBudget) Take(data []byte, held int) bool {
	if o == nil || len(data) == 0 {
		return true
	}
	return o.s.Take(&data[0], len(data), held)
}

// Give returns data's bytes once the frame is written or dropped.
func (o *OutboundBudget) Give(data []byte) {
	if o != nil && len(data) > 0 {
		o.s.Give(&data[0])
	}
}

// Budget returns the budget the queued bytes count against.
func (o *OutboundBudget) Budget() *Budget {
	if o == nil {
		return nil
	}
	return o.s.Budget()
}
