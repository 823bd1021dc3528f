package mqttlink

import (
	"errors"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
)

// Reasons a session or its socket ends because of another CONNECT with the
// same client id (5.0 §3.1.4: the server closes the existing connection
// with 0x8E session taken over).
const (
	reasonTakenOver  = "another network connection with the same client id took the session over"
	reasonCleanStart = "a new connection with the same client id started a clean session"
)

// attach gives an admitted CONNECT its session, one CONNECT of a client id
// at a time: without clean start an existing session is resumed, its live
// socket (if any) taken over; with clean start it ends and a new one
// starts. It returns the connection, or the refusal (a client id that a
// connection of another wire holds, or the emulator closing).
func (a *Adapter) attach(l *link, ad *admission) (*core.Conn, *mqtt.Refusal) {
	h := a.cfg.Core.Hub(l.hub)
	if h == nil {
		return nil, &mqtt.Refusal{Code: mqtt.ServerUnavailable, Msg: shuttingDown}
	}
	id := ad.acc.ClientID
	mu := a.lockFor(l.hub, id)
	mu.Lock()
	defer mu.Unlock()
	if old := h.Conn(id); old != nil {
		s := state(old)
		switch {
		case s == nil:
			return nil, &mqtt.Refusal{Code: mqtt.ClientIdentifierNotValid, Msg: "a connection that is not MQTT has this id"}
		case !ad.cp.CleanStart:
			if a.resume(l, ad, old, s) {
				return old, nil
			}
		default:
			old.Remove(core.CloseReason{Kind: core.CloseTakenOver, Text: reasonCleanStart})
		}
	}
	return a.create(h, l, ad)
}

// resume attaches l to the existing session s of connection c. It reports
// false if c ended meanwhile.
func (a *Adapter) resume(l *link, ad *admission, c *core.Conn, s *session) bool {
	l.sess = s
	l.conn.Store(c)
	l.setWill(ad)
	l.attached.Store(true)
	connack := ad.connack(true)
	greet := func(core.Link) { s.attach(l, connack, true) }
	if !c.Takeover(l, greet, core.CloseReason{Kind: core.CloseTakenOver, Text: reasonTakenOver}) {
		l.attached.Store(false)
		l.sess = nil
		l.conn.Store(nil)
		return false
	}
	a.cfg.Hooks.MQTTAttach(c, ad.up, true)
	s.setExpiry(ad.acc.SessionExpiry)
	return true
}

// create starts a new session for l: the connection is registered with the
// groups and roles of the token or the connect answer, the CONNACK queued,
// and the connection established (the connected event). Until the CONNACK
// is queued, messages for the session wait in it (QoS 1 and 2) or are
// dropped (QoS 0), so that the CONNACK comes first.
func (a *Adapter) create(h *core.Hub, l *link, ad *admission) (*core.Conn, *mqtt.Refusal) {
	s := newSession(a, ad.acc.ClientID, ad.sessionID, l.v)
	l.sess = s
	l.setWill(ad)
	l.attached.Store(true)
	c, ref := a.registerSession(h, core.ConnSpec{
		ID: s.clientID, UserID: ad.userID, Protocol: Subprotocol,
		Recoverable: true, RecoveryWindow: mqtt.MaxSessionExpiry,
		Roles: ad.roles, Groups: ad.groups,
		Link: l, Offline: s, Adapter: s, OnRemove: a.sessionEnded,
	})
	if ref != nil {
		l.attached.Store(false)
		l.sess = nil
		return nil, ref
	}
	s.conn = c
	l.conn.Store(c)
	s.setExpiry(ad.acc.SessionExpiry)
	s.attach(l, ad.connack(false), false)
	a.cfg.Hooks.MQTTAttach(c, ad.up, false)
	c.Establish()
	return c, nil
}

// registerSession registers spec. A session of the same client id that is ending
// (removed, not yet forgotten) is waited for, briefly; a connection of
// another wire with the id refuses the client (0x85), as does the emulator
// closing (0x88).
func (a *Adapter) registerSession(h *core.Hub, spec core.ConnSpec) (*core.Conn, *mqtt.Refusal) {
	for try := 0; ; try++ {
		c, err := h.Register(spec)
		switch {
		case err == nil:
			return c, nil
		case !errors.Is(err, core.ErrExists):
			return nil, &mqtt.Refusal{Code: mqtt.ServerUnavailable, Msg: shuttingDown}
		case try == registerTries:
			return nil, &mqtt.Refusal{Code: mqtt.ClientIdentifierNotValid, Msg: "another connection holds the client id"}
		}
		time.Sleep(time.Millisecond)
	}
}

// registerTries bounds registerSession's waits for an ending session (1 ms each).
const registerTries = 100

// connack returns the CONNACK accepting the admission, with Session Present
// as given and, on 5.0, the connect answer's user properties.
func (ad *admission) connack(present bool) *mqtt.Connack {
	ack := *ad.acc.Connack
	ack.SessionPresent = present
	if ad.cp.Version == mqtt.V5 && ad.res != nil && ad.res.MQTT != nil {
		ack.Properties.User = userProperties(ad.res.MQTT.UserProperties)
	}
	return &ack
}

// sessionIDFor returns the session id the connect event names: the
// existing session's when the CONNECT would resume it, else a new one.
func (a *Adapter) sessionIDFor(hub, clientID string, clean bool) string {
	if !clean {
		if h := a.cfg.Core.LookupHub(hub); h != nil {
			if s := state(h.Conn(clientID)); s != nil {
				return s.id
			}
		}
	}
	return core.RandomID(16)
}
