package mqtt

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Byte vectors from the non-normative examples of the specifications
// (MQTT 3.1.1 OASIS Standard, MQTT 5.0 OASIS Standard), completed into
// whole packets where the example shows a part.

// The remaining length examples of 3.1.1 Table 2.4 and 5.0 Table 1-1.
func TestRemainingLengthSpecTable(t *testing.T) {
	for _, tc := range []struct {
		v    uint32
		wire []byte
	}{
		{0, []byte{0x00}},
		{127, []byte{0x7F}},
		{128, []byte{0x80, 0x01}},
		{16383, []byte{0xFF, 0x7F}},
		{16384, []byte{0x80, 0x80, 0x01}},
		{2097151, []byte{0xFF, 0xFF, 0x7F}},
		{2097152, []byte{0x80, 0x80, 0x80, 0x01}},
		{268435455, []byte{0xFF, 0xFF, 0xFF, 0x7F}},
	} {
		assert.Equal(t, tc.wire, appendVarint(nil, tc.v), "encoding %d", tc.v)
		assert.Equal(t, len(tc.wire), varintLen(tc.v))
		got, n, err := parseVarint(tc.wire, true)
		require.NoError(t, err)
		assert.Equal(t, tc.v, got)
		assert.Equal(t, len(tc.wire), n)
	}
	_, _, err := parseVarint([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, false)
	assert.ErrorContains(t, err, "longer than 4 bytes")
}

// 3.1.1 Figure 1.3 / 5.0 Figure 1-1: the string "A\U0002A6D4".
func TestUTF8StringSpecExample(t *testing.T) {
	wire := []byte{0x00, 0x05, 0x41, 0xF0, 0xAA, 0x9B, 0x94}
	d := &dec{b: wire, t: PUBLISH}
	s, err := d.str("s")
	require.NoError(t, err)
	assert.Equal(t, "A\U0002A6D4", s)
	e := &enc{t: PUBLISH}
	e.str("s", s)
	assert.Equal(t, wire, e.b)
}

// 3.1.1 Figure 3.6 (CONNECT variable header): name "MQTT", level 4, flags
// 0xCE (user name, password, will QoS 1, will, clean session), keep alive
// 10; completed with client id "c1", will "w"/"x", user "u", password "p".
func TestConnectSpecExampleV311(t *testing.T) {
	wire := []byte{0x10, 26,
		0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0xCE, 0x00, 0x0A,
		0x00, 0x02, 'c', '1', 0x00, 0x01, 'w', 0x00, 0x01, 'x', 0x00, 0x01, 'u', 0x00, 0x01, 'p'}
	p, n, err := Decode(wire, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, len(wire), n)
	user := "u"
	want := &Connect{ProtocolName: "MQTT", Version: V311, CleanStart: true, KeepAlive: 10, ClientID: "c1",
		Will: &Will{QoS: QoS1, Topic: "w", Payload: []byte("x")}, Username: &user, Password: []byte("p")}
	assert.Equal(t, want, p)
	out, err := Encode(nil, p, 0)
	require.NoError(t, err)
	assert.Equal(t, wire, out)
}

// 5.0 Figure 3-6 (CONNECT variable header): as 3.1.1's with level 5 and a
// property section of 5 bytes: Session Expiry Interval (17) = 10.
func TestConnectSpecExampleV5(t *testing.T) {
	wire := []byte{0x10, 25,
		0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0xCE, 0x00, 0x0A, 0x05, 0x11, 0x00, 0x00, 0x00, 0x0A,
		0x00, 0x02, 'c', '1', 0x00, 0x00, 0x01, 'w', 0x00, 0x00}
	wire[1] = byte(len(wire) - 2)
	wire[9] = 0x0E // will QoS 1, will flag, clean start: no user name/password in this vector
	p, _, err := Decode(wire, 0, nil)
	require.NoError(t, err)
	c := p.(*Connect)
	assert.Equal(t, V5, c.Version)
	assert.Equal(t, uint32(10), c.Properties.SessionExpiryInterval)
	assert.Equal(t, "c1", c.ClientID)
	require.NotNil(t, c.Will)
	assert.Equal(t, "w", c.Will.Topic)
	assert.Empty(t, c.Will.Payload)
	out, err := Encode(nil, p, 0)
	require.NoError(t, err)
	assert.Equal(t, wire, out)
}

// 3.1.1 Figure 3.11 and 5.0 Figure 3-9 (PUBLISH variable header): topic
// "a/b", packet identifier 10 (5.0: then an empty property section).
func TestPublishSpecExample(t *testing.T) {
	v311 := []byte{0x32, 9, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x0A, 'h', 'i'}
	v5 := []byte{0x32, 10, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x0A, 0x00, 'h', 'i'}
	for v, wire := range map[Version][]byte{V311: v311, V5: v5} {
		p, _, err := Decode(wire, v, nil)
		require.NoError(t, err, "%s", v)
		assert.Equal(t, &Publish{QoS: QoS1, Topic: "a/b", PacketID: 10, Payload: []byte("hi")}, p, "%s", v)
		out, err := Encode(nil, p, v)
		require.NoError(t, err)
		assert.Equal(t, wire, out, "%s", v)
	}
}

// 3.1.1 Figure 3.23 / 5.0 Figure 3-21 (SUBSCRIBE payload): "a/b" QoS 1 and
// "c/d" QoS 2, packet identifier 10.
func TestSubscribeSpecExample(t *testing.T) {
	payload := []byte{0x00, 0x03, 'a', '/', 'b', 0x01, 0x00, 0x03, 'c', '/', 'd', 0x02}
	for _, v := range []Version{V311, V5} {
		wire := []byte{0x82, 0, 0x00, 0x0A}
		if v == V5 {
			wire = append(wire, 0x00)
		}
		wire = append(wire, payload...)
		wire[1] = byte(len(wire) - 2)
		p, _, err := Decode(wire, v, nil)
		require.NoError(t, err)
		assert.Equal(t, &Subscribe{PacketID: 10, Subscriptions: []Subscription{{Filter: "a/b", QoS: QoS1}, {Filter: "c/d", QoS: QoS2}}}, p)
		out, err := Encode(nil, p, v)
		require.NoError(t, err)
		assert.Equal(t, wire, out)
	}
}

// 3.1.1 Figure 3.26 / 5.0 Figure 3-23 (SUBACK payload): success QoS 0,
// success QoS 2, failure.
func TestSubackSpecExample(t *testing.T) {
	v311 := []byte{0x90, 5, 0x00, 0x0A, 0x00, 0x02, 0x80}
	p, _, err := Decode(v311, V311, nil)
	require.NoError(t, err)
	assert.Equal(t, &Suback{PacketID: 10, ReasonCodes: []ReasonCode{GrantedQoS0, GrantedQoS2, SubackFailure}}, p)
	v5 := []byte{0x90, 6, 0x00, 0x0A, 0x00, 0x00, 0x02, 0x80}
	p5, _, err := Decode(v5, V5, nil)
	require.NoError(t, err)
	assert.Equal(t, p, p5)
	for v, wire := range map[Version][]byte{V311: v311, V5: v5} {
		out, err := Encode(nil, p, v)
		require.NoError(t, err)
		assert.Equal(t, wire, out)
	}
}

// 3.1.1 Figure 3.30 / 5.0 Figure 3-29 (UNSUBSCRIBE payload): "a/b", "c/d".
func TestUnsubscribeSpecExample(t *testing.T) {
	wire := []byte{0xA2, 12, 0x00, 0x0A, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x03, 'c', '/', 'd'}
	p, _, err := Decode(wire, V311, nil)
	require.NoError(t, err)
	assert.Equal(t, &Unsubscribe{PacketID: 10, Filters: []string{"a/b", "c/d"}}, p)
	out, err := Encode(nil, p, V311)
	require.NoError(t, err)
	assert.Equal(t, wire, out)
}

// The fixed forms: CONNACK (3.1.1 §3.2), PINGREQ, PINGRESP, DISCONNECT,
// and the 5.0 short forms of acknowledgements and DISCONNECT.
func TestFixedFormPackets(t *testing.T) {
	for _, tc := range []struct {
		v    Version
		p    Packet
		wire []byte
	}{
		{V311, &Connack{SessionPresent: true}, []byte{0x20, 2, 1, 0}},
		{V311, &Connack{ReasonCode: ReasonCode(ReturnNotAuthorized)}, []byte{0x20, 2, 0, 5}},
		{V5, &Connack{ReasonCode: NotAuthorized}, []byte{0x20, 3, 0, 0x87, 0}},
		{V311, Pingreq{}, []byte{0xC0, 0}},
		{V5, Pingresp{}, []byte{0xD0, 0}},
		{V311, &Disconnect{}, []byte{0xE0, 0}},
		{V5, &Disconnect{}, []byte{0xE0, 0}},
		{V5, &Disconnect{ReasonCode: AdministrativeAction}, []byte{0xE0, 1, 0x98}},
		{V311, &Ack{Kind: PUBACK, PacketID: 7}, []byte{0x40, 2, 0, 7}},
		{V5, &Ack{Kind: PUBREL, PacketID: 7}, []byte{0x62, 2, 0, 7}},
		{V5, &Ack{Kind: PUBACK, PacketID: 7, ReasonCode: NotAuthorized}, []byte{0x40, 3, 0, 7, 0x87}},
		{V5, &Ack{Kind: PUBCOMP, PacketID: 1, ReasonCode: PacketIdentifierNotFound}, []byte{0x70, 3, 0, 1, 0x92}},
		{V311, &Unsuback{PacketID: 3}, []byte{0xB0, 2, 0, 3}},
		{V5, &Unsuback{PacketID: 3, ReasonCodes: []ReasonCode{NoSubscriptionExisted}}, []byte{0xB0, 4, 0, 3, 0, 0x11}},
		{V5, &Auth{ReasonCode: ContinueAuthentication}, []byte{0xF0, 1, 0x18}},
	} {
		out, err := Encode(nil, tc.p, tc.v)
		require.NoError(t, err, "%T", tc.p)
		assert.Equal(t, tc.wire, out, "%s %T", tc.v, tc.p)
		p, n, err := Decode(tc.wire, tc.v, nil)
		require.NoError(t, err, "%s %x", tc.v, tc.wire)
		assert.Equal(t, len(tc.wire), n)
		assert.Equal(t, tc.p, p)
	}
}
