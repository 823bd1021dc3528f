package emulator

import (
	"context"
	"net/http"
	"net/url"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// This file holds the call points for upstream event handlers (see
// Options.Upstream). With no upstream configured every hook is a no-op: the
// connection is accepted as the token describes it, and user events are acked
// with success and get no response.
//
// The rest of the package calls only these methods and never depends on what
// they do inside.

// hookState is per-connection data owned by the hooks (conn.hooks).
type hookState struct{}

// connectEvent describes a connection that is about to be accepted. onConnect
// may change UserID, Groups, Roles and Subprotocol, which start out as the
// access token and the WebSocket request describe them.
type connectEvent struct {
	Hub          string
	ConnectionID string
	// Claims are the access token's claims by name (role, webpubsub.group,
	// sub, aud, iat, exp) as string lists.
	Claims  map[string][]string
	Query   url.Values
	Headers http.Header
	// Subprotocols are the subprotocols the client asked for.
	Subprotocols []string

	UserID string
	Groups []string
	Roles  []string
	// Subprotocol is the subprotocol that will be negotiated; the emulator
	// picks a supported one the client asked for. "" = simple WebSocket.
	Subprotocol string
}

// hookRejection is returned by onConnect to refuse a connection.
type hookRejection struct {
	// Status is the HTTP status of the handshake response (400, 401, 500...).
	Status int
	// Reason is the response body.
	Reason string
}

// onConnect runs before the WebSocket handshake is accepted. Returning a
// non-nil rejection refuses the connection with that status and reason.
func (e *Emulator) onConnect(ctx context.Context, ev *connectEvent) *hookRejection {
	_ = ctx
	_ = ev
	return nil
}

// onConnected runs once a new connection is registered and its connected
// message is queued (not after a recovery).
func (e *Emulator) onConnected(ctx context.Context, c *conn) {
	_ = ctx
	_ = c
}

// onDisconnected runs once when a connection is removed for good (closed by
// the client, by the REST API, by a failure, or after its recovery window
// ran out). It is not called by Reset or Close.
func (e *Emulator) onDisconnected(ctx context.Context, c *conn, reason string) {
	_ = ctx
	_ = c.hooks
	_ = reason
}

// onUserEvent handles a user event: an "event" message of a JSON client, or
// every frame of a simple WebSocket client (event name "message"). A non-nil
// response is delivered back to the caller as a message from the server; a
// non-nil error fails the event's ack. It runs on the connection's reader, so
// messages of one connection are handled in order.
func (e *Emulator) onUserEvent(ctx context.Context, c *conn, event string, data protocol.Payload) (*protocol.Payload, error) {
	_ = ctx
	_ = c
	_ = event
	_ = data
	return nil, nil
}
