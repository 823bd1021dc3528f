package eventhandler

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// eventKind classifies a ce-type.
type eventKind int

const (
	kindUnknown eventKind = iota
	kindConnect
	kindConnected
	kindDisconnected
	kindGroupJoined
	kindGroupLeft
	kindUser
)

// classify returns the kind of ceType and, for user events, the event name.
func classify(ceType string) (eventKind, string) {
	switch ceType {
	case protocol.EventTypeConnect:
		return kindConnect, protocol.EventConnect
	case protocol.EventTypeConnected:
		return kindConnected, protocol.EventConnected
	case protocol.EventTypeDisconnected:
		return kindDisconnected, protocol.EventDisconnected
	case protocol.EventTypeGroupJoined:
		return kindGroupJoined, protocol.EventGroupJoined
	case protocol.EventTypeGroupLeft:
		return kindGroupLeft, protocol.EventGroupLeft
	}
	if name, ok := strings.CutPrefix(ceType, protocol.EventTypeUserPrefix); ok && name != "" {
		return kindUser, name
	}
	return kindUnknown, ""
}

// incoming is what the headers of an accepted event say.
type incoming struct {
	kind eventKind
	cc   ConnectionContext
	// state is the decoded ce-connectionState.
	state map[string]json.RawMessage
}

// serveEvent checks and dispatches one CloudEvents POST. Everything that
// can be checked on the headers (origin, signature, hub, type, announced
// size) is checked before the body is read.
func (h *Handler) serveEvent(w http.ResponseWriter, r *http.Request) {
	in, ok := h.checkEvent(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "event body is too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read event body", http.StatusBadRequest)
		return
	}
	h.dispatch(w, r, in, body)
}

// refuse answers a request refused on its headers, before its body was
// read. Over HTTP/1 the answer closes the connection ("Connection: close"):
// otherwise the server would first read (drain) the rest of the body, and a
// client that sends its body slowly, or never, would wait for its 401.
func refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if r.ProtoMajor == 1 {
		w.Header().Set("Connection", "close")
	}
	http.Error(w, msg, status)
}

// checkEvent checks an event's headers and returns what they say; it
// answers and reports false when the event is refused.
func (h *Handler) checkEvent(w http.ResponseWriter, r *http.Request) (incoming, bool) {
	hdr := r.Header
	if !h.allowed.any && !h.allowed.allows(hdr.Get(protocol.HeaderRequestOrigin)) {
		refuse(w, r, http.StatusForbidden, "event origin is not allowed to call this event handler")
		return incoming{}, false
	}
	ceType := hdr.Get(protocol.HeaderType)
	connID := hdr.Get(protocol.HeaderConnectionID)
	switch {
	case ceType == "":
		refuse(w, r, http.StatusBadRequest, "not a Web PubSub event: missing "+protocol.HeaderType+" header")
		return incoming{}, false
	case connID == "":
		refuse(w, r, http.StatusBadRequest, "not a Web PubSub event: missing "+protocol.HeaderConnectionID+" header")
		return incoming{}, false
	}
	if status, msg := h.checkSignature(hdr.Get(protocol.HeaderSignature), connID); status != 0 {
		refuse(w, r, status, msg)
		return incoming{}, false
	}
	hub := hdr.Get(protocol.HeaderHub)
	switch {
	case hub == "":
		refuse(w, r, http.StatusBadRequest, "not a Web PubSub event: missing "+protocol.HeaderHub+" header")
		return incoming{}, false
	case !strings.EqualFold(hub, h.hub):
		refuse(w, r, http.StatusBadRequest, "event is for another hub; this handler serves hub "+h.hub)
		return incoming{}, false
	}
	kind, name := classify(ceType)
	if kind == kindUnknown {
		refuse(w, r, http.StatusBadRequest, fmt.Sprintf("unsupported event type %.100q; want azure.webpubsub.sys.connect, .connected, .disconnected, azure.webpubsub.gp.joined, .left or azure.webpubsub.user.<event>", ceType))
		return incoming{}, false
	}
	if r.ContentLength > h.maxBody {
		refuse(w, r, http.StatusRequestEntityTooLarge, "event body is too large")
		return incoming{}, false
	}
	return h.incoming(r, kind, name), true
}

