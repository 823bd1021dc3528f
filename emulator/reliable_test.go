package emulator_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// reliableClient connects with the reliable subprotocol.
func reliableClient(t *testing.T, e *emulator.Emulator, hub string, c auth.Claims) (*wsClient, protocol.ConnectedMessage, string) {
	t.Helper()
	u := clientURL(t, e, hub, c)
	cl := dial(t, u, protocol.JSONReliable)
	cm := cl.connected()
	require.NotEmpty(t, cm.ReconnectionToken)
	return cl, cm, u
}

// recoveryURL is u plus the recovery parameters.
func recoveryURL(u, id, token string) string {
	return u + "&" + protocol.QueryConnectionID + "=" + url.QueryEscape(id) + "&" + protocol.QueryReconnectionToken + "=" + url.QueryEscape(token)
}

// seqText reads a data message (from the server, or of a group: a REST
// send to a group) and returns its sequence id and text.
func seqText(t *testing.T, c *wsClient) (uint64, string) {
	t.Helper()
	switch m := c.next().(type) {
	case protocol.ServerDataMessage:
		return m.SequenceID, string(m.Data.Data)
	case protocol.GroupDataMessage:
		return m.SequenceID, string(m.Data.Data)
	default:
		require.Failf(t, "want a data message", "got %#v", m)
		return 0, ""
	}
}

func send(t *testing.T, e *emulator.Emulator, path, text string) {
	t.Helper()
	r := call(t, e, http.MethodPost, path, "text/plain", []byte(text))
	require.Equal(t, http.StatusAccepted, r.status, r.body)
}

func exists(t *testing.T, e *emulator.Emulator, hub, id string) bool {
	t.Helper()
	return call(t, e, http.MethodHead, "/api/hubs/"+hub+"/connections/"+id, "", nil).status == http.StatusOK
}

func TestReliableDropAndRecoverWithoutLoss(t *testing.T) {
	e := start(t, emulator.Options{})
	c, cm, u := reliableClient(t, e, "hub1", auth.Claims{Subject: "r", Groups: []string{"g"}})
	for i := 1; i <= 5; i++ {
		send(t, e, "/api/hubs/hub1/:send", fmt.Sprint("m", i))
	}
	for i := 1; i <= 5; i++ {
		seq, text := seqText(t, c)
		assert.Equal(t, uint64(i), seq)
		assert.Equal(t, fmt.Sprint("m", i), text)
	}
	c.send(protocol.SequenceAckMessage{SequenceID: 2})
	c.send(protocol.PingMessage{}) // the pong proves the sequenceAck was processed
	_, ok := c.next().(protocol.PongMessage)
	require.True(t, ok)

	require.True(t, e.DropConnection("hub1", cm.ConnectionID))
	_, _, err := c.ws.Read(t.Context())
	require.Error(t, err)
	assert.Equal(t, websocket.StatusCode(-1), websocket.CloseStatus(err), "an abrupt drop has no close frame")

	for i := 6; i <= 8; i++ {
		send(t, e, "/api/hubs/hub1/:send", fmt.Sprint("m", i))
	}
	send(t, e, "/api/hubs/hub1/groups/g/:send", "m9")
	assert.True(t, exists(t, e, "hub1", cm.ConnectionID), "a dropped reliable connection still exists")

	r := dial(t, recoveryURL(u, cm.ConnectionID, cm.ReconnectionToken), protocol.JSONReliable)
	again := r.connected()
	assert.Equal(t, cm.ConnectionID, again.ConnectionID)
	for i := 3; i <= 9; i++ {
		seq, text := seqText(t, r)
		assert.Equal(t, uint64(i), seq, "resent in order, from the first unacked")
		assert.Equal(t, fmt.Sprint("m", i), text)
	}
	send(t, e, "/api/hubs/hub1/groups/g/:send", "live")
	seq, text := seqText(t, r)
	assert.Equal(t, uint64(10), seq, "live messages follow without a gap")
	assert.Equal(t, "live", text, "the recovered connection kept its group")
}

