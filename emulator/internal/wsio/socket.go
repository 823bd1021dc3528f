// Package wsio is the emulator's socket I/O for client WebSockets: a bounded
// outbound queue per socket, drained by one writer goroutine per socket that
// sends each batch of frames with one network write. A caller that holds a
// lock of its own (the core's connection lock) only stages frames (Stage) and
// calls Flush once it holds none; Flush writes one small frame for an idle
// socket on the caller's goroutine with a probe (an ordinary write that waits
// at most a few microseconds, probeWait, and leaves what the socket did not
// take to the writer goroutine). A broadcast to many idle sockets then wakes
// no goroutine per recipient, which would otherwise dominate its cost (see
// BENCHMARKS.md).
//
// Every network write is an ordinary net.Conn write under a deadline; there
// are no raw system calls. Invariants (each tested in this package):
//   - no lock is held across a network write: Queue, Stage, Close, Kill and
//     Abort never write and return at once even while the writer is blocked
//     on a peer that does not read; Flush writes (briefly) with no lock of
//     ours held and must be called with none of the caller's (the WebSocket
//     library serialises its own writes; only the writer goroutine, or the
//     socket's reader answering a ping, makes a write that may block);
//   - a stalled peer never blocks a sender: Flush waits at most probeWait
//     (once, until the socket's writer has caught up again); a socket
//     whose queue is over its limits (Limits.QueueFrames and
//     Limits.QueueBytes, counting the frames the writer has taken but not
//     written) refuses the frame and its owner gives up on the peer;
//   - every network write is bounded by Limits.WriteTimeout and a graceful
//     close by Limits.CloseTimeout; past either, the socket is aborted;
//   - frames of any size are written whole and in order, whatever the
//     batching buffer's size, also when a probe was cut short;
//   - a small frame for an idle socket is written by its sender (Flush),
//     without waking the writer goroutine;
//   - an idle socket costs no goroutine for writing: the writer runs only
//     while there is something to write.
package wsio

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Limits bound a socket's outbound side.
type Limits struct {
	// QueueFrames and QueueBytes bound the frames queued or being written
	// (their Data bytes). Zero means no bound.
	QueueFrames int
	QueueBytes  int
	// WriteTimeout bounds each network write: a peer that takes nothing
	// for that long is aborted.
	WriteTimeout time.Duration
	// CloseTimeout bounds a graceful close: if the frames queued before the
	// close frame and the close frame are not written within it, the socket
	// is aborted.
	CloseTimeout time.Duration
	// Budget, when set, is shared by many sockets: every frame queued is
	// taken from it and given back once written or dropped. Nil: none.
	Budget Budget
}

// Budget is an outbound byte budget shared by many sockets (the emulator's
// core.OutboundBudget).
type Budget interface {
	// Take is asked for every frame queued on a socket that holds held
	// bytes already; false refuses the frame as the queue's own limits do.
	Take(data []byte, held int) bool
	// Give returns a frame's bytes once it was written or dropped.
	Give(data []byte)
}

// Frame is one WebSocket message waiting to be written. Data may be shared
// with other sockets and is never modified; a sequence id (Seq != 0) is
// added by the writer with AddSeq into a buffer of its own.
type Frame struct {
	Type websocket.MessageType
	Data []byte
	// Seq, when not 0, is added to Data by AddSeq at write time.
	Seq    uint64
	AddSeq func(dst, frame []byte, seq uint64) []byte
}

// closeRequest asks the writer to close the WebSocket once the frames queued
// before it are written.
type closeRequest struct {
	code   websocket.StatusCode
	reason string
}

// Socket is one client WebSocket: its outbound queue and writer, and its
// read side. Create it with New before the handshake (frames queue until
// Start), then Accept and Start.
type Socket struct {
	lim    Limits
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	ws     *websocket.Conn // set by Accept
	bc     *bufConn        // ws's network connection; set by Accept
	writer sync.WaitGroup  // the writer goroutine

	mu         sync.Mutex
	queue      []Frame
	spare      []Frame // a drained batch's slice, reused for the next queue
	qFrames    int     // frames queued or being written
	qBytes     int     // their Data bytes
	closing    *closeRequest
	closeTimer *time.Timer // aborts a graceful close that takes too long
	started    bool        // the writer may run
	writing    bool        // the writer goroutine runs
	dead       bool
	killed     bool // ended on purpose (Kill, Abort), not by a failed write
	// kept are the frames (their Data) of probes whose bytes wait in the
	// network connection for the writer; they count in qFrames and qBytes
	// and hold their share of the budget until the writer sent them.
	kept      [][]byte
	keptBytes int
	starts    int // writer goroutines started so far
}

