package trace

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Limits of the page's stream.
const (
	// streamSnapshotEvents is how many past events a new stream starts with
	// (the page shows at most this many rows).
	streamSnapshotEvents = 2000
	// streamWriteTimeout bounds each write to a page: a page that stops
	// reading loses its stream instead of holding it open.
	streamWriteTimeout = 10 * time.Second
	// streamKeepAlive is how often an idle stream sends a comment, so that
	// proxies and the browser keep it open.
	streamKeepAlive = 15 * time.Second
)

// stream serves the Server-Sent Events stream of one page.
func (h *pageHandler) stream(w http.ResponseWriter, req *http.Request) {
	if !h.authorized(req) {
		http.Error(w, "sign in first: POST a token to /trace/session", http.StatusUnauthorized)
		return
	}
	h.mu.Lock()
	if h.streams >= MaxStreams {
		h.mu.Unlock()
		http.Error(w, fmt.Sprintf("too many live trace pages are open (at most %d): close one", MaxStreams), http.StatusServiceUnavailable)
		return
	}
	h.streams++
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.streams--
		h.mu.Unlock()
	}()
	rc := http.NewResponseController(w)
	sub, snap := h.r.Subscribe(streamSnapshotEvents)
	defer sub.Close()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(event string, v any) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		b, err := json.Marshal(v)
		if err != nil {
			return false
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send("snapshot", snap) {
		return
	}
	keepAlive := time.NewTicker(streamKeepAlive)
	defer keepAlive.Stop()
	var reported uint64
	for {
		select {
		case <-req.Context().Done():
			return
		case <-sub.Done():
			return
		case <-keepAlive.C:
			_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case u := <-sub.Updates():
			if !send("update", u) {
				return
			}
			if d := sub.Dropped(); d != reported {
				reported = d
				// The page missed updates: tell it how many, and give it
				// the connection table again since rows may be stale.
				if !send("missed", map[string]uint64{"dropped": d}) || !send("connections", h.r.Connections()) {
					return
				}
			}
		}
	}
}
