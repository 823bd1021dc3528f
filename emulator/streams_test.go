package emulator_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

var senderRoles = []string{protocol.RoleSendToGroup, protocol.RoleJoinLeaveGroup}

func text(s string) protocol.Payload {
	return protocol.Payload{Type: protocol.DataTypeText, Data: []byte(s)}
}

func frag(id string, k uint64, s string) protocol.StreamDataMessage {
	return protocol.StreamDataMessage{StreamID: id, StreamSequenceID: k, Data: text(s)}
}

// streamPair connects a sender and a reliable receiver in group "g".
func streamPair(t *testing.T, e *emulator.Emulator) (sender, receiver *wsClient) {
	t.Helper()
	receiver = dial(t, clientURL(t, e, "chat", auth.Claims{Subject: "rx", Groups: []string{"g"}}), protocol.JSONReliable)
	receiver.connected()
	sender = dial(t, clientURL(t, e, "chat", auth.Claims{Subject: "tx", Roles: senderRoles}), protocol.JSON)
	sender.connected()
	return sender, receiver
}

func (c *wsClient) streamAck(id string) uint64 {
	c.t.Helper()
	m := c.next()
	a, ok := m.(protocol.StreamAckMessage)
	require.True(c.t, ok, "want streamAck, got %#v", m)
	require.Equal(c.t, id, a.StreamID)
	return a.ExpectedSequenceID
}

func (c *wsClient) streamClosed(id string) protocol.StreamClosedMessage {
	c.t.Helper()
	m := c.next()
	a, ok := m.(protocol.StreamClosedMessage)
	require.True(c.t, ok, "want streamClosed, got %#v", m)
	require.Equal(c.t, id, a.StreamID)
	return a
}

func (c *wsClient) groupMessage() protocol.GroupDataMessage {
	c.t.Helper()
	m := c.next()
	g, ok := m.(protocol.GroupDataMessage)
	require.True(c.t, ok, "want group message, got %#v", m)
	return g
}

func TestStreamDeliversInOrderWithMetadataAndEnds(t *testing.T) {
	e := start(t, emulator.Options{})
	tx, rx := streamPair(t, e)
	tx.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "s1"}})
	assert.Equal(t, uint64(1), tx.streamAck("s1"))
	for k := uint64(1); k <= 3; k++ {
		tx.send(frag("s1", k, "f"+strconv.FormatUint(k, 10)))
		assert.Equal(t, k+1, tx.streamAck("s1"), "acks are cumulative")
	}
	tx.send(protocol.StreamEndMessage{StreamID: "s1"})
	assert.Nil(t, tx.streamClosed("s1").Error)

	for k := uint64(1); k <= 3; k++ {
		g := rx.groupMessage()
		assert.Equal(t, protocol.GroupDataMessage{Group: "g", FromUserID: "tx", Data: text("f" + strconv.FormatUint(k, 10)), SequenceID: k,
			Stream: &protocol.StreamInfo{StreamID: "s1", StreamSequenceID: k}}, g)
	}
	end := rx.groupMessage()
	assert.Equal(t, protocol.GroupDataMessage{Group: "g", FromUserID: "tx", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte{}}, SequenceID: 4,
		Stream: &protocol.StreamInfo{StreamID: "s1", StreamSequenceID: 4, EndOfStream: true}}, end, "the terminal frame is number N+1 with empty text")

	// A replayed streamEnd (its streamClosed lost in a drop) is answered again.
	tx.send(protocol.StreamEndMessage{StreamID: "s1"})
	assert.Nil(t, tx.streamClosed("s1").Error)
	// Data for a stream never opened is refused.
	tx.send(frag("nope", 1, "x"))
	c := tx.streamClosed("nope")
	require.NotNil(t, c.Error)
	assert.Equal(t, protocol.ErrorBadRequest, c.Error.Name)
}

func TestStreamReplayIsReackedNotDeliveredTwice(t *testing.T) {
	e := start(t, emulator.Options{})
	tx, rx := streamPair(t, e)
	tx.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "s"}})
	tx.streamAck("s")
	tx.send(frag("s", 1, "a"))
	tx.streamAck("s")
	tx.send(frag("s", 2, "b"))
	tx.streamAck("s")
	// Replays, as after a recovery.
	tx.send(frag("s", 1, "a"))
	assert.Equal(t, uint64(3), tx.streamAck("s"))
	tx.send(frag("s", 2, "b"))
	assert.Equal(t, uint64(3), tx.streamAck("s"))
	tx.send(frag("s", 3, "c"))
	assert.Equal(t, uint64(4), tx.streamAck("s"))
	tx.send(protocol.StreamDataMessage{StreamID: "s"}) // keep-alive: no answer
	tx.send(protocol.StreamEndMessage{StreamID: "s"})
	tx.streamClosed("s")
	var got []string
	for {
		g := rx.groupMessage()
		if g.Stream.EndOfStream {
			assert.Equal(t, uint64(4), g.Stream.StreamSequenceID)
			break
		}
		got = append(got, string(g.Data.Data))
	}
	assert.Equal(t, []string{"a", "b", "c"}, got)
}

