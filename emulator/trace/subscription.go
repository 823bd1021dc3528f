package trace

// Subscription delivers updates to one subscriber through a bounded queue
// (Options.SubscriberQueue updates).
type Subscription struct {
	r       *Recorder
	c       chan Update
	done    chan struct{}
	dropped uint64 // guarded by r.mu
}

// offer queues u or counts it as dropped. r.mu must be held.
func (s *Subscription) offer(u Update) {
	select {
	case s.c <- u:
	default:
		s.dropped++
	}
}

// Updates is the queue of updates.
func (s *Subscription) Updates() <-chan Update { return s.c }

// Done is closed when the subscription ends (Close or Recorder.Close).
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Dropped is how many updates this subscriber missed because its queue was full.
func (s *Subscription) Dropped() uint64 {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	return s.dropped
}

// Close ends the subscription. It is safe to call more than once.
func (s *Subscription) Close() {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if _, ok := s.r.subs[s]; ok {
		delete(s.r.subs, s)
		close(s.done)
	}
}