// New returns a socket whose frames queue until Accept and Start.
func New(lim Limits, log *slog.Logger) *Socket {
	ctx, cancel := context.WithCancel(context.Background())
	return &Socket{lim: lim, log: log, ctx: ctx, cancel: cancel}
}

// Accept completes the WebSocket handshake of r with subprotocol ("" =
// none) and a read limit of readLimit bytes per message.
func (s *Socket) Accept(w http.ResponseWriter, r *http.Request, subprotocol string, readLimit int64) error {
	hj := &hijacker{ResponseWriter: w, timeout: s.lim.WriteTimeout, onLeft: s.kick}
	opts := &websocket.AcceptOptions{InsecureSkipVerify: true}
	if subprotocol != "" {
		opts.Subprotocols = []string{subprotocol}
	}
	ws, err := websocket.Accept(hj, r, opts)
	if err != nil {
		return err
	}
	ws.SetReadLimit(readLimit)
	s.mu.Lock()
	s.ws, s.bc = ws, hj.conn
	dead := s.dead
	s.mu.Unlock()
	if dead {
		_ = ws.CloseNow()
	}
	return nil
}

// Start lets the writer run; frames queued before are written now.
func (s *Socket) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started = true
	if len(s.queue) > 0 || s.closing != nil {
		s.kickLocked()
	}
}

// Context is cancelled when the socket ends.
func (s *Socket) Context() context.Context { return s.ctx }

// Read returns the next message the peer sent. It fails once the socket
// ends.
func (s *Socket) Read() (websocket.MessageType, []byte, error) {
	return s.ws.Read(s.ctx)
}

// Queue queues f for writing and starts the writer goroutine if it is not
// running; it never waits for the peer. It reports false only when the
// queue is over its limits (the caller should give up on this peer); frames
// for a dead or closing socket are dropped silently.
func (s *Socket) Queue(f Frame) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ok := s.stageLocked(f)
	s.kickLocked()
	return ok
}

// Stage queues f like Queue but leaves starting the writer to Flush, which
// the caller must call once it holds no lock: Stage is what a caller holding
// a lock of its own (the core's connection lock) may do.
func (s *Socket) Stage(f Frame) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stageLocked(f)
}

// stageLocked appends f to the queue within the socket's limits and the
// emulator-wide budget. s.mu must be held.
func (s *Socket) stageLocked(f Frame) bool {
	if s.dead || s.closing != nil {
		return true
	}
	if (s.lim.QueueFrames > 0 && s.qFrames >= s.lim.QueueFrames) ||
		(s.lim.QueueBytes > 0 && s.qBytes+len(f.Data) > s.lim.QueueBytes) {
		return false
	}
	if s.lim.Budget != nil && !s.lim.Budget.Take(f.Data, s.qBytes) {
		return false
	}
	s.queue = append(s.queue, f)
	s.qFrames++
	s.qBytes += len(f.Data)
	return true
}

// Flush sends what Stage queued. One small frame for an idle socket is
// written on the caller's goroutine with a probe, which waits at most
// probeWait (a broadcast to many idle sockets then wakes no goroutine per
// recipient); anything else is left to the writer goroutine, started if it
// does not run. Call it with no lock held: the probe is a network write.
func (s *Socket) Flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return
	}
	if s.probeLocked() {
		f := s.queue[0]
		s.queue[0] = Frame{}
		s.queue = s.queue[:0]
		s.qFrames--
		s.qBytes -= len(f.Data)
		s.probe(f)
		return
	}
	s.kickLocked()
}

// maxProbeFrame is the largest frame a sender writes itself (see probe).
const maxProbeFrame = 16 << 10

// probeLocked reports whether the queue's one frame can be written by its
// sender: the socket runs and is idle (no writer, nothing kept, no blocking
// write under way, no close requested) and the frame is small and needs no
// sequence id. If so it claims the socket for the sender. s.mu must be held.
func (s *Socket) probeLocked() bool {
	if len(s.queue) != 1 || !s.started || s.writing || s.dead || s.closing != nil || s.bc == nil {
		return false
	}
	if f := s.queue[0]; f.Seq != 0 || len(f.Data) > maxProbeFrame || !s.bc.ready() {
		return false
	}
	s.writing = true
	return true
}

