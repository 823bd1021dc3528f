package mqtt

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func pub(qos QoS, payload string) *Publish {
	return &Publish{Topic: "t", QoS: qos, Payload: []byte(payload)}
}

func TestOutboundQoS1AndQoS2(t *testing.T) {
	o := NewOutbound(V5, 0)
	p1, p2 := pub(QoS1, "a"), pub(QoS2, "b")
	require.NoError(t, o.Send(p1))
	require.NoError(t, o.Send(p2))
	require.NoError(t, o.Send(pub(QoS0, "c")))
	assert.Equal(t, uint16(1), p1.PacketID)
	assert.Equal(t, uint16(2), p2.PacketID)
	assert.Equal(t, 2, o.Len(), "QoS 0 is not tracked")

	reply, done, r := o.Ack(&Ack{Kind: PUBACK, PacketID: 2})
	require.NotNil(t, r, "PUBACK for a QoS 2 message")
	assert.Equal(t, ProtocolError, r.Code)
	assert.Nil(t, reply)
	assert.False(t, done)

	reply, done, r = o.Ack(&Ack{Kind: PUBREC, PacketID: 2})
	require.Nil(t, r)
	assert.False(t, done)
	assert.Equal(t, &Ack{Kind: PUBREL, PacketID: 2}, reply)
	reply, _, _ = o.Ack(&Ack{Kind: PUBREC, PacketID: 2})
	assert.Equal(t, &Ack{Kind: PUBREL, PacketID: 2}, reply, "a repeated PUBREC gets the PUBREL again")

	_, done, r = o.Ack(&Ack{Kind: PUBACK, PacketID: 1})
	require.Nil(t, r)
	assert.True(t, done)
	_, done, r = o.Ack(&Ack{Kind: PUBACK, PacketID: 1})
	assert.Nil(t, r, "a late duplicate is ignored")
	assert.False(t, done)
	_, done, _ = o.Ack(&Ack{Kind: PUBCOMP, PacketID: 2})
	assert.True(t, done)
	assert.Zero(t, o.Len())

	reply, _, _ = o.Ack(&Ack{Kind: PUBREC, PacketID: 77})
	assert.Equal(t, &Ack{Kind: PUBREL, PacketID: 77, ReasonCode: PacketIdentifierNotFound}, reply)
	o311 := NewOutbound(V311, 0)
	reply, _, _ = o311.Ack(&Ack{Kind: PUBREC, PacketID: 77})
	assert.Equal(t, &Ack{Kind: PUBREL, PacketID: 77}, reply)
}

func TestOutboundRefusedPubrecEndsTheFlow(t *testing.T) {
	o := NewOutbound(V5, 0)
	p := pub(QoS2, "x")
	require.NoError(t, o.Send(p))
	reply, done, r := o.Ack(&Ack{Kind: PUBREC, PacketID: p.PacketID, ReasonCode: QuotaExceeded})
	require.Nil(t, r)
	assert.Nil(t, reply, "no PUBREL after a refused PUBREC")
	assert.True(t, done)
}

func TestOutboundReceiveMaximumAndBytes(t *testing.T) {
	o := NewOutbound(V5, 2)
	require.NoError(t, o.Send(pub(QoS1, "a")))
	require.NoError(t, o.Send(pub(QoS2, "b")))
	assert.ErrorIs(t, o.Send(pub(QoS1, "c")), ErrInflightFull, "the client's receive maximum is 2")
	require.NoError(t, o.Send(pub(QoS0, "d")), "QoS 0 is not counted")
	_, _, _ = o.Ack(&Ack{Kind: PUBACK, PacketID: 1})
	require.NoError(t, o.Send(pub(QoS1, "e")))

	o = NewOutbound(V311, 5000) // 3.1.1: receive maximum is ignored
	for i := 0; i < DefaultMaxOutboundInflight; i++ {
		require.NoError(t, o.Send(pub(QoS1, "")))
	}
	assert.ErrorIs(t, o.Send(pub(QoS1, "")), ErrInflightFull)

	o = NewOutbound(V5, 0)
	big := string(make([]byte, DefaultMaxOutboundInflightBytes))
	require.NoError(t, o.Send(pub(QoS1, big+big)), "one message always fits")
	assert.ErrorIs(t, o.Send(pub(QoS1, "x")), ErrInflightFull, "the byte bound")
}

func TestOutboundPacketIDsSkipInUseAndZero(t *testing.T) {
	o := NewOutbound(V5, 3)
	o.next = 65534
	a, b := pub(QoS1, ""), pub(QoS1, "")
	require.NoError(t, o.Send(a))
	require.NoError(t, o.Send(b))
	assert.Equal(t, uint16(65535), a.PacketID)
	assert.Equal(t, uint16(1), b.PacketID, "0 is never used")
	o.next = 65534
	c := pub(QoS1, "")
	require.NoError(t, o.Send(c))
	assert.Equal(t, uint16(2), c.PacketID, "65535 and 1 are in flight")
}

