package trace

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/webpubsub-go/webpubsub/internal/names"
)

// The page's actions: a client access URL for its test client, and a send
// through the REST API. Both run the emulator's callbacks (HandlerOptions)
// behind the session cookie and the same-origin check.

// Limits of the actions' requests.
const (
	// MaxSendBytes bounds the data of a send from the page.
	MaxSendBytes = 1 << 20
	// maxActionBody bounds an action's JSON body (data and names).
	maxActionBody = 2*MaxSendBytes + 64<<10
	// maxListEntries bounds the roles and the groups of a ClientURLRequest.
	maxListEntries = 32
)

// ClientURLRequest is what the page's test client asks a client access
// URL for.
type ClientURLRequest struct {
	// Hub is the hub to connect to (the service's hub name rules).
	Hub string `json:"hub"`
	// UserID is the client's user id, or "" for an anonymous client.
	UserID string `json:"userId,omitempty"`
	// Roles are the client's roles, e.g. "webpubsub.joinLeaveGroup" (at
	// most 32).
	Roles []string `json:"roles,omitempty"`
	// Groups are joined when the client connects (at most 32).
	Groups []string `json:"groups,omitempty"`
}

// SendRequest is a message the page sends through the REST API: to every
// connection of Hub, or to one of Group, UserID and ConnectionID.
type SendRequest struct {
	// Hub is the hub to send in.
	Hub string `json:"hub"`
	// Group, UserID and ConnectionID choose the recipients; at most one is
	// set, none means every connection of the hub.
	Group string `json:"group,omitempty"`
	// UserID sends to every connection of a user.
	UserID string `json:"userId,omitempty"`
	// ConnectionID sends to one connection.
	ConnectionID string `json:"connectionId,omitempty"`
	// ContentType is "text/plain" or "application/json".
	ContentType string `json:"contentType"`
	// Data is the message (at most MaxSendBytes; valid JSON for
	// application/json).
	Data string `json:"data"`
}

// action wraps an action: it needs a live session cookie (a bearer token is
// not enough: actions are for the page) and a same-origin request, and
// answers its error as plain text.
func (h *pageHandler) action(do func(*http.Request, []byte) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		if !sameOrigin(req) {
			http.Error(w, "actions are only accepted from the live trace page itself", http.StatusForbidden)
			return
		}
		if !h.hasSession(req) {
			http.Error(w, "not signed in", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(io.LimitReader(req.Body, maxActionBody+1))
		if err != nil || len(body) > maxActionBody {
			http.Error(w, "the request is too large", http.StatusRequestEntityTooLarge)
			return
		}
		out, err := do(req, body)
		var nf notOffered
		switch {
		case errors.As(err, &nf):
			http.Error(w, err.Error(), http.StatusNotImplemented)
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadRequest)
		case out == nil:
			w.WriteHeader(http.StatusAccepted)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			_ = json.NewEncoder(w).Encode(out)
		}
	}
}

// notOffered is the error of an action whose callback is nil.
type notOffered string

func (n notOffered) Error() string {
	return "this emulator does not offer " + string(n) + " on its live trace page"
}

func (h *pageHandler) clientURL(req *http.Request, body []byte) (any, error) {
	if h.opts.ClientURL == nil {
		return nil, notOffered("a test client")
	}
	var c ClientURLRequest
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("invalid request: %v", err)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	u, err := h.opts.ClientURL(req, c)
	if err != nil {
		return nil, err
	}
	return struct {
		URL string `json:"url"`
	}{u}, nil
}

func (c *ClientURLRequest) validate() error {
	if err := names.ValidateHub(c.Hub); err != nil {
		return err
	}
	if len(c.UserID) > MaxFieldBytes {
		return fmt.Errorf("the user id is longer than %d bytes", MaxFieldBytes)
	}
	if len(c.Roles) > maxListEntries || len(c.Groups) > maxListEntries {
		return fmt.Errorf("at most %d roles and %d groups", maxListEntries, maxListEntries)
	}
	for _, r := range c.Roles {
		if r == "" || len(r) > MaxFieldBytes+len("webpubsub.joinLeaveGroup.") {
			return fmt.Errorf("invalid role %q", truncate(r, 64))
		}
	}
	for _, g := range c.Groups {
		if err := names.ValidateGroup(g); err != nil {
			return err
		}
	}
	return nil
}

func (h *pageHandler) send(req *http.Request, body []byte) (any, error) {
	if h.opts.Send == nil {
		return nil, notOffered("sending")
	}
	var m SendRequest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("invalid request: %v", err)
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return nil, h.opts.Send(req, m)
}

func (m *SendRequest) validate() error {
	if err := names.ValidateHub(m.Hub); err != nil {
		return err
	}
	targets := 0
	for _, v := range []string{m.Group, m.UserID, m.ConnectionID} {
		if v != "" {
			targets++
		}
	}
	if targets > 1 {
		return errors.New("send to at most one of a group, a user and a connection")
	}
	if m.Group != "" {
		if err := names.ValidateGroup(m.Group); err != nil {
			return err
		}
	}
	if len(m.UserID) > MaxFieldBytes || len(m.ConnectionID) > MaxFieldBytes {
		return fmt.Errorf("user and connection ids are at most %d bytes here", MaxFieldBytes)
	}
	if len(m.Data) > MaxSendBytes {
		return fmt.Errorf("the message is larger than %d bytes", MaxSendBytes)
	}
	switch strings.ToLower(m.ContentType) {
	case "text/plain":
		if !utf8.ValidString(m.Data) {
			return errors.New("text must be UTF-8")
		}
	case "application/json":
		if !json.Valid([]byte(m.Data)) {
			return errors.New("the message is not valid JSON: check quotes and brackets, or send it as text")
		}
	default:
		return fmt.Errorf("content type %q: use text/plain or application/json", truncate(m.ContentType, 64))
	}
	return nil
}