// probe writes f on the sender's goroutine, which saves waking the writer
// goroutine for one frame. The write waits at most probeWait: what the
// socket does not take is kept (with its share of the budget) and the
// writer started to send it. s.mu must be held; it is released during the
// write and held again after.
func (s *Socket) probe(f Frame) {
	s.mu.Unlock()
	s.bc.setSender(true)
	err := s.ws.Write(context.Background(), f.Type, f.Data)
	s.bc.setSender(false)
	s.mu.Lock()
	s.writing = false
	if err != nil {
		s.give([]Frame{f})
		s.deadLocked()
		s.cancel()
		return
	}
	if s.bc.hasLeft() {
		s.qFrames++
		s.qBytes += len(f.Data)
		s.kept = append(s.kept, f.Data)
		s.keptBytes += len(f.Data)
	} else if s.lim.Budget != nil {
		s.lim.Budget.Give(f.Data)
	}
	if len(s.queue) > 0 || s.closing != nil || s.bc.hasLeft() {
		s.kickLocked()
	}
}

// Close asks the writer to send a close frame with code and reason (cut to
// the 123 bytes a close frame carries) after the queued frames. If that has
// not happened within Limits.CloseTimeout, the socket is aborted.
func (s *Socket) Close(code websocket.StatusCode, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing != nil || s.dead {
		return
	}
	s.closing = &closeRequest{code: code, reason: truncateReason(reason)}
	s.closeTimer = time.AfterFunc(s.lim.CloseTimeout, s.closeExpired)
	s.kickLocked()
}

// closeExpired aborts a socket whose graceful close did not finish in time.
func (s *Socket) closeExpired() {
	s.mu.Lock()
	dead := s.dead
	s.mu.Unlock()
	if dead {
		return
	}
	s.log.Debug("emulator: the close frame could not be written in time (the client does not read); aborting the connection", "timeout", s.lim.CloseTimeout)
	s.Abort()
}

// kick starts the writer to send bytes a probe left.
func (s *Socket) kick() {
	s.mu.Lock()
	s.kickLocked()
	s.mu.Unlock()
}

// kickLocked starts the writer unless it runs or may not run yet. s.mu
// must be held.
func (s *Socket) kickLocked() {
	if !s.started || s.dead || s.writing {
		return
	}
	s.writing = true
	if s.bc != nil {
		s.bc.blocking.Store(true)
	}
	s.starts++
	s.writer.Add(1)
	go s.write()
}

// Kill ends the socket at once without a close frame: it drops the queue,
// cancels the context and closes the network connection under any pending
// read or write. It never blocks, so it may be called with locks held.
func (s *Socket) Kill() {
	s.mu.Lock()
	s.killed = true
	s.deadLocked()
	bc := s.bc
	s.mu.Unlock()
	s.cancel()
	if bc != nil {
		_ = bc.Conn.Close()
	}
}

// Abort is Kill, then it lets the WebSocket library release the connection.
func (s *Socket) Abort() {
	s.Kill()
	s.mu.Lock()
	ws := s.ws
	s.mu.Unlock()
	if ws != nil {
		_ = ws.CloseNow()
	}
}

// Stop aborts the socket and waits until its writer has ended. Call it once
// reading has ended.
func (s *Socket) Stop() {
	s.Abort()
	s.writer.Wait()
}

// deadLocked marks the socket dead and releases what it holds. s.mu must be
// held.
func (s *Socket) deadLocked() {
	s.dead = true
	s.give(s.queue)
	s.queue, s.spare = nil, nil
	s.qFrames, s.qBytes = 0, 0
	s.giveKept(len(s.kept))
	s.keptBytes = 0
	if s.bc != nil {
		s.bc.abandon()
	}
	if s.closeTimer != nil {
		s.closeTimer.Stop()
		s.closeTimer = nil
	}
}

// isTimeout reports whether err is a deadline error.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// truncateReason shortens a close reason to the 123 bytes a close frame can
// carry, without splitting a UTF-8 sequence.
func truncateReason(s string) string {
	const limit = 123
	if len(s) <= limit {
		return s
	}
	i := limit
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i]
}

// Reject closes a socket that was never started with code and reason and
// waits until the close handshake is over, the peer gone or
// Limits.CloseTimeout past.
func (s *Socket) Reject(code websocket.StatusCode, reason string) {
	s.Close(code, reason)
	s.Start()
	s.writer.Wait()
}

// giveKept gives back the budget of the first n kept frames and forgets
// them. s.mu must be held.
func (s *Socket) giveKept(n int) {
	if s.lim.Budget != nil {
		for _, d := range s.kept[:n] {
			s.lim.Budget.Give(d)
		}
	}
	clear(s.kept[:n])
	s.kept = append(s.kept[:0], s.kept[n:]...)
}

// give returns the frames of batch, written or dropped, to the budget.
func (s *Socket) give(batch []Frame) {
	if s.lim.Budget == nil {
		return
	}
	for i := range batch {
		s.lim.Budget.Give(batch[i].Data)
	}
}