func TestOutboundResendAfterResume(t *testing.T) {
	o := NewOutbound(V5, 0)
	p1, p2, p3 := pub(QoS1, "1"), pub(QoS2, "2"), pub(QoS2, "3")
	for _, p := range []*Publish{p1, p2, p3} {
		require.NoError(t, o.Send(p))
	}
	_, _, _ = o.Ack(&Ack{Kind: PUBREC, PacketID: p3.PacketID})
	o.Reconnected(V311, 0)
	got := o.Resend()
	require.Len(t, got, 3)
	assert.True(t, got[0].(*Publish).Dup)
	assert.Equal(t, p1.PacketID, got[0].(*Publish).PacketID)
	assert.True(t, got[1].(*Publish).Dup)
	assert.Equal(t, &Ack{Kind: PUBREL, PacketID: p3.PacketID}, got[2], "a PUBREL, not the PUBLISH, after PUBREC")
	for _, p := range got {
		_, err := Encode(nil, p, V311)
		require.NoError(t, err)
	}
}

func TestInboundQoS2ExactlyOnce(t *testing.T) {
	in := NewInbound(V5, 0)
	p := &Publish{Topic: "t", QoS: QoS2, PacketID: 9}
	deliver, resend, r := in.Receive(p)
	require.Nil(t, r)
	assert.True(t, deliver)
	assert.Nil(t, resend)

	dup := *p
	dup.Dup = true
	deliver, resend, _ = in.Receive(&dup)
	assert.False(t, deliver, "a resend while processing is not delivered again")
	assert.Nil(t, resend, "nor acknowledged before the first copy is")

	assert.Equal(t, &Ack{Kind: PUBREC, PacketID: 9}, in.Acknowledge(p, Success))
	deliver, resend, _ = in.Receive(&dup)
	assert.False(t, deliver)
	assert.Equal(t, &Ack{Kind: PUBREC, PacketID: 9}, resend, "a resend after PUBREC gets PUBREC again")

	assert.Equal(t, &Ack{Kind: PUBCOMP, PacketID: 9}, in.Release(&Ack{Kind: PUBREL, PacketID: 9}))
	assert.Equal(t, &Ack{Kind: PUBCOMP, PacketID: 9, ReasonCode: PacketIdentifierNotFound}, in.Release(&Ack{Kind: PUBREL, PacketID: 9}))
	assert.Zero(t, in.Len())

	deliver, _, _ = in.Receive(p)
	assert.True(t, deliver, "after PUBCOMP the identifier is a new message")
}

func TestInboundAcknowledgeCodes(t *testing.T) {
	in := NewInbound(V5, 0)
	p1 := &Publish{Topic: "t", QoS: QoS1, PacketID: 1}
	_, _, _ = in.Receive(p1)
	assert.Equal(t, &Ack{Kind: PUBACK, PacketID: 1, ReasonCode: NotAuthorized}, in.Acknowledge(p1, NotAuthorized))
	p2 := &Publish{Topic: "t", QoS: QoS2, PacketID: 2}
	_, _, _ = in.Receive(p2)
	assert.Equal(t, &Ack{Kind: PUBREC, PacketID: 2, ReasonCode: NotAuthorized}, in.Acknowledge(p2, NotAuthorized))
	assert.Zero(t, in.Len(), "a refused QoS 2 message ends at PUBREC")
	assert.Nil(t, in.Acknowledge(&Publish{Topic: "t"}, Success), "QoS 0 has no ack")

	in311 := NewInbound(V311, 0)
	_, _, _ = in311.Receive(p1)
	assert.Equal(t, &Ack{Kind: PUBACK, PacketID: 1}, in311.Acknowledge(p1, NotAuthorized), "3.1.1 acks carry no code")
	assert.Equal(t, &Ack{Kind: PUBCOMP, PacketID: 5}, in311.Release(&Ack{Kind: PUBREL, PacketID: 5}))
}

func TestInboundReceiveMaximum(t *testing.T) {
	in := NewInbound(V5, 2)
	for id := uint16(1); id <= 2; id++ {
		_, _, r := in.Receive(&Publish{Topic: "t", QoS: QoS1, PacketID: id})
		require.Nil(t, r)
	}
	_, _, r := in.Receive(&Publish{Topic: "t", QoS: QoS0})
	require.Nil(t, r, "QoS 0 is not counted")
	deliver, _, r := in.Receive(&Publish{Topic: "t", QoS: QoS1, PacketID: 1, Dup: true})
	require.Nil(t, r, "a resend of a counted message is not a new one")
	assert.True(t, deliver, "QoS 1 may be delivered twice")
	_, _, r = in.Receive(&Publish{Topic: "t", QoS: QoS2, PacketID: 3})
	require.NotNil(t, r)
	assert.Equal(t, ReceiveMaximumExceeded, r.Code)
	in.Acknowledge(&Publish{QoS: QoS1, PacketID: 1}, Success)
	_, _, r = in.Receive(&Publish{Topic: "t", QoS: QoS2, PacketID: 3})
	assert.Nil(t, r)
}
