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
	for {
		s.mu.Lock()
		if s.dead {
			s.writing = false
			s.mu.Unlock()
			return
		}
		batch := s.queue
		cl := s.closing
		if len(batch) == 0 {
			if cl == nil {
				s.writing = false
				if cap(s.queue) > maxSpare {
					s.queue = nil
				}
				s.spare = nil
				s.mu.Unlock()
				return
			}
			s.mu.Unlock()
			_ = s.ws.Close(cl.code, cl.reason)
			s.finish()
			return
		}
		s.queue, s.spare = s.spare, nil
		s.mu.Unlock()
		bytes, err := s.writeBatch(batch, &scratch)
		s.give(batch)
		clear(batch)
		s.mu.Lock()
		if !s.dead {
			s.qFrames -= len(batch)
			s.qBytes -= bytes
			s.spare = batch[:0]
		}
		s.mu.Unlock()
		if err != nil {
			s.writeFailed(err)
			return
		}
	}
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
