package mqttlink

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/emulator/internal/hooks"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

// admission is what a CONNECT sets up once the rules and the upstream
// accepted it.
type admission struct {
	cp  *mqtt.Connect
	acc *mqtt.Accepted
	up  *upstream.Session
	res *protocol.ConnectResponse
	// sessionID is the id the connect event named.
	sessionID string
	// userID, groups and roles apply to a new session only.
	userID        string
	groups, roles []string
}

// connect reads the socket's first packet, which must be a CONNECT, and
// answers it: a refusal closes the socket (nil result); an acceptance
// attaches the link to a new or resumed session and returns its
// connection.
func (l *link) connect() *core.Conn {
	p, err := l.reader.ReadPacket()
	if err != nil {
		l.refuseUnreadable(p, err)
		return nil
	}
	cp, ok := p.(*mqtt.Connect)
	if !ok {
		l.a.log.Warn("emulator: mqtt client's first packet is not CONNECT; closing", "hub", l.hub, "type", p.Type())
		l.sock.Reject(websocket.StatusNormalClosure, "")
		return nil
	}
	l.timer.Stop()
	l.v = cp.Version
	ad, connack, why := l.admit(cp)
	if ad == nil {
		l.refuse(connack, why)
		return nil
	}
	c, ref := l.a.attach(l, ad)
	if c == nil {
		if ref != nil {
			l.refuse(ref.Connack(l.v), ref.Msg)
		}
		return nil
	}
	l.timer.Reset(l.keepAlive)
	return c
}

// refuseUnreadable answers a first packet the codec refused: a CONNECT of
// another protocol level gets the CONNACK of its form, anything else a
// close.
func (l *link) refuseUnreadable(p mqtt.Packet, err error) {
	var e *mqtt.Error
	if cp, ok := p.(*mqtt.Connect); ok && errors.As(err, &e) && e.Code == mqtt.UnsupportedProtocolVersion {
		ack, v := mqtt.RefuseVersion(cp.Version)
		l.v = v
		l.refuse(ack, err.Error())
		return
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		l.a.log.Debug("emulator: mqtt socket ended before a CONNECT", "hub", l.hub, "err", err)
	}
	l.sock.Reject(websocket.StatusNormalClosure, "")
}

// admit applies the CONNECT rules and the upstream's connect event. It
// returns the admission, or the CONNACK refusing the client (nil when
// 3.1.1 has no code for the refusal) and why.
func (l *link) admit(cp *mqtt.Connect) (*admission, *mqtt.Connack, string) {
	acc, ref := mqtt.AcceptConnect(cp, nil)
	if ref != nil {
		return nil, ref.Connack(cp.Version), ref.Msg
	}
	l.keepAlive = time.Duration(acc.KeepAlive) * 1500 * time.Millisecond
	l.maxPacket, l.recvMax, l.expiry = int(cp.Properties.MaximumPacketSize), cp.Properties.ReceiveMaximum, cp.Properties.SessionExpiryInterval
	ad := &admission{cp: cp, acc: acc, userID: l.claims.Subject, groups: l.claims.Groups, roles: l.claims.Roles,
		sessionID: l.a.sessionIDFor(l.hub, acc.ClientID, cp.CleanStart)}
	ev := &hooks.MQTTConnectEvent{
		Hub: l.hub, ClientID: acc.ClientID, Claims: l.claims.Lists(), Query: l.query, Headers: l.headers,
		UserID: ad.userID, MQTT: upstream.MQTTConnection{PhysicalConnectionID: l.id, SessionID: ad.sessionID, Connect: connectProperties(cp)},
	}
	up, res, err := l.a.cfg.Hooks.MQTTConnect(l.sock.Context(), ev)
	if err != nil {
		ack, why := upstreamRefusal(cp.Version, err)
		return nil, ack, why
	}
	ad.up, ad.res = up, res
	ad.userID = up.UserID()
	if res != nil {
		if res.Roles != nil {
			ad.roles = res.Roles
		}
		if len(res.Groups) > 0 {
			ad.groups = res.Groups
		}
		if msg := l.a.checkGroups(res.Groups); msg != "" {
			return nil, (&mqtt.Refusal{Code: mqtt.ImplementationSpecificError}).Connack(cp.Version), msg
		}
	}
	return ad, nil, ""
}

