package protocol

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// CloudEvents (binary mode) headers of the upstream event protocol.
const (
	HeaderSpecVersion     = "ce-specversion"
	HeaderType            = "ce-type"
	HeaderSource          = "ce-source"
	HeaderID              = "ce-id"
	HeaderTime            = "ce-time"
	HeaderAwpsVersion     = "ce-awpsversion"
	HeaderHub             = "ce-hub"
	HeaderConnectionID    = "ce-connectionId"
	HeaderUserID          = "ce-userId"
	HeaderEventName       = "ce-eventName"
	HeaderSignature       = "ce-signature"
	HeaderConnectionState = "ce-connectionState"
	HeaderSubprotocol     = "ce-subprotocol"

	// HeaderRequestOrigin carries the service host on abuse-protection
	// requests and on every event.
	HeaderRequestOrigin = "WebHook-Request-Origin"
	// HeaderAllowedOrigin is the handler's answer to abuse protection.
	HeaderAllowedOrigin = "WebHook-Allowed-Origin"
)

// CloudEvents values.
const (
	SpecVersion = "1.0"
	AwpsVersion = "1.0"

	EventTypeConnect      = "azure.webpubsub.sys.connect"
	EventTypeConnected    = "azure.webpubsub.sys.connected"
	EventTypeDisconnected = "azure.webpubsub.sys.disconnected"
	// EventTypeUserPrefix precedes the user event name in ce-type.
	EventTypeUserPrefix = "azure.webpubsub.user."

	// System event names as used in ce-eventName and in upstream settings.
	EventConnect      = "connect"
	EventConnected    = "connected"
	EventDisconnected = "disconnected"
	// UserEventMessage is the user event name of frames from simple WebSocket clients.
	UserEventMessage = "message"
)

// EventSource returns the ce-source of an event about connectionID in hub.
func EventSource(hub, connectionID string) string {
	return "/hubs/" + hub + "/client/" + connectionID
}

// ConnectRequest is the JSON body of the connect event.
type ConnectRequest struct {
	// Claims are the claims of the client's access token.
	Claims map[string][]string `json:"claims,omitempty"`
	// Query is the query of the client's connect request.
	Query map[string][]string `json:"query,omitempty"`
	// Headers are the headers of the client's connect request.
	Headers map[string][]string `json:"headers,omitempty"`
	// Subprotocols are the WebSocket subprotocols the client offered.
	Subprotocols []string `json:"subprotocols,omitempty"`
	// ClientCertificates are the client's TLS certificates.
	ClientCertificates []ClientCertificate `json:"clientCertificates,omitempty"`
	// MQTT carries the properties of an MQTT client's CONNECT packet.
	MQTT *MQTTConnectProperties `json:"mqtt,omitempty"`
}

// ClientCertificate is a client certificate presented on connect.
type ClientCertificate struct {
	// Thumbprint is the certificate's thumbprint.
	Thumbprint string `json:"thumbprint"`
	// Content is the PEM-encoded certificate.
	Content string `json:"content,omitempty"`
}

// ConnectResponse is the JSON body an event handler returns to accept a
// connection and set its properties.
type ConnectResponse struct {
	// UserID sets the connection's user id.
	UserID string `json:"userId,omitempty"`
	// Groups are joined on connect.
	Groups []string `json:"groups,omitempty"`
	// Roles are granted to the connection.
	Roles []string `json:"roles,omitempty"`
	// Subprotocol is the chosen WebSocket subprotocol, one the client offered.
	Subprotocol string `json:"subprotocol,omitempty"`
	// MQTT carries the properties of an MQTT client's CONNACK.
	MQTT *MQTTConnectResponseProperties `json:"mqtt,omitempty"`
}

// DisconnectedRequest is the JSON body of the disconnected event.
type DisconnectedRequest struct {
	// Reason says why the connection ended.
	Reason string `json:"reason,omitempty"`
	// MQTT carries an MQTT client's DISCONNECT packet.
	MQTT *MQTTDisconnectedProperties `json:"mqtt,omitempty"`
}

// Signature returns the ce-signature value for connectionID: one
// "sha256=<hex>" per key, comma separated. Each is the HMAC-SHA256 of the
// connection id keyed with the key string's UTF-8 bytes.
func Signature(connectionID string, keys ...string) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("sha256=")
		b.WriteString(hex.EncodeToString(signatureMAC(connectionID, k)))
	}
	return b.String()
}

// VerifySignature reports whether header (a ce-signature value) holds a
// sha256 signature of connectionID by any of keys. Comparisons run in constant
// time.
func VerifySignature(header, connectionID string, keys ...string) bool {
	if header == "" || len(keys) == 0 {
		return false
	}
	macs := make([][]byte, len(keys))
	for i, k := range keys {
		macs[i] = signatureMAC(connectionID, k)
	}
	ok := false
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		hexSig, found := strings.CutPrefix(part, "sha256=")
		if !found {
			continue
		}
		sig, err := hex.DecodeString(hexSig)
		if err != nil {
			continue
		}
		for _, m := range macs {
			if hmac.Equal(sig, m) {
				ok = true
			}
		}
	}
	return ok
}

func signatureMAC(connectionID, key string) []byte {
	h := hmac.New(sha256.New, []byte(key))
	h.Write([]byte(connectionID))
	return h.Sum(nil)
}
