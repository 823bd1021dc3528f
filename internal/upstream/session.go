package upstream

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Session carries one connection's identity and state across its events.
type Session struct {
	inv    *Invoker
	hub    string
	connID string

	mu          sync.Mutex
	userID      string
	subprotocol string
	state       string // ce-connectionState value to send; "" = none
	// stateSet says an answer set the state (even to ""): a resumed MQTT
	// session takes it over (Resume).
	stateSet bool
	// mqtt is the MQTT part of an MQTT client's session; nil for others.
	mqtt *mqttSession
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

// applyState stores the ce-connectionState an answer sets: an empty value
// clears the state, no header keeps it (see stateHeader).
func (s *Session) applyState(h http.Header) error {
	v, set, err := stateHeader(h)
	if err != nil || !set {
		return err
	}
	s.mu.Lock()
	s.state, s.stateSet = v, true
	s.mu.Unlock()
	return nil
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
	body := s.disconnectedBody(reason)
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

// notify sends a non-blocking event and logs its failure with its
// explanation (see Explain). Failures never affect the connection, and the
// answer's ce-connectionState is ignored: only the answers of blocking
// events (connect, user events) set the state, as for the service (the
// CloudEvents reference) and in Microsoft's emulator
// (DispatchNotificationAsync reads no state).
func (s *Session) notify(h Handler, req request) {
	a, err := s.inv.send(s.inv.base, h, s, req)
	if err == nil && (a.status < 200 || a.status > 299) {
		err = a.refused()
	}
	if err != nil {
		s.inv.log.Warn("upstream event failed", "event", req.name, "hub", s.hub, "connectionId", s.connID, "explanation", Explain(err), "err", err)
	}
}
