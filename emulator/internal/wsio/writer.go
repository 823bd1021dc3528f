package wsio

import "context"

// maxSpare bounds the capacity of the queue slice a socket keeps for reuse
// once its writer ends, so that an idle socket holds little.
const maxSpare = 16

// write is the socket's writer goroutine: it takes the queued frames as one
// batch, writes them with one network write (see bufConn) and repeats until
// nothing is left; then it sends a requested close or ends. It never holds
// s.mu across a write.
func (s *Socket) write() {
	defer s.writer.Done()
	var scratch []byte // a frame with its sequence id
	var done []Frame   // the batch written last
	doneBytes := 0
	for {
		s.mu.Lock()
		keptFrames, keptBytes := len(s.kept), s.keptBytes
		s.mu.Unlock()
		if err := s.flushKept(); err != nil {
			s.writeFailed(err)
			return
		}
		s.mu.Lock()
		if s.dead {
			s.writing = false
			s.mu.Unlock()
			return
		}
		s.giveKept(keptFrames)
		s.keptBytes -= keptBytes
		s.qFrames -= keptFrames
		s.qBytes -= keptBytes
		if done != nil {
			s.qFrames -= len(done)
			s.qBytes -= doneBytes
			s.spare = done[:0]
		}
		batch := s.queue
		if len(batch) == 0 {
			if s.bc != nil && s.bc.hasLeft() {
				s.mu.Unlock() // a probe left bytes meanwhile
				done = nil
				continue
			}
			s.idleLocked()
			return
		}
		s.queue, s.spare = s.spare, nil
		s.mu.Unlock()
		var err error
		doneBytes, err = s.writeBatch(batch, &scratch)
		s.give(batch)
		clear(batch)
		done = batch
		if err != nil {
			s.writeFailed(err)
			return
		}
	}
}

// idleLocked ends the writer once the queue is empty: it sends a requested
// close, or it releases what an idle socket need not hold. It unlocks s.mu.
func (s *Socket) idleLocked() {
	cl := s.closing
	if cl != nil {
		s.mu.Unlock()
		_ = s.ws.Close(cl.code, cl.reason)
		s.finish()
		return
	}
	s.writing = false
	if s.bc != nil {
		s.bc.blocking.Store(false)
	}
	if cap(s.queue) > maxSpare {
		s.queue = nil
	}
	s.spare = nil
	s.mu.Unlock()
}

// writeBatch writes batch, holding the network connection so that the
// frames leave with one write. It returns the Data bytes of the batch.
func (s *Socket) writeBatch(batch []Frame, scratch *[]byte) (int, error) {
	bytes := 0
	last := len(batch) - 1
	if last > 0 {
		s.bc.hold()
	}
	for i := range batch {
		if i == last && last > 0 {
			s.bc.release() // this frame's write sends the batch
		}
		f := &batch[i]
		bytes += len(f.Data)
		data := f.Data
		if f.Seq != 0 {
			*scratch = f.AddSeq((*scratch)[:0], f.Data, f.Seq)
			data = *scratch
		}
		// The network connection bounds each write (bufConn): a context
		// that can be cancelled would cost the library a callback per write.
		if err := s.ws.Write(context.Background(), f.Type, data); err != nil {
			s.bc.release()
			return bytes, err
		}
	}
	return bytes, nil
}

// writeFailed ends the writer after a failed write and logs a write that
// ran into the write timeout (the peer does not read).
func (s *Socket) writeFailed(err error) {
	s.mu.Lock()
	killed := s.killed
	s.mu.Unlock()
	if isTimeout(err) && !killed {
		s.log.Debug("emulator: a write did not finish in time (the client does not read); aborting the connection", "timeout", s.lim.WriteTimeout, "err", err)
	}
	s.finish()
}

// finish ends the socket after a failed write or a close: the reader's
// pending Read fails and the socket's owner learns that it ended.
func (s *Socket) finish() {
	s.mu.Lock()
	s.deadLocked()
	s.writing = false
	bc := s.bc
	s.mu.Unlock()
	s.cancel()
	if bc != nil {
		_ = bc.Conn.Close()
	}
}

// flushKept sends the bytes probes left, if any.
func (s *Socket) flushKept() error {
	if s.bc == nil {
		return nil
	}
	return s.bc.flush()
}