// checkGroups checks the groups of a connect answer: valid names, within
// the groups-per-connection limit.
func (a *Adapter) checkGroups(groups []string) string {
	for _, g := range groups {
		if err := core.ValidateGroup(g); err != nil {
			return "the upstream's connect answer has an invalid group: " + err.Error()
		}
	}
	if err := a.limits.CheckGroups(groups); err != nil {
		return err.Error()
	}
	return ""
}

// upstreamRefusal returns the CONNACK refusing a client whose connect event
// failed (reference-mqtt-cloud-events): the answer's mqtt.code, or the code
// of its HTTP status; its reason and user properties on 5.0. An upstream
// that could not be called refuses with "unspecified error" (3.1.1: server
// unavailable).
func upstreamRefusal(v mqtt.Version, err error) (*mqtt.Connack, string) {
	var se *upstream.StatusError
	if !errors.As(err, &se) {
		return &mqtt.Connack{ReasonCode: mqtt.UpstreamConnectCode(v, http.StatusInternalServerError, 0, false)}, hooks.UpstreamFailed
	}
	ack := &mqtt.Connack{}
	if r := se.MQTT; r != nil {
		ack.ReasonCode = mqtt.UpstreamConnectCode(v, se.Status, r.Code, r.HasCode)
		if v == mqtt.V5 {
			ack.Properties.ReasonString = r.Reason
			ack.Properties.User = userProperties(r.UserProperties)
		}
	} else {
		ack.ReasonCode = mqtt.UpstreamConnectCode(v, se.Status, 0, false)
	}
	return ack, fmt.Sprintf("the upstream refused the connection (status %d)", se.Status)
}

// refuse answers a CONNECT with ack (nil: no CONNACK, 3.1.1 has no code)
// and closes the socket once it is written.
func (l *link) refuse(ack *mqtt.Connack, why string) {
	code := mqtt.UnspecifiedError
	if ack != nil {
		code = ack.ReasonCode
		l.queue(ack)
	}
	l.a.log.Warn("emulator: mqtt connection refused", "hub", l.hub, "code", code.String(), "reason", why, "remote", l.remote)
	l.a.cfg.Trace.Refused(l.hub, "", int(code), "MQTT CONNACK "+code.String()+": "+why)
	l.sock.Reject(websocket.StatusNormalClosure, "")
}

// connectProperties returns the connect event's "mqtt" member of cp: the
// password in base64, as the service sends it.
func connectProperties(cp *mqtt.Connect) protocol.MQTTConnectProperties {
	p := protocol.MQTTConnectProperties{ProtocolVersion: int(cp.Version), CleanStart: cp.CleanStart, UserProperties: wireProperties(cp.Properties.User)}
	if cp.Username != nil {
		p.Username = *cp.Username
	}
	if cp.Password != nil {
		p.Password = base64.StdEncoding.EncodeToString(cp.Password)
	}
	return p
}

// wireProperties converts MQTT user properties to the upstream's.
func wireProperties(in []mqtt.UserProperty) []protocol.MQTTUserProperty {
	if len(in) == 0 {
		return nil
	}
	out := make([]protocol.MQTTUserProperty, len(in))
	for i, p := range in {
		out[i] = protocol.MQTTUserProperty{Name: p.Name, Value: p.Value}
	}
	return out
}

// userProperties converts the upstream's user properties to MQTT's.
func userProperties(in []protocol.MQTTUserProperty) []mqtt.UserProperty {
	if len(in) == 0 {
		return nil
	}
	out := make([]mqtt.UserProperty, len(in))
	for i, p := range in {
		out[i] = mqtt.UserProperty{Name: p.Name, Value: p.Value}
	}
	return out
}
