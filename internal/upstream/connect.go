package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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
	// MQTT, for an MQTT client's CONNECT, makes the event an MQTT one (see
	// MQTTConnection); nil for other clients.
	MQTT *MQTTConnection
}

// Connect starts a session for a new connection and, when a handler takes
// the connect event, calls it and waits for the answer. Any 2xx answer
// accepts the connection (202 included, as the service and Microsoft's
// emulator). Session.UserID then is the connection's user: the answer's
// userId when it has one (even ""), else req.UserID. The result is nil when
// no upstream was called or it answered without a body.
//
// A non-2xx answer is returned as *StatusError: refuse the connection with
// its status. Any other error is a *CallError (the upstream could not be
// reached or answered something unusable): refuse with 500. Explain says
// why, for the refused handshake's body and the log.
func (inv *Invoker) Connect(ctx context.Context, req ConnectRequest) (*Session, *protocol.ConnectResponse, error) {
	s := &Session{inv: inv, hub: req.Hub, connID: req.ConnectionID, userID: req.UserID, subprotocol: req.Subprotocol}
	if req.MQTT != nil {
		s.mqtt = &mqttSession{physicalID: req.MQTT.PhysicalConnectionID, sessionID: req.MQTT.SessionID}
	}
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
		MQTT:         mqttConnectBody(req.MQTT),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("encoding connect event: %w", err)
	}
	a, err := inv.send(ctx, h, s, request{ceType: protocol.EventTypeConnect, name: protocol.EventConnect, contentType: protocol.ContentTypeJSON, body: body})
	if err != nil {
		return nil, nil, err
	}
	if a.status < 200 || a.status > 299 {
		se := a.refused()
		if s.mqtt != nil {
			se.MQTT = mqttRefusalOf(a.body)
		}
		return nil, nil, se
	}
	res, err := s.accept(a)
	if err != nil {
		return nil, nil, a.unusable(err)
	}
	return s, res, nil
}

// accept applies a 2xx answer to the connect event: its state, and the user
// and subprotocol of its body, which it returns (nil when empty).
func (s *Session) accept(a *answer) (*protocol.ConnectResponse, error) {
	var res protocol.ConnectResponse
	var fields map[string]json.RawMessage
	if len(a.body) > 0 {
		if json.Unmarshal(a.body, &res) != nil {
			return nil, errors.New("the answer is not a JSON object with userId, groups, roles or subprotocol")
		}
		_ = json.Unmarshal(a.body, &fields) // the body decoded above; null leaves fields nil
	}
	if err := s.applyState(a.header); err != nil {
		return nil, err
	}
	if len(a.body) == 0 {
		return nil, nil
	}
	// "userId" overrides the token's user even when it is "" (anonymous),
	// as the service does; only an absent or null userId keeps it.
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
	return &res, nil
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
