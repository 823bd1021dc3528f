package protocol

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	primaryKey   = "primary-key-ABC="
	secondaryKey = "secondary-key-XYZ="
	connID       = "0f6a3e6c-conn"
)

// expectedSig computes one signature independently of Signature.
func expectedSig(key, id string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(id))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func TestSignatureOneKey(t *testing.T) {
	sig := Signature(connID, primaryKey)
	assert.Equal(t, expectedSig(primaryKey, connID), sig)
	assert.Len(t, sig, len("sha256=")+64)
	assert.True(t, VerifySignature(sig, connID, primaryKey))
}

func TestSignatureTwoKeys(t *testing.T) {
	sig := Signature(connID, primaryKey, secondaryKey)
	assert.Equal(t, expectedSig(primaryKey, connID)+","+expectedSig(secondaryKey, connID), sig)
	assert.True(t, VerifySignature(sig, connID, primaryKey))
	assert.True(t, VerifySignature(sig, connID, secondaryKey))
	assert.True(t, VerifySignature(sig, connID, "rotated-away", secondaryKey))
	assert.False(t, VerifySignature(sig, connID, "unrelated"))
}

func TestSignatureNoKeys(t *testing.T) {
	assert.Equal(t, "", Signature(connID))
}

func TestSignatureKnownVector(t *testing.T) {
	// HMAC-SHA256 of "connectionId" keyed with the UTF-8 bytes of "key".
	assert.Equal(t, expectedSig("key", "connectionId"), Signature("connectionId", "key"))
	assert.NotEqual(t, Signature("connectionId", "key"), Signature("connectionId", "a2V5")) // not base64-decoded
}

func TestVerifySignatureRejections(t *testing.T) {
	good := Signature(connID, primaryKey)
	hexPart := strings.TrimPrefix(good, "sha256=")
	tests := []struct {
		name, header, id string
		keys             []string
	}{
		{"wrong key", good, connID, []string{secondaryKey}},
		{"other connection", good, connID + "x", []string{primaryKey}},
		{"empty header", "", connID, []string{primaryKey}},
		{"no keys", good, connID, nil},
		{"no prefix", hexPart, connID, []string{primaryKey}},
		{"other algorithm", "sha1=" + hexPart, connID, []string{primaryKey}},
		{"not hex", "sha256=" + strings.Repeat("z", 64), connID, []string{primaryKey}},
		{"odd hex", "sha256=" + hexPart[:63], connID, []string{primaryKey}},
		{"truncated mac", "sha256=" + hexPart[:32], connID, []string{primaryKey}},
		{"empty mac", "sha256=", connID, []string{primaryKey}},
		{"only commas", ",,,", connID, []string{primaryKey}},
		{"garbage", "\x00\xff;sha256", connID, []string{primaryKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.False(t, VerifySignature(tt.header, tt.id, tt.keys...))
		})
	}
}

func TestVerifySignatureTolerantParsing(t *testing.T) {
	good := Signature(connID, primaryKey)
	assert.True(t, VerifySignature("sha256=00, "+good, connID, primaryKey), "space after comma")
	assert.True(t, VerifySignature("garbage,"+good+",more", connID, primaryKey), "one valid part is enough")
}

func TestEventSource(t *testing.T) {
	assert.Equal(t, "/hubs/chat/client/conn1", EventSource("chat", "conn1"))
}

func TestEventTypes(t *testing.T) {
	assert.Equal(t, "azure.webpubsub.sys.connect", EventTypeConnect)
	assert.Equal(t, "azure.webpubsub.sys.connected", EventTypeConnected)
	assert.Equal(t, "azure.webpubsub.sys.disconnected", EventTypeDisconnected)
	assert.Equal(t, "azure.webpubsub.user.message", EventTypeUserPrefix+UserEventMessage)
}

func TestConnectBodies(t *testing.T) {
	req := ConnectRequest{
		Claims:             map[string][]string{"sub": {"u"}},
		Query:              map[string][]string{"a": {"1", "2"}},
		Headers:            map[string][]string{"X": {"y"}},
		Subprotocols:       []string{JSON},
		ClientCertificates: []ClientCertificate{{Thumbprint: "tp"}},
	}
	b, err := json.Marshal(req)
	require.NoError(t, err)
	assert.JSONEq(t, `{"claims":{"sub":["u"]},"query":{"a":["1","2"]},"headers":{"X":["y"]},
		"subprotocols":["json.webpubsub.azure.v1"],"clientCertificates":[{"thumbprint":"tp"}]}`, string(b))

	b, err = json.Marshal(ConnectResponse{UserID: "u", Groups: []string{"g"}, Roles: []string{RoleSendToGroup}, Subprotocol: JSON})
	require.NoError(t, err)
	assert.JSONEq(t, `{"userId":"u","groups":["g"],"roles":["webpubsub.sendToGroup"],"subprotocol":"json.webpubsub.azure.v1"}`, string(b))

	b, err = json.Marshal(ConnectResponse{})
	require.NoError(t, err)
	assert.Equal(t, `{}`, string(b))

	b, err = json.Marshal(DisconnectedRequest{Reason: "closed"})
	require.NoError(t, err)
	assert.Equal(t, `{"reason":"closed"}`, string(b))
}