// checkSignature checks ce-signature against the handler's keys; it returns
// the refusal's status and message, or 0 when the signature is good (or no
// keys are configured).
func (h *Handler) checkSignature(sig, connID string) (int, string) {
	switch {
	case len(h.keys) == 0:
		return 0, ""
	case sig == "":
		return http.StatusUnauthorized, "missing " + protocol.HeaderSignature + " header"
	case !protocol.VerifySignature(sig, connID, h.keys...):
		return http.StatusUnauthorized, protocol.HeaderSignature + " does not match any access key"
	}
	return 0, ""
}

// incoming builds the connection context of an accepted event.
func (h *Handler) incoming(r *http.Request, kind eventKind, name string) incoming {
	hdr := r.Header
	state, err := decodeState(hdr.Get(protocol.HeaderConnectionState))
	if err != nil {
		// The express handler (@azure/web-pubsub-express 1.1.0) logs a
		// warning and carries on with an empty state; refusing would fail the
		// connect or the event for a state the client cannot fix. The value
		// itself is not logged.
		h.log.Warn("eventhandler: ignoring unreadable connection state", "hub", hdr.Get(protocol.HeaderHub), "event", name, "connectionId", hdr.Get(protocol.HeaderConnectionID), "err", err)
		state = map[string]json.RawMessage{}
	}
	cc := ConnectionContext{
		Hub:            hdr.Get(protocol.HeaderHub),
		ConnectionID:   hdr.Get(protocol.HeaderConnectionID),
		EventName:      name,
		Origin:         hdr.Get(protocol.HeaderRequestOrigin),
		UserID:         hdr.Get(protocol.HeaderUserID),
		Subprotocol:    hdr.Get(protocol.HeaderSubprotocol),
		ClientProtocol: ClientProtocolDefault,
		State:          stateValues(state),
	}
	if kind == kindGroupJoined || kind == kindGroupLeft {
		// As in express, the context's event name is ce-eventName.
		if n := hdr.Get(protocol.HeaderEventName); n != "" {
			cc.EventName = n
		}
	}
	if isMQTT(hdr) {
		cc.ClientProtocol = ClientProtocolMQTT
		cc.MQTT = &MQTTConnectionProperties{
			PhysicalConnectionID: hdr.Get(protocol.HeaderPhysicalConnectionID),
			SessionID:            hdr.Get(protocol.HeaderSessionID),
		}
	}
	return incoming{kind: kind, cc: cc, state: state}
}

// dispatch hands an accepted event with its body to its callback.
func (h *Handler) dispatch(w http.ResponseWriter, r *http.Request, in incoming, body []byte) {
	cc := in.cc
	switch in.kind {
	case kindConnect:
		h.serveConnect(w, r, cc, in.state, body)
	case kindConnected:
		if h.opts.OnConnected != nil {
			h.opts.OnConnected(r.Context(), &ConnectedRequest{Context: cc})
		}
		w.WriteHeader(http.StatusOK)
	case kindDisconnected:
		var d protocol.DisconnectedRequest
		if len(body) > 0 && json.Unmarshal(body, &d) != nil {
			http.Error(w, "disconnected event body is not a JSON object", http.StatusBadRequest)
			return
		}
		if h.opts.OnDisconnected != nil {
			h.opts.OnDisconnected(r.Context(), &DisconnectedRequest{Context: cc, Reason: d.Reason, MQTT: disconnectedFromWire(d.MQTT)})
		}
		w.WriteHeader(http.StatusOK)
	case kindGroupJoined, kindGroupLeft:
		h.serveGroupEvent(w, r, in.kind, cc, body)
	case kindUser:
		h.serveUserEvent(w, r, cc, in.state, body)
	}
}

// serveGroupEvent answers a group joined or left event.
func (h *Handler) serveGroupEvent(w http.ResponseWriter, r *http.Request, kind eventKind, cc ConnectionContext, body []byte) {
	var g protocol.GroupEvent
	if json.Unmarshal(body, &g) != nil {
		http.Error(w, "group event body is not a JSON object", http.StatusBadRequest)
		return
	}
	if kind == kindGroupJoined && h.opts.OnGroupJoined != nil {
		h.opts.OnGroupJoined(r.Context(), &GroupJoinedRequest{Context: cc, Group: g.Group})
	}
	if kind == kindGroupLeft && h.opts.OnGroupLeft != nil {
		h.opts.OnGroupLeft(r.Context(), &GroupLeftRequest{Context: cc, Group: g.Group})
	}
	w.WriteHeader(http.StatusOK)
}