func TestStreamGapIsAProtocolViolation(t *testing.T) {
	e := start(t, emulator.Options{})
	tx, rx := streamPair(t, e)
	tx.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "s"}})
	tx.streamAck("s")
	tx.send(frag("s", 1, "a"))
	tx.streamAck("s")
	tx.send(frag("s", 3, "c"))
	c := tx.streamClosed("s")
	require.NotNil(t, c.Error)
	assert.Equal(t, protocol.ErrorProtocolViolation, c.Error.Name)
	assert.Contains(t, c.Error.Message, "fragment 3 arrived but 2 was expected")
	rx.groupMessage()
	end := rx.groupMessage()
	require.True(t, end.Stream.EndOfStream)
	require.NotNil(t, end.Stream.Error)
	assert.Equal(t, protocol.ErrorProtocolViolation, end.Stream.Error.Name)
}

func TestStreamAbortCarriesTheSendersError(t *testing.T) {
	e := start(t, emulator.Options{})
	tx, rx := streamPair(t, e)
	tx.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "s"}})
	tx.streamAck("s")
	tx.send(protocol.StreamEndMessage{StreamID: "s", Error: &protocol.StreamError{Message: "disk full", UserErrorCode: "E42"}})
	assert.Nil(t, tx.streamClosed("s").Error, "the sender's own abort closes its stream without an error")
	end := rx.groupMessage()
	// Named UserError, the sender's message and code unchanged: what the JS
	// client's live streaming test expects of the service.
	assert.Equal(t, &protocol.StreamInfo{StreamID: "s", StreamSequenceID: 1, EndOfStream: true,
		Error: &protocol.StreamError{Name: "UserError", Message: "disk full", UserErrorCode: "E42"}}, end.Stream)

	// An abort without a message or code reaches them as it was sent.
	tx.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "s2"}})
	tx.streamAck("s2")
	tx.send(protocol.StreamEndMessage{StreamID: "s2", Error: &protocol.StreamError{}})
	tx.streamClosed("s2")
	assert.Equal(t, &protocol.StreamError{Name: "UserError"}, rx.groupMessage().Stream.Error)
}

func TestStreamOpenNeedsSendToGroupPermission(t *testing.T) {
	e := start(t, emulator.Options{})
	cl := dial(t, clientURL(t, e, "chat", auth.Claims{Roles: []string{protocol.RoleSendToGroup + ".other"}}), protocol.JSON)
	cl.connected()
	cl.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "s"}})
	c := cl.streamClosed("s")
	require.NotNil(t, c.Error)
	assert.Equal(t, protocol.ErrorForbidden, c.Error.Name)
	cl.send(protocol.SendToGroupMessage{Group: "other", Stream: &protocol.StreamOpen{StreamID: "s"}})
	assert.Equal(t, uint64(1), cl.streamAck("s"), "a role scoped to the group allows it")
}

func TestStreamIdleTimeoutClosesBothSides(t *testing.T) {
	e := start(t, emulator.Options{})
	tx, rx := streamPair(t, e)
	tx.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "s", IdleTimeoutMs: 100}})
	tx.streamAck("s")
	tx.send(frag("s", 1, "a"))
	tx.streamAck("s")
	c := tx.streamClosed("s") // after 100 ms without a frame
	require.NotNil(t, c.Error)
	assert.Equal(t, protocol.ErrorIdleTimeout, c.Error.Name)
	rx.groupMessage()
	end := rx.groupMessage()
	require.NotNil(t, end.Stream.Error)
	assert.Equal(t, protocol.ErrorIdleTimeout, end.Stream.Error.Name)
	assert.Equal(t, uint64(2), end.Stream.StreamSequenceID)
}

