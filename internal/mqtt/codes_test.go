package mqtt

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

func TestConnackCodeMapping(t *testing.T) {
	for _, tc := range []struct {
		v5   ReasonCode
		v311 ReasonCode
		ok   bool
	}{
		{Success, 0, true},
		{UnsupportedProtocolVersion, 1, true},
		{ClientIdentifierNotValid, 2, true},
		{ServerUnavailable, 3, true},
		{ServerBusy, 3, true},
		{UnspecifiedError, 3, true},
		{BadUserNameOrPassword, 4, true},
		{BadAuthenticationMethod, 4, true},
		{NotAuthorized, 5, true},
		{Banned, 5, true},
		{MalformedPacket, 0, false},
		{ProtocolError, 0, false},
		{TopicNameInvalid, 0, false},
		{PacketTooLarge, 0, false},
		{RetainNotSupported, 0, false},
	} {
		got, ok := ConnackCode(V311, tc.v5)
		assert.Equal(t, tc.ok, ok, "%s", tc.v5)
		if ok {
			assert.Equal(t, tc.v311, got, "%s", tc.v5)
		}
		got, ok = ConnackCode(V5, tc.v5)
		assert.True(t, ok)
		assert.Equal(t, tc.v5, got)
	}
	_, ok := ConnackCode(V5, DisconnectWithWillMessage)
	assert.False(t, ok, "0x04 is no CONNACK code")
}

func TestUpstreamConnectCode(t *testing.T) {
	for _, tc := range []struct {
		name    string
		v       Version
		status  int
		code    int
		hasCode bool
		want    ReasonCode
	}{
		{"v5 code passes", V5, 401, 0x87, true, NotAuthorized},
		{"v5 banned passes", V5, 403, 0x8A, true, Banned},
		{"v3 code passes", V311, 401, 5, true, 5},
		{"v3 code 2", V311, 400, 2, true, 2},
		{"v5 invalid code", V5, 400, 0x04, true, UnspecifiedError},
		{"v5 success is invalid", V5, 400, 0, true, UnspecifiedError},
		{"v5 v3 code is invalid", V5, 400, 5, true, UnspecifiedError},
		{"v3 invalid code", V311, 400, 0x87, true, 3},
		{"v3 out of byte", V311, 400, 300, true, 3},
		{"express fail(400) v3", V311, 400, 0, false, 4},
		{"express fail(401) v3", V311, 401, 0, false, 5},
		{"express fail(500) v3", V311, 500, 0, false, 3},
		{"express fail(400) v5", V5, 400, 0, false, BadUserNameOrPassword},
		{"express fail(401) v5", V5, 401, 0, false, NotAuthorized},
		{"express fail(500) v5", V5, 500, 0, false, UnspecifiedError},
		{"403 v5", V5, 403, 0, false, Banned},
		{"429 v5", V5, 429, 0, false, QuotaExceeded},
		{"502 v3", V311, 502, 0, false, 3},
	} {
		assert.Equal(t, tc.want, UpstreamConnectCode(tc.v, tc.status, tc.code, tc.hasCode), tc.name)
	}
}

// The statuses @azure/web-pubsub-express's failWith answers for each code
// (reference mqtt.md §6), and their round trip through UpstreamConnectCode.
func TestStatusForConnectCode(t *testing.T) {
	for code, want := range map[ReasonCode]int{
		1: 400, 2: 400, 3: 503, 4: 401, 5: 401, 0x86: 401, 0x87: 401, 0x8A: 403, 0x97: 429, 0x9F: 429,
		0x81: 400, 0x83: 400, 0x84: 400, 0x85: 400, 0x8C: 400, 0x90: 400, 0x95: 400, 0x99: 400, 0x9A: 400,
		0x9B: 400, 0x80: 500, 0x88: 500, 0x89: 500, 0x9C: 500, 0x9D: 500, 9: 500,
	} {
		assert.Equal(t, want, StatusForConnectCode(code), "%s", code)
		v := V5
		if code < 0x80 {
			v = V311
		}
		if ValidCode(CONNACK, v, code) {
			assert.Equal(t, code, UpstreamConnectCode(v, want, int(code), true), "the body's code wins over the status")
		}
	}
}

func TestDisconnectCodes(t *testing.T) {
	for r := CloseServerShutdown; r <= CloseInternalError; r++ {
		c := DisconnectCode(r)
		assert.True(t, ValidCode(DISCONNECT, V5, c), "%d -> %s is a DISCONNECT code", r, c)
		assert.True(t, c.IsError())
	}
	assert.Equal(t, AdministrativeAction, DisconnectCode(CloseAdministrative), "the reference's choice for a REST close")
	assert.Equal(t, SessionTakenOver, DisconnectCode(CloseSessionTakenOver))
}

func TestDataTypeMapping(t *testing.T) {
	for ct, want := range map[string]protocol.DataType{
		"application/json":              protocol.DataTypeJSON,
		"Application/JSON":              protocol.DataTypeJSON,
		"text/plain":                    protocol.DataTypeText,
		"text/plain; charset=utf-8":     protocol.DataTypeText,
		"application/x-protobuf":        protocol.DataTypeProtobuf,
		"application/octet-stream":      protocol.DataTypeBinary,
		"":                              protocol.DataTypeBinary,
		"image/png":                     protocol.DataTypeBinary,
		"not a ; media = type ; ; ":     protocol.DataTypeBinary,
		"application/json;charset=utf8": protocol.DataTypeJSON,
	} {
		assert.Equal(t, want, DataTypeOf(V5, ct), "%q", ct)
		assert.Equal(t, protocol.DataTypeBinary, DataTypeOf(V311, ct), "3.1.1 messages are binary")
	}
	for _, dt := range []protocol.DataType{protocol.DataTypeJSON, protocol.DataTypeText, protocol.DataTypeProtobuf, protocol.DataTypeBinary} {
		assert.Equal(t, dt, DataTypeOf(V5, ContentTypeOf(dt)), "round trip of %s", dt)
	}
	assert.Equal(t, "application/octet-stream", ContentTypeOf(protocol.DataTypeBinary))
}

func TestCodeNames(t *testing.T) {
	assert.Equal(t, "0x87 not authorized", NotAuthorized.String())
	assert.Equal(t, "0x07", ReasonCode(7).String())
	assert.Equal(t, "5 not authorized", ReturnNotAuthorized.String())
	assert.Equal(t, "6 (not a 3.1.1 return code)", ReturnCode(6).String())
	assert.Equal(t, "PUBREL", PUBREL.String())
	assert.Equal(t, "5.0", V5.String())
	assert.Equal(t, "level 3", Version(3).String())
}