func TestReliableTTLExpiresWhileAway(t *testing.T) {
	e := start(t, emulator.Options{})
	c, cm, u := reliableClient(t, e, "hub1", auth.Claims{})
	require.True(t, e.DropConnection("hub1", cm.ConnectionID))
	_ = c.closeErr()
	send(t, e, "/api/hubs/hub1/:send?messageTtlSeconds=1", "short-lived")
	send(t, e, "/api/hubs/hub1/:send?messageTtlSeconds=300", "long-lived")
	send(t, e, "/api/hubs/hub1/:send", "forever")
	time.Sleep(1100 * time.Millisecond) // let the 1 s TTL run out

	r := dial(t, recoveryURL(u, cm.ConnectionID, cm.ReconnectionToken), protocol.JSONReliable)
	r.connected()
	seq, text := seqText(t, r)
	assert.Equal(t, "long-lived", text)
	assert.Equal(t, uint64(2), seq)
	seq, text = seqText(t, r)
	assert.Equal(t, "forever", text)
	assert.Equal(t, uint64(3), seq)
}

func TestReliableRecoveryWindowExpires(t *testing.T) {
	e := start(t, emulator.Options{RecoveryWindow: 200 * time.Millisecond})
	c, cm, u := reliableClient(t, e, "hub1", auth.Claims{Groups: []string{"g"}})
	require.True(t, e.DropConnection("hub1", cm.ConnectionID))
	_ = c.closeErr()
	require.Eventually(t, func() bool { return !exists(t, e, "hub1", cm.ConnectionID) }, 5*time.Second, 20*time.Millisecond)
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub1/groups/g", "", nil).status, "the expired connection left its groups")

	r := dial(t, recoveryURL(u, cm.ConnectionID, cm.ReconnectionToken), protocol.JSONReliable)
	assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(r.closeErr()))
}

func TestReliableForgedReconnectionToken(t *testing.T) {
	e := start(t, emulator.Options{})
	c, cm, u := reliableClient(t, e, "hub1", auth.Claims{})
	_, other, _ := reliableClient(t, e, "hub1", auth.Claims{})
	require.True(t, e.DropConnection("hub1", cm.ConnectionID))
	_ = c.closeErr()

	for name, q := range map[string]string{
		"forged":              recoveryURL(u, cm.ConnectionID, "forged"),
		"other's token":       recoveryURL(u, cm.ConnectionID, other.ReconnectionToken),
		"empty token":         recoveryURL(u, cm.ConnectionID, ""),
		"unknown connection":  recoveryURL(u, "nope", cm.ReconnectionToken),
		"other hub":           recoveryURL(wsBase(e)+"/client/hubs/hub2?x=1", cm.ConnectionID, cm.ReconnectionToken),
		"no access token too": wsBase(e) + "/client/hubs/hub1?" + protocol.QueryConnectionID + "=" + cm.ConnectionID + "&" + protocol.QueryReconnectionToken + "=bad",
	} {
		r := dial(t, q, protocol.JSONReliable)
		assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(r.closeErr()), name)
	}
	// The genuine token still works, even without the access token.
	r := dial(t, wsBase(e)+"/client/hubs/hub1?"+protocol.QueryConnectionID+"="+url.QueryEscape(cm.ConnectionID)+"&"+protocol.QueryReconnectionToken+"="+url.QueryEscape(cm.ReconnectionToken), protocol.JSONReliable)
	assert.Equal(t, cm.ConnectionID, r.connected().ConnectionID)
}

func TestReliableRecoveryReplacesLiveTransport(t *testing.T) {
	e := start(t, emulator.Options{})
	old, cm, u := reliableClient(t, e, "hub1", auth.Claims{})
	r := dial(t, recoveryURL(u, cm.ConnectionID, cm.ReconnectionToken), protocol.JSONReliable)
	r.connected()
	assert.Error(t, old.closeErr(), "the old transport is dropped")
	send(t, e, "/api/hubs/hub1/:send", "x")
	seq, text := seqText(t, r)
	assert.Equal(t, uint64(1), seq)
	assert.Equal(t, "x", text)
}

