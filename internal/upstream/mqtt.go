package upstream

import (
	"encoding/json"
	"net/http"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// Events about MQTT clients (reference-mqtt-cloud-events; the dispatcher of
// @azure/web-pubsub-express 1.1.0 is the peer that reads them). They differ
// from the other clients' events in:
//   - headers: ce-subprotocol "mqtt" on every event (connect included),
//     ce-physicalConnectionId (the network connection) on every event,
//     ce-sessionId on every event but connect, and ce-source
//     "/hubs/{hub}/client/{clientId}/{physicalConnectionId}". The express
//     package takes a request for an MQTT one only when ce-subprotocol
//     contains "mqtt" and ce-physicalConnectionId is present;
//   - connect: the body's "mqtt" member (protocol version, clean start,
//     user name, base64 password, user properties); a refusal's body
//     {"mqtt": {"code", "reason", "userProperties"}} (StatusError.MQTT);
//   - disconnected: the body's "mqtt" member, initiatedByClient and the
//     last DISCONNECT packet, null after a network failure
//     (SetMQTTDisconnect);
//   - user events: MQTTUserEvent, whose answer of any status goes back to
//     the client.

// MQTTConnection identifies an MQTT client's connection in its events.
type MQTTConnection struct {
	// PhysicalConnectionID identifies the client's network connection
	// (ce-physicalConnectionId); a session resumed on a new one carries
	// the new id from then on (Resume).
	PhysicalConnectionID string
	// SessionID identifies the MQTT session (ce-sessionId).
	SessionID string
	// Connect is the connect event's "mqtt" member; Password is already
	// base64, as the service sends it.
	Connect protocol.MQTTConnectProperties
}

// MQTTRefusal is the "mqtt" member of a connect answer refusing an MQTT
// client: the CONNACK's code (HasCode false when the answer has none, or
// no "mqtt" member at all), reason and user properties.
type MQTTRefusal struct {
	Code           int
	HasCode        bool
	Reason         string
	UserProperties []protocol.MQTTUserProperty
}

// mqttSession is the MQTT part of a session, guarded by Session.mu.
type mqttSession struct {
	physicalID string
	sessionID  string
	// disconnect is the "mqtt" member of the disconnected event: the last
	// network connection's end.
	disconnect mqttDisconnected
}

// mqttDisconnected is the "mqtt" member of an MQTT client's disconnected
// event. protocol.MQTTDisconnectedProperties holds the packet by value,
// for the event handler that reads it; the service sends null after a
// network failure (reference-mqtt-cloud-events), hence the pointer here.
type mqttDisconnected struct {
	DisconnectPacket  *protocol.MQTTDisconnectPacket `json:"disconnectPacket"`
	InitiatedByClient bool                           `json:"initiatedByClient"`
}

// mqttDisconnectedRequest is the disconnected event's body for an MQTT
// client (protocol.DisconnectedRequest with mqttDisconnected).
type mqttDisconnectedRequest struct {
	Reason string           `json:"reason,omitempty"`
	MQTT   mqttDisconnected `json:"mqtt"`
}

// mqttConnectBody returns the connect body's "mqtt" member, or nil.
func mqttConnectBody(m *MQTTConnection) *protocol.MQTTConnectProperties {
	if m == nil {
		return nil
	}
	c := m.Connect
	return &c
}

// mqttRefusalOf reads the "mqtt" member of a refusing connect answer; an
// answer without one still gives a refusal, without a code.
func mqttRefusalOf(body []byte) *MQTTRefusal {
	var b struct {
		MQTT *struct {
			Code           *int                        `json:"code"`
			Reason         string                      `json:"reason"`
			UserProperties []protocol.MQTTUserProperty `json:"userProperties"`
		} `json:"mqtt"`
	}
	r := &MQTTRefusal{}
	if json.Unmarshal(body, &b) != nil || b.MQTT == nil {
		return r
	}
	r.Reason, r.UserProperties = b.MQTT.Reason, b.MQTT.UserProperties
	if b.MQTT.Code != nil {
		r.Code, r.HasCode = *b.MQTT.Code, true
	}
	return r
}

// setMQTTHeaders writes the headers of an event about an MQTT client.
func (s *Session) setMQTTHeaders(hd http.Header, ceType string) {
	if s.mqtt == nil {
		return
	}
	s.mu.Lock()
	physical, session := s.mqtt.physicalID, s.mqtt.sessionID
	s.mu.Unlock()
	hd.Set(protocol.HeaderSource, protocol.EventSource(s.hub, s.connID)+"/"+physical)
	hd.Set(protocol.HeaderPhysicalConnectionID, physical)
	if ceType != protocol.EventTypeConnect {
		hd.Set(protocol.HeaderSessionID, session)
	}
}

// Resume carries the session of an MQTT client on to the network
// connection whose connect event made next (a CONNECT that resumed the
// session): later events name next's physical connection, and take the
// state next's connect answer set, if it set one. The connected event is
// not sent again: the session goes on.
func (s *Session) Resume(next *Session) {
	if s == next || next == nil {
		return
	}
	next.mu.Lock()
	state, set := next.state, next.stateSet
	var physical string
	if next.mqtt != nil {
		physical = next.mqtt.physicalID
	}
	next.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if set {
		s.state, s.stateSet = state, true
	}
	if s.mqtt != nil && physical != "" {
		s.mqtt.physicalID = physical
	}
}

// SetMQTTDisconnect records how an MQTT client's network connection ended,
// for the disconnected event sent when its session ends: whether the
// client sent the DISCONNECT, and the packet (nil after a network
// failure; a server's DISCONNECT has no user properties). It does nothing
// for other clients.
func (s *Session) SetMQTTDisconnect(initiatedByClient bool, packet *protocol.MQTTDisconnectPacket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mqtt != nil {
		s.mqtt.disconnect = mqttDisconnected{DisconnectPacket: packet, InitiatedByClient: initiatedByClient}
	}
}

// disconnectedBody returns the disconnected event's body.
func (s *Session) disconnectedBody(reason string) []byte {
	s.mu.Lock()
	var m *mqttDisconnected
	if s.mqtt != nil {
		d := s.mqtt.disconnect
		m = &d
	}
	s.mu.Unlock()
	if m == nil {
		b, _ := json.Marshal(protocol.DisconnectedRequest{Reason: reason}) // a struct of one string always encodes
		return b
	}
	b, _ := json.Marshal(mqttDisconnectedRequest{Reason: reason, MQTT: *m}) // strings, ints and bools always encode
	return b
}
