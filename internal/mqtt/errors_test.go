package mqtt

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pkt builds a packet from its first byte and body.
func pkt(first byte, body ...byte) []byte {
	return append(appendVarint([]byte{first}, uint32(len(body))), body...)
}

// cat joins byte slices.
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// s encodes a UTF-8 string field.
func s(v string) []byte { return append([]byte{byte(len(v) >> 8), byte(len(v))}, v...) }

// connectHead is a 5.0 CONNECT variable header with the given flags and
// no properties.
func connectHead(level, flags byte) []byte {
	return cat(s("MQTT"), []byte{level, flags, 0, 60})
}

func TestDecodeRefusesWithReasonCode(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    Version
		wire []byte
		code ReasonCode
		msg  string
	}{
		{"reserved type 0", V5, pkt(0x00), MalformedPacket, "reserved packet type 0"},
		{"AUTH on 3.1.1", V311, pkt(0xF0), MalformedPacket, "reserved packet type 15"},
		{"PUBREL flags", V5, pkt(0x60, 0, 1), MalformedPacket, "flags are 0x0, must be 0x2"},
		{"SUBSCRIBE flags", V311, pkt(0x80, 0, 1, 0, 1, 'a', 0), MalformedPacket, "must be 0x2"},
		{"PINGREQ flags", V311, pkt(0xC1), MalformedPacket, "flags are 0x1"},
		{"QoS 3 in PUBLISH", V5, pkt(0x36, 0, 1, 'a', 0, 1, 0), MalformedPacket, "QoS 3"},
		{"remaining length 5 bytes", V311, []byte{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, MalformedPacket, "longer than 4 bytes"},
		{"remaining length not shortest on 5.0", V5, []byte{0xC0, 0x80, 0x00}, MalformedPacket, "shortest form"},
		{"packet too large", V5, []byte{0x30, 0xFF, 0xFF, 0x7F}, PacketTooLarge, "more than the maximum packet size 1048576"},
		{"first packet not CONNECT", 0, pkt(0xC0), ProtocolError, "must be CONNECT"},
		{"other protocol", 0, pkt(0x10, connectHead(3, 2)...), UnsupportedProtocolVersion, `"MQTT" level 3`},
		{"MQIsdp", 0, pkt(0x10, cat(s("MQIsdp"), []byte{3, 2, 0, 60})...), UnsupportedProtocolVersion, `"MQIsdp"`},
		{"CONNECT reserved flag", 0, pkt(0x10, connectHead(4, 3)...), MalformedPacket, "reserved connect flag"},
		{"will QoS 3", 0, pkt(0x10, connectHead(4, 0x1E)...), MalformedPacket, "will QoS is 3"},
		{"will retain without will", 0, pkt(0x10, connectHead(4, 0x22)...), MalformedPacket, "without the will flag"},
		{"password without user on 3.1.1", 0, pkt(0x10, cat(connectHead(4, 0x42), s("c"), s("p"))...), MalformedPacket, "password flag without"},
		{"client id with U+0000", 0, pkt(0x10, cat(connectHead(4, 2), s("a\x00"))...), MalformedPacket, "client identifier contains U+0000"},
		{"client id not UTF-8", 0, pkt(0x10, cat(connectHead(4, 2), s("\xff"))...), MalformedPacket, "not well-formed UTF-8"},
		{"client id surrogate", 0, pkt(0x10, cat(connectHead(4, 2), s("\xed\xa0\x80"))...), MalformedPacket, "not well-formed UTF-8"},
		{"CONNECT trailing bytes", 0, pkt(0x10, cat(connectHead(4, 2), s("c"), []byte{0})...), MalformedPacket, "1 bytes after"},
		{"CONNECT truncated string", 0, pkt(0x10, cat(connectHead(4, 2), []byte{0, 5, 'a'})...), MalformedPacket, "declares 5 bytes, 1 are left"},
		{"DUP on QoS 0", V5, pkt(0x38, 0, 1, 'a', 0), MalformedPacket, "DUP is set on a QoS 0"},
		{"wildcard topic", V311, pkt(0x30, s("a/+")...), MalformedPacket, "wildcard"},
		{"empty topic 3.1.1", V311, pkt(0x30, s("")...), MalformedPacket, "empty topic"},
		{"empty topic 5.0 no alias", V5, pkt(0x30, 0, 0, 0), ProtocolError, "without a topic alias"},
		{"packet id 0", V5, pkt(0x32, 0, 1, 'a', 0, 0, 0), ProtocolError, "packet identifier 0"},
		{"property length past end", V5, pkt(0x30, 0, 1, 'a', 9), MalformedPacket, "declare 9 bytes"},
		{"property not allowed", V5, pkt(0x30, 0, 1, 'a', 2, 0x11, 0), MalformedPacket, "0x11 is not allowed in PUBLISH"},
		{"unknown property", V5, pkt(0x30, 0, 1, 'a', 2, 0x7F, 0), MalformedPacket, "0x7F is not allowed"},
		{"duplicate property", V5, pkt(0x30, 0, 1, 'a', 4, 1, 0, 1, 1), ProtocolError, "0x01 appears more than once"},
		{"payload format 2", V5, pkt(0x30, 0, 1, 'a', 2, 1, 2), ProtocolError, "payload format indicator is 2"},
		{"topic alias 0", V5, pkt(0x30, 0, 1, 'a', 3, 0x23, 0, 0), ProtocolError, "topic alias is 0"},
		{"subscription id 0", V5, pkt(0x30, 0, 1, 'a', 2, 0x0B, 0), ProtocolError, "subscription identifier is 0"},
		{"response topic wildcard", V5, pkt(0x30, cat(s("a"), []byte{6, 8}, s("a/#"))...), ProtocolError, "wildcard"},
		{"receive maximum 0", V5, pkt(0x10, cat(connectHead(5, 2), []byte{3, 0x21, 0, 0}, s("c"))...), ProtocolError, "receive maximum is 0"},
		{"maximum packet size 0", V5, pkt(0x10, cat(connectHead(5, 2), []byte{5, 0x27, 0, 0, 0, 0}, s("c"))...), ProtocolError, "maximum packet size is 0"},
		{"auth data without method", V5, pkt(0x10, cat(connectHead(5, 2), []byte{4, 0x16, 0, 1, 'x'}, s("c"))...), ProtocolError, "without an authentication method"},
		{"will property in CONNECT", V5, pkt(0x10, cat(connectHead(5, 2), []byte{5, 0x18, 0, 0, 0, 1}, s("c"))...), MalformedPacket, "0x18 is not allowed in CONNECT"},
		{"session expiry in will", V5, pkt(0x10, cat(connectHead(5, 6), []byte{0}, s("c"), []byte{5, 0x11, 0, 0, 0, 1}, s("w"), s(""))...), MalformedPacket, "0x11 is not allowed in will"},
		{"property varint truncated", V5, pkt(0x30, 0, 1, 'a', 1, 0x80), MalformedPacket, "inside a variable byte integer"},
		{"PUBACK code not allowed", V5, pkt(0x40, 0, 1, 0x92), ProtocolError, "0x92 is not one PUBACK carries"},
		{"PUBREL code not allowed", V5, pkt(0x62, 0, 1, 0x87), ProtocolError, "0x87 is not one PUBREL carries"},
		{"PUBACK long on 3.1.1", V311, pkt(0x40, 0, 1, 0), MalformedPacket, "1 bytes after"},
		{"PUBACK short", V311, pkt(0x40, 0), MalformedPacket, "packet identifier needs 2 bytes"},
		{"DISCONNECT body on 3.1.1", V311, pkt(0xE0, 0), MalformedPacket, "1 bytes after"},
		{"DISCONNECT code 0x84", V5, pkt(0xE0, 0x84), ProtocolError, "0x84 is not one DISCONNECT carries"},
		{"PINGREQ body", V5, pkt(0xC0, 0), MalformedPacket, "1 bytes after"},
		{"SUBSCRIBE empty", V311, pkt(0x82, 0, 1), ProtocolError, "no topic filter"},
		{"SUBSCRIBE reserved bits 3.1.1", V311, pkt(0x82, cat([]byte{0, 1}, s("a"), []byte{4})...), MalformedPacket, "reserved subscription option"},
		{"SUBSCRIBE reserved bits 5.0", V5, pkt(0x82, cat([]byte{0, 1, 0}, s("a"), []byte{0x40})...), MalformedPacket, "reserved subscription option"},
		{"SUBSCRIBE QoS 3", V5, pkt(0x82, cat([]byte{0, 1, 0}, s("a"), []byte{3})...), MalformedPacket, "requested QoS 3"},
		{"SUBSCRIBE retain handling 3", V5, pkt(0x82, cat([]byte{0, 1, 0}, s("a"), []byte{0x30})...), ProtocolError, "retain handling 3"},
		{"SUBSCRIBE two subscription ids", V5, pkt(0x82, cat([]byte{0, 1, 4, 0x0B, 1, 0x0B, 2}, s("a"), []byte{0})...), ProtocolError, "0x0B appears more than once"},
		{"SUBSCRIBE missing options", V311, pkt(0x82, cat([]byte{0, 1}, s("a"))...), MalformedPacket, "subscription options needs 1 bytes"},
		{"UNSUBSCRIBE empty", V5, pkt(0xA2, 0, 1, 0), ProtocolError, "no topic filter"},
		{"SUBACK 3.1.1 code 0x87", V311, pkt(0x90, 0, 1, 0x87), ProtocolError, "0x87 is not one SUBACK carries"},
		{"CONNACK reserved flags", V311, pkt(0x20, 2, 0), MalformedPacket, "reserved acknowledge flags"},
		{"CONNACK 3.1.1 code 6", V311, pkt(0x20, 0, 6), ProtocolError, "0x06 is not one CONNACK carries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, n, err := Decode(tc.wire, tc.v, nil)
			e, ok := AsError(err)
			require.True(t, ok, "want *Error, got %v", err)
			assert.Equal(t, tc.code, e.Code, "%v", err)
			assert.Contains(t, e.Error(), tc.msg)
			assert.Zero(t, n)
			if tc.code != UnsupportedProtocolVersion {
				assert.Nil(t, p)
			}
		})
	}
}

