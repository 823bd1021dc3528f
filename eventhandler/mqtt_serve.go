package eventhandler

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// jsonUTF8 is the Content-Type of JSON answers, as the express handler
// writes it.
const jsonUTF8 = "application/json; charset=utf-8"

// isMQTT reports whether an event is about an MQTT client: its
// ce-subprotocol contains "mqtt" (any case) and it carries
// ce-physicalConnectionId (even empty), as the express handler decides.
func isMQTT(h http.Header) bool {
	_, hasPhysical := h[http.CanonicalHeaderKey(protocol.HeaderPhysicalConnectionID)]
	return hasPhysical && strings.Contains(strings.ToLower(h.Get(protocol.HeaderSubprotocol)), "mqtt")
}

// writeConnectError answers a connect callback's error. An *MQTTConnectError
// becomes its MQTT body and mapped status; another refusal of an MQTT client
// becomes an MQTT body whose code is mapped from the HTTP status and the
// client's protocol version (as the express handler does); anything else is
// answered as for other events.
func (h *Handler) writeConnectError(w http.ResponseWriter, req *ConnectRequest, err error) {
	var me *MQTTConnectError
	if errors.As(err, &me) {
		writeMQTTError(w, me.Status(), protocol.MQTTConnectErrorProperties{Code: int(me.Code), Reason: me.Reason, UserProperties: userPropertiesToWire(me.UserProperties)})
		return
	}
	if req.Context.ClientProtocol != ClientProtocolMQTT {
		h.writeError(w, req.Context, err)
		return
	}
	status, reason := http.StatusInternalServerError, callbackFailed
	var se *StatusError
	if errors.As(err, &se) {
		status, reason = se.status(), se.Reason
	} else {
		h.log.Error("eventhandler: callback failed", "hub", req.Context.Hub, "event", req.Context.EventName, "connectionId", req.Context.ConnectionID, "err", err)
	}
	version := 0
	if req.MQTT != nil {
		version = req.MQTT.ProtocolVersion
	}
	writeMQTTError(w, status, protocol.MQTTConnectErrorProperties{Code: int(mqttCodeForStatus(status, version)), Reason: reason})
}

// writeMQTTError writes an MQTT refusal.
func writeMQTTError(w http.ResponseWriter, status int, p protocol.MQTTConnectErrorProperties) {
	b, err := json.Marshal(protocol.MQTTConnectError{MQTT: p})
	if err != nil {
		http.Error(w, "cannot encode the MQTT refusal", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", jsonUTF8)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func userPropertiesFromWire(in []protocol.MQTTUserProperty) []MQTTUserProperty {
	if in == nil {
		return nil
	}
	out := make([]MQTTUserProperty, len(in))
	for i, p := range in {
		out[i] = MQTTUserProperty(p)
	}
	return out
}

func userPropertiesToWire(in []MQTTUserProperty) []protocol.MQTTUserProperty {
	if in == nil {
		return nil
	}
	out := make([]protocol.MQTTUserProperty, len(in))
	for i, p := range in {
		out[i] = protocol.MQTTUserProperty(p)
	}
	return out
}

// disconnectedFromWire converts the MQTT part of a disconnected event.
func disconnectedFromWire(d *protocol.MQTTDisconnectedProperties) *MQTTDisconnectedProperties {
	if d == nil {
		return nil
	}
	return &MQTTDisconnectedProperties{
		DisconnectPacket: MQTTDisconnectPacket{
			Code:           MQTTDisconnectReasonCode(d.DisconnectPacket.Code),
			UserProperties: userPropertiesFromWire(d.DisconnectPacket.UserProperties),
		},
		InitiatedByClient: d.InitiatedByClient,
	}
}
