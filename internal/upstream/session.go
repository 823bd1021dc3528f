package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// ConnectRequest describes a connection the service is about to accept.
type ConnectRequest struct {
	// Hub and ConnectionID identify the connection.
	Hub          string
	ConnectionID string
	// UserID is the user of the access token, if any.
	UserID string
	// Subprotocol is the subprotocol the service would negotiate; the
	// upstream may choose another of Subprotocols.
	Subprotocol string
	// Claims, Query, Headers and Subprotocols make the connect event's body.
	Claims       map[string][]string
	Query        map[string][]string
	Headers      map[string][]string
	Subprotocols []string
}

// Session carries one connection's identity and state across its events.
type Session struct {
	inv    *Invoker
	hub    string
	connID string

	mu          sync.Mutex
	userID      string
	subprotocol string
	state       string // ce-connectionState value to send; "" = none
	// connectedDone is closed when the connected event finished; nil until
	// Connected is called.
	connectedDone chan struct{}
	// tail is closed when the last non-blocking event queued so far
	// (connected, group joined or left) finished; nil when none was queued.
	// Each such event waits for the one before, so the upstream sees them
	// in order.
	tail chan struct{}
	// lastID is the ce-id of the connection's latest event after connect.
	lastID uint64
}

// eventID returns the ce-id of the connection's next event of type ceType:
// 0 for connect, then 1, 2, ... as the service numbers them. Retries of an
// event reuse its id.
func (s *Session) eventID(ceType string) uint64 {
	if ceType == protocol.EventTypeConnect {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastID++
	return s.lastID
}

// snapshot returns the values sent with an event.
func (s *Session) snapshot() (userID, subprotocol, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userID, s.subprotocol, s.state
}

// UserID returns the connection's user ("" = anonymous).
func (s *Session) UserID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userID
}

// State returns the ce-connectionState value the next event will carry
// ("" = none).
func (s *Session) State() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// applyState stores the state an answer sets, if it sets one.
func (s *Session) applyState(h http.Header) error {
	v := h.Get(protocol.HeaderConnectionState)
	if v == "" {
		return nil
	}
	st, err := parseState(v)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.state = st
	s.mu.Unlock()
	return nil
}

