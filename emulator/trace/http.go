package trace

import (
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"
)

//go:embed static
var static embed.FS

// Limits of the page's HTTP side.
const (
	// DefaultSessionTTL is how long a page stays signed in when
	// HandlerOptions.SessionTTL is zero.
	DefaultSessionTTL = 12 * time.Hour
	// maxSessions bounds the signed-in pages; the oldest session is
	// forgotten first.
	maxSessions = 64
	// streamSnapshotEvents is how many past events a new stream starts with
	// (the page shows at most this many rows).
	streamSnapshotEvents = 2000
	// streamWriteTimeout bounds each write to a page: a page that stops
	// reading loses its stream instead of holding it open.
	streamWriteTimeout = 10 * time.Second
	// streamKeepAlive is how often an idle stream sends a comment, so that
	// proxies and the browser keep it open.
	streamKeepAlive = 15 * time.Second
	// maxTokenBytes bounds the sign-in request body.
	maxTokenBytes = 16 << 10
	// MaxStreams bounds the streams open at once (each holds a queue of up
	// to Options.SubscriberQueue updates); more are refused with 503.
	MaxStreams = 16
)

// HandlerOptions configures Recorder.Handler.
type HandlerOptions struct {
	// Verify checks a token presented to sign in (the page signs one with
	// the access key of the connection string it was given, or the user
	// pastes one) and returns nil if it grants access. Required: without it
	// every sign-in is refused.
	Verify func(r *http.Request, token string) error
	// SessionTTL is how long a signed-in page stays signed in. Default
	// DefaultSessionTTL.
	SessionTTL time.Duration
}

// Handler serves the live trace page and its stream:
//
//	GET  /                    the page (plain HTML, JavaScript and CSS)
//	GET  /trace/static/...    the page's files
//	POST /trace/session       sign in: the body or an "Authorization: Bearer"
//	                          header carries a token that opts.Verify accepts;
//	                          the answer sets an HttpOnly, SameSite=Strict
//	                          session cookie
//	GET  /trace/session       204 when signed in, else 401
//	DELETE /trace/session     sign out
//	GET  /trace/stream        Server-Sent Events: "snapshot", then "update"
//	                          for every event, "missed" when updates were
//	                          dropped for this page (with a fresh table in
//	                          "connections"); needs the session cookie or a
//	                          bearer token opts.Verify accepts
//
// The access key itself never travels: the page signs a short-lived token
// with it in the browser.
func (r *Recorder) Handler(opts HandlerOptions) http.Handler {
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	h := &pageHandler{r: r, opts: opts, sessions: make(map[string]time.Time)}
	files, _ := fs.Sub(static, "static")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, req *http.Request) {
		setPageHeaders(w)
		http.ServeFileFS(w, req, files, "index.html")
	})
	mux.Handle("GET /trace/static/", http.StripPrefix("/trace/static/", noDirs(http.FileServerFS(files))))
	mux.HandleFunc("GET /trace/session", h.check)
	mux.HandleFunc("POST /trace/session", h.signIn)
	mux.HandleFunc("DELETE /trace/session", h.signOut)
	mux.HandleFunc("GET /trace/stream", h.stream)
	return mux
}

// setPageHeaders forbids framing and any script or connection to another origin.
func setPageHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
}

// noDirs refuses directory listings.
func noDirs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "" || strings.HasSuffix(req.URL.Path, "/") {
			http.NotFound(w, req)
			return
		}
		setPageHeaders(w)
		next.ServeHTTP(w, req)
	})
}

// pageHandler holds the signed-in sessions.
type pageHandler struct {
	r    *Recorder
	opts HandlerOptions

	mu       sync.Mutex
	sessions map[string]time.Time // session id -> expiry
	streams  int                  // open streams
}

// cookieName is per host and port: browsers share cookies between the
// ports of a host, and two emulators must not overwrite each other's.
func cookieName(req *http.Request) string {
	var b strings.Builder
	b.WriteString("webpubsub_trace_")
	for _, c := range req.Host {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func (h *pageHandler) signIn(w http.ResponseWriter, req *http.Request) {
	tok := bearer(req)
	if tok == "" {
		b, err := io.ReadAll(io.LimitReader(req.Body, maxTokenBytes+1))
		if err != nil {
			http.Error(w, "reading the token: "+err.Error(), http.StatusBadRequest)
			return
		}
		if len(b) > maxTokenBytes {
			http.Error(w, "the token is too large", http.StatusRequestEntityTooLarge)
			return
		}
		tok = strings.TrimSpace(string(b))
	}
	if err := h.verify(req, tok); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	id, exp := h.newSession()
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(req), Value: id, Path: "/trace/", Expires: exp,
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
	w.WriteHeader(http.StatusNoContent)
}

func (h *pageHandler) check(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if !h.authorized(req) {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *pageHandler) signOut(w http.ResponseWriter, req *http.Request) {
	if c, err := req.Cookie(cookieName(req)); err == nil {
		h.mu.Lock()
		delete(h.sessions, c.Value)
		h.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName(req), Value: "", Path: "/trace/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}

func (h *pageHandler) verify(req *http.Request, tok string) error {
	if tok == "" {
		return errors.New("missing token: sign in with the emulator's connection string or a token signed with its access key")
	}
	if h.opts.Verify == nil {
		return errors.New("sign-in is not configured")
	}
	if err := h.opts.Verify(req, tok); err != nil {
		return fmt.Errorf("the token was refused: %w", err)
	}
	return nil
}

// newSession creates a session, forgetting expired ones and, past
// maxSessions, the one that expires first.
func (h *pageHandler) newSession() (string, time.Time) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	now := time.Now()
	exp := now.Add(h.opts.SessionTTL)
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, e := range h.sessions {
		if now.After(e) {
			delete(h.sessions, k)
		}
	}
	for len(h.sessions) >= maxSessions {
		oldest := ""
		for k, e := range h.sessions {
			if oldest == "" || e.Before(h.sessions[oldest]) {
				oldest = k
			}
		}
		delete(h.sessions, oldest)
	}
	h.sessions[id] = exp
	return id, exp
}

// authorized reports whether req carries a live session cookie or a token
// that Verify accepts.
func (h *pageHandler) authorized(req *http.Request) bool {
	if c, err := req.Cookie(cookieName(req)); err == nil && c.Value != "" {
		h.mu.Lock()
		defer h.mu.Unlock()
		for id, exp := range h.sessions {
			if subtle.ConstantTimeCompare([]byte(id), []byte(c.Value)) == 1 && time.Now().Before(exp) {
				return true
			}
		}
		return false
	}
	if tok := bearer(req); tok != "" {
		return h.verify(req, tok) == nil
	}
	return false
}

func bearer(req *http.Request) string {
	v := req.Header.Get("Authorization")
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

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
