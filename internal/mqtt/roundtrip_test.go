package mqtt

import (
	"bytes"
	"io"
	"runtime"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// samplePackets are packets of every type with every field and every
// property the packet may carry, for each version.
func samplePackets(v Version) []Packet {
	user := []UserProperty{{"a", "1"}, {"a", "2"}, {"ü", ""}}
	reason := "because"
	p := func(pp Properties) Properties {
		if v == V311 {
			return Properties{}
		}
		return pp
	}
	code := func(c ReasonCode) ReasonCode {
		if v == V311 {
			return 0
		}
		return c
	}
	name := "user"
	connect := &Connect{ProtocolName: "MQTT", Version: v, CleanStart: true, KeepAlive: 180, ClientID: "c1",
		Username: &name, Password: []byte{0, 1, 2},
		Properties: p(Properties{SessionExpiryInterval: 30, ReceiveMaximum: 10, MaximumPacketSize: 1 << 20,
			TopicAliasMaximum: 5, RequestResponseInformation: 1, RequestProblemInformation: ptr[byte](0),
			AuthenticationMethod: "m", AuthenticationData: []byte("d"), User: user}),
		Will: &Will{QoS: QoS2, Retain: true, Topic: "will/t", Payload: []byte("bye"),
			Properties: p(Properties{WillDelayInterval: 5, PayloadFormatIndicator: 1, MessageExpiryInterval: ptr[uint32](60),
				ContentType: "text/plain", ResponseTopic: "r", CorrelationData: []byte{9}, User: user})}}
	return []Packet{
		connect,
		&Connect{ProtocolName: "MQTT", Version: v},
		&Connack{SessionPresent: true, ReasonCode: 0, Properties: p(Properties{SessionExpiryInterval: 30,
			ReceiveMaximum: 100, MaximumQoS: ptr[byte](1), RetainAvailable: ptr[byte](0), MaximumPacketSize: 1 << 20,
			AssignedClientIdentifier: "gen", TopicAliasMaximum: 0, ReasonString: reason, User: user,
			WildcardSubscriptionAvailable: ptr[byte](0), SubscriptionIdentifierAvailable: ptr[byte](1),
			SharedSubscriptionAvailable: ptr[byte](0), ServerKeepAlive: ptr[uint16](0), ResponseInformation: "ri",
			ServerReference: "other", AuthenticationMethod: "m", AuthenticationData: []byte{}})},
		&Connack{ReasonCode: code(ServerBusy) | ReasonCode(map[bool]byte{true: 3}[v == V311])},
		&Publish{Dup: true, QoS: QoS2, Retain: true, Topic: "a/b", PacketID: 65535, Payload: []byte("payload"),
			Properties: p(Properties{PayloadFormatIndicator: 1, MessageExpiryInterval: ptr[uint32](0), TopicAlias: 3,
				ResponseTopic: "resp", CorrelationData: []byte{}, User: user, SubscriptionIdentifiers: []uint32{1, 268435455},
				ContentType: "application/json"})},
		&Publish{Topic: "t", Payload: []byte{}},
		&Ack{Kind: PUBACK, PacketID: 1, ReasonCode: code(NoMatchingSubscribers), Properties: p(Properties{ReasonString: reason, User: user})},
		&Ack{Kind: PUBREC, PacketID: 2, ReasonCode: code(QuotaExceeded)},
		&Ack{Kind: PUBREL, PacketID: 3, Properties: p(Properties{ReasonString: reason})},
		&Ack{Kind: PUBCOMP, PacketID: 4, ReasonCode: code(PacketIdentifierNotFound)},
		&Subscribe{PacketID: 5, Properties: p(Properties{SubscriptionIdentifiers: []uint32{7}, User: user}),
			Subscriptions: []Subscription{{Filter: "a", QoS: QoS2}, {Filter: "b/+", QoS: QoS1, NoLocal: v == V5,
				RetainAsPublished: v == V5, RetainHandling: map[bool]byte{true: 2}[v == V5]}}},
		&Suback{PacketID: 5, Properties: p(Properties{ReasonString: reason, User: user}),
			ReasonCodes: []ReasonCode{GrantedQoS2, SubackFailure, code(WildcardSubscriptionsNotSupported) | ReasonCode(map[bool]byte{true: 1}[v == V311])}},
		&Unsubscribe{PacketID: 6, Properties: p(Properties{User: user}), Filters: []string{"a", "b"}},
		&Unsuback{PacketID: 6, Properties: p(Properties{ReasonString: reason}), ReasonCodes: map[bool][]ReasonCode{true: {Success, NoSubscriptionExisted}}[v == V5]},
		Pingreq{},
		Pingresp{},
		&Disconnect{ReasonCode: code(AdministrativeAction), Properties: p(Properties{SessionExpiryInterval: 10,
			ReasonString: reason, User: user, ServerReference: "s"})},
	}
}

func TestRoundTripEveryPacket(t *testing.T) {
	for _, v := range []Version{V311, V5} {
		packets := samplePackets(v)
		if v == V5 {
			packets = append(packets, &Auth{ReasonCode: ReAuthenticate, Properties: Properties{AuthenticationMethod: "m",
				AuthenticationData: []byte("x"), ReasonString: "r", User: []UserProperty{{"k", "v"}}}})
		}
		var stream []byte
		for _, p := range packets {
			wire, err := Encode(nil, p, v)
			require.NoError(t, err, "%s %T", v, p)
			got, n, err := Decode(wire, v, nil)
			require.NoError(t, err, "%s %T %x", v, p, wire)
			assert.Equal(t, len(wire), n)
			assert.Equal(t, p, got, "%s %T", v, p)
			stream = append(stream, wire...)
		}
		// The same packets through a Reader, one byte per read.
		r := NewReader(iotest.OneByteReader(bytes.NewReader(stream)), nil)
		for _, p := range packets {
			got, err := r.ReadPacket()
			require.NoError(t, err, "%s %T", v, p)
			assert.Equal(t, p, got)
			assert.Equal(t, v, r.Version(), "the CONNECT set the Reader's version")
		}
		_, err := r.ReadPacket()
		assert.ErrorIs(t, err, io.EOF)
	}
}

func TestReaderLargePacketAndTruncation(t *testing.T) {
	big := &Publish{QoS: QoS1, PacketID: 9, Topic: "big", Payload: bytes.Repeat([]byte("x"), 300<<10)}
	wire, err := Encode(nil, big, V5)
	require.NoError(t, err)
	r := NewReader(iotest.HalfReader(bytes.NewReader(wire)), nil)
	r.SetVersion(V5)
	got, err := r.ReadPacket()
	require.NoError(t, err)
	assert.Equal(t, big, got)

	for _, cut := range []int{1, 3, 100, len(wire) - 1} {
		r := NewReader(bytes.NewReader(wire[:cut]), nil)
		r.SetVersion(V5)
		_, err := r.ReadPacket()
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "cut at %d", cut)
	}

	// A declared length over the limit is refused before any body byte is
	// read or allocated.
	r = NewReader(bytes.NewReader([]byte{0x30, 0xFF, 0xFF, 0xFF, 0x7F}), &Limits{MaxPacketSize: 1024})
	r.SetVersion(V311)
	_, err = r.ReadPacket()
	e, ok := AsError(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, PacketTooLarge, e.Code)
}

func TestReaderFirstPacketMustBeConnect(t *testing.T) {
	r := NewReader(bytes.NewReader([]byte{0xC0, 0}), nil)
	_, err := r.ReadPacket()
	e, ok := AsError(err)
	require.True(t, ok)
	assert.Equal(t, ProtocolError, e.Code)
}

// A peer that declares a large packet and sends little of it makes the
// Reader hold memory for what arrived, not for what was declared.
func TestReaderGrowsWithArrivingBytes(t *testing.T) {
	const declared = 4 << 20
	head := appendVarint([]byte{0x30}, declared)
	wire := append(head, 0, 1, 'a', 'b', 'c')
	r := NewReader(bytes.NewReader(wire), &Limits{MaxPacketSize: 8 << 20})
	r.SetVersion(V311)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := r.ReadPacket()
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(declared/8),
		"a 4 MiB declaration with 5 bytes sent allocated %d bytes", after.TotalAlloc-before.TotalAlloc)
}
