package hooks

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// The hooks of MQTT connections (package mqttlink). An MQTT client sends a
// connect event for every CONNECT, also when it resumes its session; the
// connected event follows only for a new session (OnConnected, as for
// other clients) and the disconnected event when the session ends
// (OnRemoved), with the MQTT details of its last network connection
// (MQTTDisconnect).

// MQTTConnectEvent describes an MQTT client's CONNECT.
type MQTTConnectEvent struct {
	Hub string
	// ClientID is the connection id.
	ClientID string
	// Claims, Query and Headers are as for ConnectEvent.
	Claims  map[string][]string
	Query   url.Values
	Headers http.Header
	// UserID is the access token's user.
	UserID string
	// MQTT identifies the network connection and session, and is the
	// body's "mqtt" member.
	MQTT upstream.MQTTConnection
}

// MQTTConnect sends the connect event of an MQTT CONNECT when a handler
// takes it, and returns the session the connection's events go through and
// the answer (nil when none). A refusal is the *upstream.StatusError (its
// MQTT member has the CONNACK's code); any other error means the upstream
// failed (the details are logged here). The session is not yet tied to a
// connection: see MQTTAttach.
func (u *Caller) MQTTConnect(ctx context.Context, ev *MQTTConnectEvent) (*upstream.Session, *protocol.ConnectResponse, error) {
	s, res, err := u.inv.Connect(ctx, upstream.ConnectRequest{
		Hub:          ev.Hub,
		ConnectionID: ev.ClientID,
		UserID:       ev.UserID,
		Subprotocol:  "mqtt",
		Claims:       ev.Claims,
		Query:        ev.Query,
		Headers:      ev.Headers,
		Subprotocols: []string{"mqtt"},
		MQTT:         &ev.MQTT,
	})
	if err != nil {
		var se *upstream.StatusError
		if !errors.As(err, &se) {
			u.log.Warn("emulator: upstream connect failed", "hub", ev.Hub, "connectionId", ev.ClientID, "explanation", upstream.Explain(err))
		}
		return nil, nil, err
	}
	return s, res, nil
}

// MQTTAttach ties the session of an MQTT CONNECT's connect event to c: for
// a new session call it before c.Establish (whose OnConnected sends the
// connected event through s); for a resumed one (resumed) the session
// already tied to c carries on with s's network connection and state.
func (u *Caller) MQTTAttach(c *core.Conn, s *upstream.Session, resumed bool) {
	if old := session(c); resumed && old != nil {
		old.Resume(s)
		return
	}
	c.SetValue(sessionKey, s)
}

// MQTTDisconnect records how c's network connection ended, for the
// disconnected event sent when its session ends (see
// upstream.Session.SetMQTTDisconnect). It only stores: it may be called
// with the core's locks held.
func (u *Caller) MQTTDisconnect(c *core.Conn, initiatedByClient bool, packet *protocol.MQTTDisconnectPacket) {
	if s := session(c); s != nil {
		s.SetMQTTDisconnect(initiatedByClient, packet)
	}
}

// MQTTUserEvent sends a user event an MQTT client c published and returns
// the upstream's answer, whatever its status; nil without error when no
// handler takes the event (nothing goes back to the client, as for the
// other clients' events without a handler). An error means the upstream
// could not be called or its 2xx answer was unusable: the details are
// logged here, the client learns only a failure.
func (u *Caller) MQTTUserEvent(ctx context.Context, c *core.Conn, event string, ev upstream.MQTTEvent, dt protocol.DataType) (*upstream.MQTTAnswer, error) {
	u.trace.UserEvent(c, event, protocol.Payload{Type: dt, Data: ev.Body})
	s := session(c)
	if s == nil {
		return nil, nil
	}
	a, err := s.MQTTUserEvent(ctx, event, ev)
	if errors.Is(err, upstream.ErrNoHandler) {
		return nil, nil
	}
	if err != nil {
		u.log.Warn("emulator: upstream user event failed", "hub", c.Hub().Name(), "connectionId", c.ID(), "event", event, "explanation", upstream.Explain(err))
		return nil, err
	}
	return a, nil
}