func TestStreamNoEchoAndSenderGone(t *testing.T) {
	e := start(t, emulator.Options{})
	rx := dial(t, clientURL(t, e, "chat", auth.Claims{Groups: []string{"g"}}), protocol.JSON)
	rx.connected()
	tx := dial(t, clientURL(t, e, "chat", auth.Claims{Subject: "tx", Roles: senderRoles, Groups: []string{"g"}}), protocol.JSON)
	tx.connected()
	tx.send(protocol.SendToGroupMessage{Group: "g", NoEcho: true, Stream: &protocol.StreamOpen{StreamID: "s"}})
	tx.streamAck("s")
	tx.send(frag("s", 1, "a"))
	assert.Equal(t, uint64(2), tx.streamAck("s"), "the sender gets its ack, not its own fragment")
	assert.Equal(t, "a", string(rx.groupMessage().Data.Data))
	tx.ws.CloseNow() // gone for good (not a reliable connection)
	end := rx.groupMessage()
	require.True(t, end.Stream.EndOfStream)
	require.NotNil(t, end.Stream.Error)
	assert.Equal(t, protocol.ErrorSenderGone, end.Stream.Error.Name)
}

func TestStreamsPerConnectionAreBounded(t *testing.T) {
	e := start(t, emulator.Options{})
	cl := dial(t, clientURL(t, e, "chat", auth.Claims{Roles: senderRoles}), protocol.JSON)
	cl.connected()
	const limit = 256 // emulator maxStreams
	for i := 0; i < limit; i++ {
		cl.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: strconv.Itoa(i)}})
		cl.streamAck(strconv.Itoa(i))
	}
	cl.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "one-more"}})
	c := cl.streamClosed("one-more")
	require.NotNil(t, c.Error)
	assert.Equal(t, "TooManyStreams", c.Error.Name)
	cl.send(protocol.StreamEndMessage{StreamID: "0"})
	cl.streamClosed("0")
	cl.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "one-more"}})
	assert.Equal(t, uint64(1), cl.streamAck("one-more"), "ending a stream frees its slot")
}

// TestStreamSurvivesRecoveryOfTheSender: the stream table outlives a
// dropped transport of a reliable sender; replayed fragments after the
// recovery are re-acked and not delivered again.
func TestStreamSurvivesRecoveryOfTheSender(t *testing.T) {
	e := start(t, emulator.Options{})
	rx := dial(t, clientURL(t, e, "chat", auth.Claims{Groups: []string{"g"}}), protocol.JSON)
	rx.connected()
	u := clientURL(t, e, "chat", auth.Claims{Subject: "tx", Roles: senderRoles})
	tx := dial(t, u, protocol.JSONReliable)
	cm := tx.connected()
	tx.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "s"}})
	tx.streamAck("s")
	tx.send(frag("s", 1, "a"))
	tx.streamAck("s")
	tx.ws.CloseNow() // the recovery may reach the emulator before or after it sees the drop
	tx2 := dial(t, recoveryURL(u, cm.ConnectionID, cm.ReconnectionToken), protocol.JSONReliable)
	tx2.connected()
	tx2.send(frag("s", 1, "a"))
	assert.Equal(t, uint64(2), tx2.streamAck("s"))
	tx2.send(frag("s", 2, "b"))
	assert.Equal(t, uint64(3), tx2.streamAck("s"))
	assert.Equal(t, "a", string(rx.groupMessage().Data.Data))
	assert.Equal(t, "b", string(rx.groupMessage().Data.Data))
}

func TestGroupStateFramesAreRefusedWithAnAck(t *testing.T) {
	e := start(t, emulator.Options{})
	cl := dial(t, clientURL(t, e, "chat", auth.Claims{Roles: senderRoles}), protocol.JSON)
	cl.connected()
	cl.send(protocol.SetGroupStateMessage{Group: "g", AckID: ackID(1), State: map[string]string{"k": "v"}})
	a := cl.ack(1)
	assert.False(t, a.Success)
	require.NotNil(t, a.Error)
	assert.Contains(t, a.Error.Message, "group state is not supported")
	cl.send(protocol.SubscribeGroupStateMessage{Group: "g"}) // no ackId: no answer
	cl.send(protocol.UnsubscribeGroupStateMessage{Group: "g", AckID: ackID(2)})
	assert.False(t, cl.ack(2).Success)
}

// TestStreamAcksOfABusyStreamAreCoalesced: a sender writing without waiting
// gets far fewer acks than fragments, the last one acknowledging all.
func TestStreamAcksOfABusyStreamAreCoalesced(t *testing.T) {
	e := start(t, emulator.Options{})
	tx, _ := streamPair(t, e)
	tx.send(protocol.SendToGroupMessage{Group: "g", Stream: &protocol.StreamOpen{StreamID: "s"}})
	tx.streamAck("s")
	const n = 200
	for k := uint64(1); k <= n; k++ {
		tx.send(frag("s", k, "x"))
	}
	acks, last := 0, uint64(0)
	for last < n+1 {
		got := tx.streamAck("s")
		require.Greater(t, got, last, "acks never decrease")
		last = got
		acks++
	}
	assert.Less(t, acks, n/10, "acks are coalesced")
}