func TestUnsupportedProtocolReturnsWhatWasRead(t *testing.T) {
	p, _, err := Decode(pkt(0x10, cat(s("MQIsdp"), []byte{3, 2, 0, 60}, s("c"))...), 0, nil)
	e, ok := AsError(err)
	require.True(t, ok)
	assert.Equal(t, UnsupportedProtocolVersion, e.Code)
	c := p.(*Connect)
	assert.Equal(t, "MQIsdp", c.ProtocolName)
	assert.Equal(t, Version(3), c.Version)
}

func TestDecodeIncomplete(t *testing.T) {
	wire, err := Encode(nil, &Publish{QoS: QoS1, PacketID: 1, Topic: "t", Payload: make([]byte, 300)}, V5)
	require.NoError(t, err)
	for i := 0; i < len(wire); i++ {
		_, n, err := Decode(wire[:i], V5, nil)
		require.ErrorIs(t, err, ErrIncomplete, "prefix of %d bytes", i)
		assert.Zero(t, n)
	}
	_, n, err := Decode(append(wire, 0xC0), V5, nil)
	require.NoError(t, err)
	assert.Equal(t, len(wire), n, "Decode takes one packet and leaves the next")
}

func TestLimitsAreEnforced(t *testing.T) {
	lim := &Limits{MaxPacketSize: 64, MaxUserProperties: 2, MaxUserPropertyBytes: 10, MaxTopicFilters: 2,
		MaxSubscriptionIDs: 1, MaxPropertiesBytes: 40}
	user := func(n int, name string) []byte {
		var b []byte
		for i := 0; i < n; i++ {
			b = append(b, cat([]byte{0x26}, s(name), s("v"))...)
		}
		return append([]byte{byte(len(b))}, b...)
	}
	for _, tc := range []struct {
		name string
		wire []byte
		code ReasonCode
		msg  string
	}{
		{"packet size", pkt(0x30, cat(s("a"), []byte{0}, make([]byte, 60))...), PacketTooLarge, "66 bytes, more than the maximum packet size 64"},
		{"user property count", pkt(0x30, cat(s("a"), user(3, "n"))...), QuotaExceeded, "more than 2 user properties"},
		{"user property bytes", pkt(0x30, cat(s("a"), user(1, "nnnnnnnnnn"))...), QuotaExceeded, "exceed 10 bytes"},
		{"properties bytes", pkt(0x30, cat(s("a"), []byte{41}, make([]byte, 41))...), QuotaExceeded, "41 bytes, more than 40"},
		{"subscription ids", pkt(0x30, cat(s("a"), []byte{4, 0x0B, 1, 0x0B, 2})...), QuotaExceeded, "more than 1 subscription identifiers"},
		{"topic filters", pkt(0x82, cat([]byte{0, 1, 0}, s("a"), []byte{0}, s("b"), []byte{0}, s("c"), []byte{0})...), QuotaExceeded, "more than 2 topic filters"},
		{"unsubscribe filters", pkt(0xA2, cat([]byte{0, 1, 0}, s("a"), s("b"), s("c"))...), QuotaExceeded, "more than 2 topic filters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Decode(tc.wire, V5, lim)
			e, ok := AsError(err)
			require.True(t, ok, "want *Error, got %v", err)
			assert.Equal(t, tc.code, e.Code)
			assert.Contains(t, e.Msg, tc.msg)
		})
	}
	_, _, err := Decode(pkt(0x30, cat(s("a"), user(2, "n"))...), V5, lim)
	require.NoError(t, err, "at the limits")
}

