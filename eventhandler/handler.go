package eventhandler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/internal/names"
)

// DefaultMaxBodyBytes is the largest event body accepted when
// Options.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 1 << 20

// Options configure a Handler. AccessKeys or ConnectionString is required
// (New fails without them unless InsecureSkipSignatureCheck is set); the rest
// of the zero value accepts every connection and allows every origin.
type Options struct {
	// Path is where the handler is meant to be mounted; Handler.Path and
	// Handler.Register use it. Default "/api/webpubsub/hubs/<hub>/".
	Path string

	// AllowedEndpoints lists the Web PubSub endpoints allowed to call the
	// handler, as hosts ("x.webpubsub.azure.com", "127.0.0.1:8080") or URLs
	// ("https://x.webpubsub.azure.com"). A host without a port matches any
	// port. Empty allows every origin. When set, events must also carry an
	// allowed WebHook-Request-Origin.
	AllowedEndpoints []string

	// AccessKeys are the service's access keys (primary, secondary). Every
	// event must carry a ce-signature made with one of them. AccessKeys or
	// ConnectionString is required.
	AccessKeys []string

	// ConnectionString is the service's connection string
	// ("Endpoint=...;AccessKey=...;Version=1.0;"); its access key is added to
	// AccessKeys. Its endpoint does not restrict origins: use
	// AllowedEndpoints for that.
	ConnectionString string

	// InsecureSkipSignatureCheck lets New succeed without access keys; the
	// handler then checks no signature and anyone who can reach it can
	// forge connect and user events. For local experiments only; New logs a
	// warning when it is used. Ignored when keys are given.
	InsecureSkipSignatureCheck bool

	// MaxBodyBytes bounds the body of an event; larger bodies are answered
	// with 413. 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Logger receives the errors callbacks return that are not a
	// *StatusError. Such errors are answered with 500 and a generic reason,
	// because the reason can reach the client; their text is only logged.
	// Nil uses slog.Default().
	Logger *slog.Logger

	// OnConnect handles the blocking connect event. It may fill resp to set
	// the user, groups, roles, subprotocol and state, or return an error to
	// reject the connection (see StatusError; MQTT clients are refused with
	// an MQTT code through FailMQTT, and a StatusError refusing one is
	// translated to an MQTT code as the express handler does). Nil accepts
	// every connection.
	OnConnect func(ctx context.Context, req *ConnectRequest, resp *ConnectResponse) error

	// OnConnected observes connections that were established.
	OnConnected func(ctx context.Context, req *ConnectedRequest)

	// OnDisconnected observes connections that closed.
	OnDisconnected func(ctx context.Context, req *DisconnectedRequest)

	// OnGroupJoined observes connections that joined a group (the service
	// sends these only to handlers whose settings ask for them).
	OnGroupJoined func(ctx context.Context, req *GroupJoinedRequest)

	// OnGroupLeft observes connections that left a group.
	OnGroupLeft func(ctx context.Context, req *GroupLeftRequest)

	// OnUserEvent handles blocking user events. Data set on resp is sent
	// back to the client; an error fails the event (see StatusError). Nil
	// answers every user event without a payload.
	OnUserEvent func(ctx context.Context, req *UserEventRequest, resp *UserEventResponse) error
}

// Handler is an http.Handler serving the upstream events of one hub.
type Handler struct {
	hub     string
	path    string
	allowed allowList
	keys    []string
	maxBody int64
	log     *slog.Logger
	opts    Options
}

// New returns a Handler for hub. opts may be nil.
func New(hub string, opts *Options) (*Handler, error) {
	if err := names.ValidateHub(hub); err != nil {
		return nil, fmt.Errorf("eventhandler: %w", err)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	h := &Handler{hub: hub, path: o.Path, maxBody: o.MaxBodyBytes, log: o.Logger, opts: o}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.path == "" {
		h.path = "/api/webpubsub/hubs/" + hub + "/"
	}
	if !strings.HasPrefix(h.path, "/") {
		return nil, fmt.Errorf("eventhandler: path %q must start with /", h.path)
	}
	if h.maxBody < 0 {
		return nil, errors.New("eventhandler: MaxBodyBytes must not be negative")
	}
	if h.maxBody == 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	for i, k := range o.AccessKeys {
		if k == "" {
			return nil, fmt.Errorf("eventhandler: access key %d is empty", i)
		}
	}
	h.keys = append([]string(nil), o.AccessKeys...)
	if o.ConnectionString != "" {
		cs, err := webpubsub.ParseConnectionString(o.ConnectionString)
		if err != nil {
			return nil, fmt.Errorf("eventhandler: %w", err)
		}
		h.keys = append(h.keys, cs.AccessKey)
	}
	if len(h.keys) == 0 {
		if !o.InsecureSkipSignatureCheck {
			return nil, errors.New("eventhandler: no access keys, so event signatures cannot be checked: set Options.AccessKeys to the service's access keys or Options.ConnectionString to its connection string (for a local experiment without keys, set Options.InsecureSkipSignatureCheck)")
		}
		h.log.Warn("eventhandler: signature checks are off (Options.InsecureSkipSignatureCheck): anyone who can reach this handler can forge events", "hub", hub)
	}
	var err error
	if h.allowed, err = newAllowList(o.AllowedEndpoints); err != nil {
		return nil, err
	}
	return h, nil
}

// Hub returns the hub the handler serves.
func (h *Handler) Hub() string { return h.hub }

// Path returns the path the handler is meant to be mounted at.
func (h *Handler) Path() string { return h.path }

// Register mounts h on mux for the OPTIONS and POST methods at Path and, when
// Path ends with "/", also at the same path without the slash, so an upstream
// URL without the trailing slash is served instead of being redirected (a
// redirected POST loses its body). Registering by method lets the handler live
// beside catch-all routes such as "GET /". It panics, like ServeMux.Handle,
// when a pattern is already registered.
func (h *Handler) Register(mux *http.ServeMux) {
	paths := []string{h.path}
	if trimmed := strings.TrimSuffix(h.path, "/"); trimmed != h.path && trimmed != "" {
		paths = append(paths, trimmed)
	}
	for _, p := range paths {
		mux.Handle(http.MethodOptions+" "+p, h)
		mux.Handle(http.MethodPost+" "+p, h)
	}
}

// ServeHTTP implements http.Handler: OPTIONS answers abuse protection and
// POST delivers an event. The request path is not checked, so the handler
// can be mounted anywhere.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodOptions:
		h.serveOptions(w, r)
	case http.MethodPost:
		h.serveEvent(w, r)
	default:
		w.Header().Set("Allow", "OPTIONS, POST")
		http.Error(w, "method "+r.Method+" is not allowed; use POST for events or OPTIONS for abuse protection", http.StatusMethodNotAllowed)
	}
}