// Connect starts a session for a new connection and, when a handler takes
// the connect event, calls it and waits for the answer. Session.UserID then
// is the connection's user: the answer's userId when it has one (even ""),
// else req.UserID. The result is nil
// when no upstream was called or it answered without a body. An upstream
// error status is returned as *StatusError (the connection must be refused
// with that status); any other error means the upstream could not be used
// and the connection should be refused with 500.
func (inv *Invoker) Connect(ctx context.Context, req ConnectRequest) (*Session, *protocol.ConnectResponse, error) {
	s := &Session{inv: inv, hub: req.Hub, connID: req.ConnectionID, userID: req.UserID, subprotocol: req.Subprotocol}
	h, ok := inv.handlerFor(req.Hub, protocol.EventConnect, true)
	if !ok {
		return s, nil, nil
	}
	if inv.isClosed() {
		return nil, nil, errors.New("upstream invoker is closed")
	}
	body, err := json.Marshal(protocol.ConnectRequest{
		Claims:       req.Claims,
		Query:        forwardedQuery(req.Query),
		Headers:      forwardedHeaders(req.Headers),
		Subprotocols: req.Subprotocols,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("encoding connect event: %w", err)
	}
	a, err := inv.send(ctx, h, s, request{ceType: protocol.EventTypeConnect, name: protocol.EventConnect, contentType: protocol.ContentTypeJSON, body: body})
	if err != nil {
		return nil, nil, err
	}
	if a.status >= 400 {
		return nil, nil, &StatusError{Event: protocol.EventConnect, Status: a.status, Reason: reason(a.body)}
	}
	if a.status != http.StatusOK && a.status != http.StatusNoContent {
		return nil, nil, fmt.Errorf("upstream answered connect event with unexpected status %d", a.status)
	}
	if err := s.applyState(a.header); err != nil {
		return nil, nil, fmt.Errorf("upstream answer to connect event: %w", err)
	}
	if a.status == http.StatusNoContent || len(a.body) == 0 {
		return s, nil, nil
	}
	var res protocol.ConnectResponse
	if err := json.Unmarshal(a.body, &res); err != nil {
		return nil, nil, errors.New("upstream answer to connect event is not a JSON object with userId, groups, roles or subprotocol")
	}
	// "userId" overrides the token's user even when it is "" (anonymous),
	// as the service does; only an absent or null userId keeps it.
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(a.body, &fields) // the body decoded above; null leaves fields nil
	raw, hasUser := fields["userId"]
	hasUser = hasUser && string(raw) != "null"
	s.mu.Lock()
	if hasUser {
		s.userID = res.UserID
	}
	if res.Subprotocol != "" {
		s.subprotocol = res.Subprotocol
	}
	s.mu.Unlock()
	return s, &res, nil
}

// forwardedQuery returns the client's query without its access token, which
// must never reach an upstream.
func forwardedQuery(q map[string][]string) map[string][]string {
	if _, ok := q[protocol.QueryAccessToken]; !ok {
		return q
	}
	out := make(map[string][]string, len(q))
	for k, v := range q {
		if k != protocol.QueryAccessToken {
			out[k] = v
		}
	}
	return out
}

// reservedHeaders are request headers of the WebSocket handshake that the
// connect event does not forward: the client's credentials and the
// handshake's own headers.
var reservedHeaders = map[string]bool{
	"authorization":            true,
	"connection":               true,
	"upgrade":                  true,
	"sec-websocket-key":        true,
	"sec-websocket-version":    true,
	"sec-websocket-extensions": true,
}

// forwardedHeaders returns the client's headers without the reserved ones
// and without the service's own (x-ms-*).
func forwardedHeaders(h map[string][]string) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, v := range h {
		lk := strings.ToLower(k)
		if reservedHeaders[lk] || strings.HasPrefix(lk, "x-ms-") {
			continue
		}
		out[k] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Connected sends the connected event without waiting for it. Later
// Disconnected waits for it to finish, so the upstream sees them in order.
func (s *Session) Connected() {
	done := make(chan struct{})
	s.mu.Lock()
	if s.connectedDone != nil {
		s.mu.Unlock()
		return
	}
	s.connectedDone = done
	s.tail = done
	s.mu.Unlock()
	h, ok := s.inv.handlerFor(s.hub, protocol.EventConnected, true)
	if !ok {
		close(done)
		return
	}
	started := s.inv.goAsync(func() {
		defer close(done)
		// The service sends {} as JSON; the express handler fails on an
		// empty body.
		s.notify(h, request{ceType: protocol.EventTypeConnected, name: protocol.EventConnected, contentType: connectedContentType, body: []byte("{}")})
	})
	if !started {
		close(done)
	}
}

// Disconnected sends the disconnected event with reason without waiting
// for it, after the connected event (if one was sent) finished.
func (s *Session) Disconnected(reason string) {
	h, ok := s.inv.handlerFor(s.hub, protocol.EventDisconnected, true)
	if !ok {
		return
	}
	s.mu.Lock()
	prev := s.tail
	s.mu.Unlock()
	body, _ := json.Marshal(protocol.DisconnectedRequest{Reason: reason}) // a struct of one string always encodes
	s.inv.goAsync(func() {
		if prev != nil {
			select {
			case <-prev:
			case <-s.inv.base.Done():
				return
			}
		}
		s.notify(h, request{ceType: protocol.EventTypeDisconnected, name: protocol.EventDisconnected, contentType: protocol.ContentTypeJSON, body: body})
	})
}

// GroupJoined sends the gp.joined event for group, when a handler asks for
// it, without waiting for it; it reaches the upstream after the events sent
// before it. A connection's group events wait in at most one goroutine each,
// so their number is bounded by the emulator's groups-per-connection cap.
func (s *Session) GroupJoined(group string) {
	s.groupEvent(protocol.EventTypeGroupJoined, protocol.EventGroupJoined, group)
}

// GroupLeft sends the gp.left event for group, like GroupJoined.
func (s *Session) GroupLeft(group string) {
	s.groupEvent(protocol.EventTypeGroupLeft, protocol.EventGroupLeft, group)
}

func (s *Session) groupEvent(ceType, name, group string) {
	h, ok := s.inv.handlerFor(s.hub, name, true)
	if !ok {
		return
	}
	body, _ := json.Marshal(protocol.GroupEvent{Group: group}) // a struct of one string always encodes
	done := make(chan struct{})
	s.mu.Lock()
	prev := s.tail
	s.tail = done
	s.mu.Unlock()
	started := s.inv.goAsync(func() {
		defer close(done)
		if prev != nil {
			select {
			case <-prev:
			case <-s.inv.base.Done():
				return
			}
		}
		s.notify(h, request{ceType: ceType, name: name, contentType: connectedContentType, body: body})
	})
	if !started {
		close(done)
	}
}

// connectedContentType is the Content-Type of the connected event, as the
// service's documentation shows it.
const connectedContentType = "application/json; charset=utf-8"

// notify sends a non-blocking event and logs its failure.
func (s *Session) notify(h Handler, req request) {
	a, err := s.inv.send(s.inv.base, h, s, req)
	if err == nil && a.status >= 300 {
		err = &StatusError{Event: req.name, Status: a.status, Reason: reason(a.body)}
	}
	if err == nil {
		err = s.applyState(a.header)
	}
	if err != nil {
		s.inv.log.Warn("upstream event failed", "event", req.name, "hub", s.hub, "connectionId", s.connID, "err", err)
	}
}

// UserEvent sends a user event and waits for the answer, which is returned
// as the payload to deliver back to the client; nil when no handler takes
// the event or the answer has no body. An error status is returned as
// *StatusError.
func (s *Session) UserEvent(ctx context.Context, event string, data protocol.Payload) (*protocol.Payload, error) {
	return s.UserEventWithOptions(ctx, event, data, UserEventOptions{})
}

// UserEventOptions are the optional parts of a user event. The zero value
// sends data with its own content type and no metadata.
type UserEventOptions struct {
	// ContentType, when set, replaces data.ContentType() (protobuf clients
	// send their Any payloads as application/x-protobuf).
	ContentType string
	// Metadata are sent as x-webpubsub-metadata-<key> headers; entries that
	// cannot be an HTTP header are left out.
	Metadata map[string]string
}

// UserEventWithOptions is UserEvent with a content type and metadata.
func (s *Session) UserEventWithOptions(ctx context.Context, event string, data protocol.Payload, opts UserEventOptions) (*protocol.Payload, error) {
	h, ok := s.inv.handlerFor(s.hub, event, false)
	if !ok {
		return nil, nil
	}
	if s.inv.isClosed() {
		return nil, errors.New("upstream invoker is closed")
	}
	ct := data.ContentType()
	if opts.ContentType != "" {
		ct = opts.ContentType
	}
	a, err := s.inv.send(ctx, h, s, request{ceType: protocol.EventTypeUserPrefix + event, name: event, contentType: ct, body: data.Data, metadata: opts.Metadata})
	if err != nil {
		return nil, err
	}
	if a.status >= 300 {
		return nil, &StatusError{Event: event, Status: a.status, Reason: reason(a.body)}
	}
	if err := s.applyState(a.header); err != nil {
		return nil, fmt.Errorf("upstream answer to %s event: %w", event, err)
	}
	if len(a.body) == 0 {
		return nil, nil
	}
	t, ok := protocol.DataTypeForContentType(a.header.Get("Content-Type"))
	if !ok {
		t = protocol.DataTypeBinary
	}
	if t == protocol.DataTypeJSON && !json.Valid(a.body) {
		return nil, fmt.Errorf("upstream answer to %s event is labelled application/json but is not valid JSON", event)
	}
	return &protocol.Payload{Type: t, Data: a.body}, nil
}
