package trace

import (
	"embed"
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
	// MaxStreams bounds the streams open at once (each holds a queue of up
	// to Options.SubscriberQueue updates); more are refused with 503.
	MaxStreams = 16
	// maxSessions bounds the signed-in pages; the oldest session is
	// forgotten first.
	maxSessions = 64
)

// HandlerOptions configures Recorder.Handler. The callbacks run on the
// page's requests, after the page's session cookie and same-origin checks
// passed; a nil callback turns its feature off.
type HandlerOptions struct {
	// Verify checks a token presented to sign in (the page signs one with
	// the access key of the connection string it was given, or the user
	// pastes one) and returns nil if it grants access. Without it only the
	// sign-in link (Recorder.SignInURL) signs in.
	Verify func(r *http.Request, token string) error
	// SessionTTL is how long a signed-in page stays signed in. Default
	// DefaultSessionTTL.
	SessionTTL time.Duration
	// ClientURL returns a client access URL (ws://...?access_token=...) for
	// the page's test client, valid for the hub, user, roles and groups of
	// c, for a limited time of the emulator's choice. The page holds no
	// key, so the emulator mints it. r is the page's request (its Host says
	// which of the emulator's names the page uses). Nil hides the test
	// client.
	ClientURL func(r *http.Request, c ClientURLRequest) (string, error)
	// Send sends m through the emulator's REST API (as a back end's
	// SendToAll, group or user or connection send does) and returns nil
	// once the API accepted it, or an error that says why not. Nil hides
	// the send form.
	Send func(r *http.Request, m SendRequest) error
}

// Handler serves the live trace page, its stream and its actions:
//
//	GET  /                    the page (plain HTML, JavaScript and CSS)
//	GET  /trace/static/...    the page's files
//	POST /trace/signin        sign in with a one-time code (SignInURL); needs
//	                          a same-origin Origin header
//	POST /trace/session       sign in: the body or an "Authorization: Bearer"
//	                          header carries a token that opts.Verify accepts
//	GET  /trace/session       200 with the page's features when signed in,
//	                          else 401
//	DELETE /trace/session     sign out
//	GET  /trace/stream        Server-Sent Events: "snapshot", then "update"
//	                          for every event, "missed" when updates were
//	                          dropped for this page (with a fresh table in
//	                          "connections"); needs the session cookie or a
//	                          bearer token opts.Verify accepts
//	POST /trace/client        a client access URL from opts.ClientURL
//	                          (ClientURLRequest as JSON)
//	POST /trace/send          a message through opts.Send (SendRequest as JSON)
//
// Signing in sets an HttpOnly, SameSite=Strict session cookie. The actions
// need that cookie and a same-origin Origin header. The access key itself
// never travels: the page signs a short-lived token with it in the browser.
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
	mux.HandleFunc("POST /trace/signin", h.redeem)
	mux.HandleFunc("DELETE /trace/session", h.signOut)
	mux.HandleFunc("GET /trace/stream", h.stream)
	mux.HandleFunc("POST /trace/client", h.action(h.clientURL))
	mux.HandleFunc("POST /trace/send", h.action(h.send))
	return mux
}

// setPageHeaders forbids framing and any script or connection to another
// origin (the test client's WebSocket goes to the page's own origin, which
// 'self' covers).
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
