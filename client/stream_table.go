package client

import (
	"crypto/rand"
	"fmt"
	"sync"
)

// outboundTable holds a client's open outbound streams by id.
type outboundTable struct {
	mu      sync.Mutex
	streams map[string]*GroupStreamWriter // nil until used
}

func (t *outboundTable) add(w *GroupStreamWriter) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.streams[w.id]; ok {
		return false
	}
	if t.streams == nil {
		t.streams = make(map[string]*GroupStreamWriter)
	}
	t.streams[w.id] = w
	return true
}

func (t *outboundTable) remove(w *GroupStreamWriter) {
	t.mu.Lock()
	if t.streams[w.id] == w {
		delete(t.streams, w.id)
	}
	t.mu.Unlock()
}

func (t *outboundTable) get(id string) *GroupStreamWriter {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.streams[id]
}

// newStreamID returns a random (version 4) UUID.
func newStreamID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