func TestNonReliableAndClosedConnectionsAreRemoved(t *testing.T) {
	e := start(t, emulator.Options{})
	c, id := connectJSON(t, e, "hub1", auth.Claims{})
	require.True(t, e.DropConnection("hub1", id))
	_ = c.closeErr()
	require.Eventually(t, func() bool { return !exists(t, e, "hub1", id) }, 5*time.Second, 10*time.Millisecond)

	r, cm, _ := reliableClient(t, e, "hub1", auth.Claims{})
	require.NoError(t, r.ws.Close(websocket.StatusNormalClosure, "bye"))
	require.Eventually(t, func() bool { return !exists(t, e, "hub1", cm.ConnectionID) }, 5*time.Second, 10*time.Millisecond)
	assert.False(t, e.DropConnection("hub1", cm.ConnectionID))
}

func TestDropAllAndReset(t *testing.T) {
	e := start(t, emulator.Options{})
	a, acm, au := reliableClient(t, e, "hub1", auth.Claims{})
	b, _, _ := reliableClient(t, e, "hub2", auth.Claims{})
	assert.Equal(t, 1, e.DropAllConnections("hub1"))
	_ = a.closeErr()
	require.Eventually(t, func() bool { return e.DropAllConnections("hub1") == 0 }, 5*time.Second, 10*time.Millisecond)
	assert.True(t, exists(t, e, "hub1", acm.ConnectionID))

	e.Reset()
	_ = b.closeErr()
	assert.False(t, exists(t, e, "hub1", acm.ConnectionID), "Reset forgets connections")
	r := dial(t, recoveryURL(au, acm.ConnectionID, acm.ReconnectionToken), protocol.JSONReliable)
	assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(r.closeErr()), "recovery is impossible after Reset")
	c, _ := connectJSON(t, e, "hub1", auth.Claims{})
	send(t, e, "/api/hubs/hub1/:send", "after reset")
	assert.Equal(t, "after reset", c.serverText())
}

func TestReliableUnackedOverflowClosesConnection(t *testing.T) {
	e := start(t, emulator.Options{})
	c, cm, u := reliableClient(t, e, "hub1", auth.Claims{})
	require.True(t, e.DropConnection("hub1", cm.ConnectionID))
	_ = c.closeErr()
	msg := make([]byte, 1<<20) // 17 MiB of unacked messages exceed the 16 MiB capacity
	for i := 0; i < 17 && exists(t, e, "hub1", cm.ConnectionID); i++ {
		require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/:send", "application/octet-stream", msg).status)
	}
	require.Eventually(t, func() bool { return !exists(t, e, "hub1", cm.ConnectionID) }, 5*time.Second, 10*time.Millisecond)
	r := dial(t, recoveryURL(u, cm.ConnectionID, cm.ReconnectionToken), protocol.JSONReliable)
	assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(r.closeErr()))
}

func TestSlowConsumerIsClosedNotWaitedOn(t *testing.T) {
	t.Cleanup(emulator.SetQueueLimits(64, 2<<20))
	e := start(t, emulator.Options{})
	dial(t, clientURL(t, e, "hub1", auth.Claims{Subject: "slow"}), "") // never reads
	fast := dial(t, clientURL(t, e, "hub1", auth.Claims{Subject: "fast"}), "")
	msg := make([]byte, 1<<20)
	slowGone := func() bool {
		return call(t, e, http.MethodHead, "/api/hubs/hub1/users/slow", "", nil).status == http.StatusNotFound
	}
	sent := 0
	for ; sent < 200 && !slowGone(); sent++ {
		require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/:send", "application/octet-stream", msg).status)
		_, data := fast.read()
		require.Len(t, data, len(msg), "the fast client keeps receiving")
	}
	require.Eventually(t, slowGone, 5*time.Second, 10*time.Millisecond)
	assert.Less(t, sent, 200, "the slow consumer was closed")
}