// serveConnect answers the connect event.
func (h *Handler) serveConnect(w http.ResponseWriter, r *http.Request, cc ConnectionContext, state map[string]json.RawMessage, body []byte) {
	var in protocol.ConnectRequest
	if len(body) > 0 && json.Unmarshal(body, &in) != nil {
		http.Error(w, "connect event body is not a JSON object", http.StatusBadRequest)
		return
	}
	req := &ConnectRequest{
		Context:      cc,
		Claims:       in.Claims,
		Query:        in.Query,
		Headers:      in.Headers,
		Subprotocols: in.Subprotocols,
	}
	for _, c := range in.ClientCertificates {
		req.ClientCertificates = append(req.ClientCertificates, ClientCertificate(c))
	}
	if in.MQTT != nil {
		req.MQTT = &MQTTConnectProperties{
			ProtocolVersion: in.MQTT.ProtocolVersion,
			Username:        in.MQTT.Username,
			Password:        in.MQTT.Password,
			UserProperties:  userPropertiesFromWire(in.MQTT.UserProperties),
		}
	}
	resp := &ConnectResponse{state: stateUpdate{base: state}}
	if h.opts.OnConnect != nil {
		if err := h.opts.OnConnect(r.Context(), req, resp); err != nil {
			h.writeConnectError(w, req, err)
			return
		}
	}
	if !writeState(w, &resp.state) {
		return
	}
	out := protocol.ConnectResponse{UserID: resp.UserID, Groups: resp.Groups, Roles: resp.Roles, Subprotocol: resp.Subprotocol}
	if resp.MQTT != nil {
		out.MQTT = &protocol.MQTTConnectResponseProperties{UserProperties: userPropertiesToWire(resp.MQTT.UserProperties)}
	}
	if out.UserID == "" && len(out.Groups) == 0 && len(out.Roles) == 0 && out.Subprotocol == "" && out.MQTT == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		http.Error(w, "cannot encode connect response", http.StatusInternalServerError)
		return
	}
	// The express handler's Content-Type.
	w.Header().Set("Content-Type", jsonUTF8)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// serveUserEvent answers a user event.
func (h *Handler) serveUserEvent(w http.ResponseWriter, r *http.Request, cc ConnectionContext, state map[string]json.RawMessage, body []byte) {
	dt, ok := userEventDataType(r.Header.Get("Content-Type"))
	if !ok {
		http.Error(w, "unsupported content type of user event; use text/plain, application/json, application/octet-stream or application/x-protobuf", http.StatusUnsupportedMediaType)
		return
	}
	if dt == DataTypeJSON && !json.Valid(body) {
		http.Error(w, "user event body is not valid JSON", http.StatusBadRequest)
		return
	}
	req := &UserEventRequest{Context: cc, DataType: dt, Data: body, Metadata: eventMetadata(r.Header)}
	resp := &UserEventResponse{state: stateUpdate{base: state}}
	if h.opts.OnUserEvent != nil {
		if err := h.opts.OnUserEvent(r.Context(), req, resp); err != nil {
			h.writeError(w, cc, err)
			return
		}
	}
	if !writeState(w, &resp.state) {
		return
	}
	if resp.dataType == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", resp.dataType.contentType())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(resp.data)
}

// writeState sets the ce-connectionState header when the callback changed
// the state. It reports false after answering 500.
func writeState(w http.ResponseWriter, u *stateUpdate) bool {
	v, err := u.header()
	if err != nil {
		http.Error(w, "cannot encode connection state", http.StatusInternalServerError)
		return false
	}
	if v != "" {
		w.Header().Set(protocol.HeaderConnectionState, v)
	}
	return true
}

// callbackFailed is the reason sent for a callback error that is not a
// *StatusError. The error's own text stays in the log: it may describe the
// application's internals, and the service may show the reason to the client.
const callbackFailed = "the event handler failed"

// writeError answers a callback's error.
func (h *Handler) writeError(w http.ResponseWriter, cc ConnectionContext, err error) {
	var se *StatusError
	if errors.As(err, &se) {
		writeReason(w, se.status(), se.Reason)
		return
	}
	h.log.Error("eventhandler: callback failed", "hub", cc.Hub, "event", cc.EventName, "connectionId", cc.ConnectionID, "err", err)
	writeReason(w, http.StatusInternalServerError, callbackFailed)
}

// writeReason answers a refusal as the express handler answers
// fail(status, reason): the reason is the whole body, without a
// Content-Type.
func writeReason(w http.ResponseWriter, status int, reason string) {
	w.Header()["Content-Type"] = nil // no sniffed type either
	w.WriteHeader(status)
	_, _ = io.WriteString(w, reason)
}