func TestEncodeRefusesWhatAReceiverWould(t *testing.T) {
	long := string(make([]byte, MaxStringBytes+1))
	for _, tc := range []struct {
		name string
		v    Version
		p    Packet
		msg  string
	}{
		{"string too long", V5, &Publish{Topic: "a", Properties: Properties{ContentType: string(bytes.Repeat([]byte("x"), MaxStringBytes+1))}}, "more than 65535"},
		{"U+0000", V311, &Publish{Topic: long[:1]}, "contains U+0000"},
		{"invalid UTF-8", V5, &Unsubscribe{PacketID: 1, Filters: []string{"\xff"}}, "not well-formed"},
		{"property not allowed", V5, &Publish{Topic: "a", Properties: Properties{SessionExpiryInterval: 1}}, "0x11 is not allowed in PUBLISH"},
		{"will delay in CONNECT", V5, &Connect{Version: V5, Properties: Properties{WillDelayInterval: 1}}, "0x18 is not allowed in CONNECT"},
		{"two subscription ids in SUBSCRIBE", V5, &Subscribe{PacketID: 1, Properties: Properties{SubscriptionIdentifiers: []uint32{1, 2}}, Subscriptions: []Subscription{{Filter: "a"}}}, "SUBSCRIBE carries one"},
		{"reason code on 3.1.1", V311, &Ack{Kind: PUBACK, PacketID: 1, ReasonCode: NotAuthorized}, "on 3.1.1"},
		{"wrong code", V5, &Ack{Kind: PUBREL, PacketID: 1, ReasonCode: NotAuthorized}, "not one PUBREL carries"},
		{"3.1.1 SUBACK code", V311, &Suback{PacketID: 1, ReasonCodes: []ReasonCode{NotAuthorized}}, "not one SUBACK carries"},
		{"QoS 1 without id", V5, &Publish{Topic: "a", QoS: QoS1}, "packet identifier 0"},
		{"v5 options on 3.1.1", V311, &Subscribe{PacketID: 1, Subscriptions: []Subscription{{Filter: "a", NoLocal: true}}}, "5.0 subscription options"},
		{"AUTH on 3.1.1", V311, &Auth{}, "not a supported version"},
		{"no version", 0, Pingreq{}, "not a supported version"},
		{"will QoS 3", V5, &Connect{Version: V5, Will: &Will{Topic: "w", QoS: 3}}, "will QoS 3"},
		{"subscription QoS 3", V5, &Subscribe{PacketID: 1, Subscriptions: []Subscription{{Filter: "a", QoS: 3}}}, "QoS 3"},
		{"retain handling 3", V5, &Subscribe{PacketID: 1, Subscriptions: []Subscription{{Filter: "a", RetainHandling: 3}}}, "retain handling 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "AUTH on 3.1.1" {
				_, err := Encode(nil, tc.p, V311)
				require.ErrorContains(t, err, "AUTH on 3.1.1")
				return
			}
			out, err := Encode([]byte{1}, tc.p, tc.v)
			require.ErrorContains(t, err, tc.msg)
			assert.Equal(t, []byte{1}, out, "dst comes back unchanged")
		})
	}
}
