package emulator_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

func TestClientConnectedMessage(t *testing.T) {
	e := start(t, emulator.Options{})
	c := dial(t, clientURL(t, e, "hub1", auth.Claims{Subject: "alice"}), protocol.JSON)
	cm := c.connected()
	assert.Equal(t, "alice", cm.UserID)
	assert.Empty(t, cm.ReconnectionToken, "no reconnection token without the reliable subprotocol")
	assert.Equal(t, protocol.JSON, c.ws.Subprotocol())

	r := dial(t, clientURL(t, e, "hub1", auth.Claims{}), protocol.JSONReliable)
	rm := r.connected()
	assert.NotEmpty(t, rm.ReconnectionToken)
	assert.NotEqual(t, cm.ConnectionID, rm.ConnectionID)
	assert.Equal(t, protocol.JSONReliable, r.ws.Subprotocol())
}

func TestClientGroupsAndAcks(t *testing.T) {
	e := start(t, emulator.Options{})
	roles := []string{protocol.RoleJoinLeaveGroup, protocol.RoleSendToGroup}
	a, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: "a", Roles: roles})
	b, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: "b", Roles: roles})

	a.send(protocol.JoinGroupMessage{Group: "room", AckID: ackID(1)})
	assert.True(t, a.ack(1).Success)
	b.send(protocol.JoinGroupMessage{Group: "room", AckID: ackID(1)})
	assert.True(t, b.ack(1).Success)

	// Duplicate ackId on the same connection, in the service's words.
	a.send(protocol.JoinGroupMessage{Group: "room", AckID: ackID(1)})
	d := a.ack(1)
	assert.False(t, d.Success)
	assert.Equal(t, &protocol.AckError{Name: protocol.ErrorDuplicate, Message: "Message with ack-id: 1 has been processed"}, d.Error)

	a.send(protocol.SendToGroupMessage{Group: "room", AckID: ackID(2), Data: protocol.Payload{Type: protocol.DataTypeJSON, Data: []byte(`{"x":1}`)}})
	got := a.next().(protocol.GroupDataMessage) // the echo is delivered before the ack
	assert.True(t, a.ack(2).Success)
	assert.Equal(t, "room", got.Group)
	assert.Equal(t, "a", got.FromUserID)
	assert.JSONEq(t, `{"x":1}`, string(got.Data.Data))
	got = b.next().(protocol.GroupDataMessage)
	assert.Equal(t, "a", got.FromUserID)

	// noEcho: the sender does not get its own message.
	a.send(protocol.SendToGroupMessage{Group: "room", NoEcho: true, AckID: ackID(3), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("quiet")}})
	assert.True(t, a.ack(3).Success, "no echo before the ack")
	assert.Equal(t, "quiet", string(b.next().(protocol.GroupDataMessage).Data.Data))

	// Leave, then group messages no longer arrive; ping still works.
	b.send(protocol.LeaveGroupMessage{Group: "room", AckID: ackID(2)})
	assert.True(t, b.ack(2).Success)
	a.send(protocol.SendToGroupMessage{Group: "room", NoEcho: true, Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("gone")}})
	b.send(protocol.PingMessage{})
	_, ok := b.next().(protocol.PongMessage)
	assert.True(t, ok, "b got pong, not the group message")

	// An event that no handler takes fails, as in the service.
	a.send(protocol.EventMessage{Event: "hello", AckID: ackID(5), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}})
	assert.Equal(t, protocol.InternalServerErrorAck(5), a.ack(5))
}

func TestClientForbiddenWithoutRoles(t *testing.T) {
	e := start(t, emulator.Options{})
	c, _ := connectJSON(t, e, "hub1", auth.Claims{Roles: []string{protocol.RoleSendToGroup + ".allowed"}})
	c.send(protocol.JoinGroupMessage{Group: "g", AckID: ackID(1)})
	assert.Equal(t, &protocol.AckError{Name: protocol.ErrorForbidden, Message: "The client does not have permission to join group 'g'."}, c.ack(1).Error)
	c.send(protocol.LeaveGroupMessage{Group: "g", AckID: ackID(9)})
	assert.Equal(t, &protocol.AckError{Name: protocol.ErrorForbidden, Message: "The client does not have permission to leave group 'g'."}, c.ack(9).Error)
	c.send(protocol.SendToGroupMessage{Group: "g", AckID: ackID(2), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}})
	assert.Equal(t, &protocol.AckError{Name: protocol.ErrorForbidden, Message: "The client does not have permission to send to group 'g'."}, c.ack(2).Error)
	c.send(protocol.SendToGroupMessage{Group: "allowed", AckID: ackID(3), Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}})
	assert.True(t, c.ack(3).Success, "scoped role allows its group")
	// A forbidden message may be retried with the same ackId (it never ran).
	c.send(protocol.JoinGroupMessage{Group: "g", AckID: ackID(1)})
	assert.Equal(t, protocol.ErrorForbidden, c.ack(1).Error.Name)
}

func TestClientGroupsClaimJoinsOnConnect(t *testing.T) {
	e := start(t, emulator.Options{})
	c, _ := connectJSON(t, e, "hub1", auth.Claims{Groups: []string{"a", "b"}})
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/groups/b/:send", "text/plain", []byte("in b")).status)
	assert.Equal(t, "in b", c.groupText("b"))
}

func TestClientBrokenFrames(t *testing.T) {
	e := start(t, emulator.Options{})

	// A frame that cannot be a valid request closes the connection with
	// 1007 and the service's fixed reason, even with an ackId, as
	// Microsoft's emulator does (WebPubSubSubprotocolPayloadProcessor).
	const invalid = "The client message is not a valid JSON protocol message."
	for _, frame := range []string{
		`not json`,
		`{"type":"joinGroup","ackId":7}`, // missing group
		`{"type":"joinGroup","group":"   ","ackId":7}`, // invalid group
		`{"type":"bogus","ackId":8}`,                   // unknown type
		`{"type":"bogus"}`,
		`{"type":"sendToGroup","group":"g","dataType":"xml","data":"x"}`, // invalid dataType
		`{"type":"sendToGroup","group":"g","data":"x","ttlSeconds":301}`,
		`{"type":"sendToGroup","group":"g","data":"x","metadata":{"a":"1","a":"2"}}`, // duplicate key
		`{"type":"sendToGroup","group":"g","data":"x","metadata":{"bad key":"1"}}`,
		`{"type":"event","event":"1st","data":"x"}`, // invalid event name
	} {
		c, _ := connectJSON(t, e, "hub1", auth.Claims{})
		c.sendRaw(websocket.MessageText, []byte(frame))
		d, ok := c.next().(protocol.DisconnectedMessage)
		require.True(t, ok, frame)
		assert.Equal(t, invalid, d.Message, frame)
		err := c.closeErr()
		assert.Equal(t, websocket.StatusInvalidFramePayloadData, websocket.CloseStatus(err), frame)
		var ce websocket.CloseError
		require.ErrorAs(t, err, &ce, frame)
		assert.Equal(t, invalid, ce.Reason, frame)
	}

	// A missing dataType means json.
	c, _ := connectJSON(t, e, "hub1", auth.Claims{Roles: []string{protocol.RoleJoinLeaveGroup, protocol.RoleSendToGroup}})
	c.send(protocol.JoinGroupMessage{Group: "g", AckID: ackID(1)})
	require.True(t, c.ack(1).Success)
	c.sendRaw(websocket.MessageText, []byte(`{"type":"sendToGroup","group":"g","data":{"a":1}}`))
	gm, ok := c.next().(protocol.GroupDataMessage)
	require.True(t, ok)
	assert.Equal(t, protocol.Payload{Type: protocol.DataTypeJSON, Data: []byte(`{"a":1}`)}, gm.Data)

	b, id := connectJSON(t, e, "hub1", auth.Claims{})
	b.sendRaw(websocket.MessageBinary, []byte{1, 2, 3})
	d, ok := b.next().(protocol.DisconnectedMessage)
	require.True(t, ok)
	assert.Equal(t, "The JSON subprotocol requires text messages.", d.Message)
	assert.Equal(t, websocket.StatusUnsupportedData, websocket.CloseStatus(b.closeErr()))
	require.Eventually(t, func() bool {
		return call(t, e, http.MethodHead, "/api/hubs/hub1/connections/"+id, "", nil).status == http.StatusNotFound
	}, 5*time.Second, 10*time.Millisecond)

	big := dial(t, clientURL(t, e, "hub1", auth.Claims{}), protocol.JSON)
	big.connected()
	big.sendRaw(websocket.MessageText, []byte(`"`+strings.Repeat("x", 1<<20+10)+`"`))
	assert.Equal(t, websocket.StatusMessageTooBig, websocket.CloseStatus(big.closeErr()))
}

func TestSimpleWebSocketClient(t *testing.T) {
	e := start(t, emulator.Options{})
	s := dial(t, clientURL(t, e, "hub1", auth.Claims{Subject: "simple", Groups: []string{"g"}}), "")
	assert.Empty(t, s.ws.Subprotocol())
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/groups/g/:send", "application/json", []byte(`[1,2]`)).status)
	typ, data := s.read()
	assert.Equal(t, websocket.MessageText, typ)
	assert.Equal(t, `[1,2]`, string(data))
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/users/simple/:send", "application/octet-stream", []byte{0xff, 0}).status)
	typ, data = s.read()
	assert.Equal(t, websocket.MessageBinary, typ)
	assert.Equal(t, []byte{0xff, 0}, data)

	// Its frames are the user event "message": with no handler to take it,
	// the event fails and the connection is closed with 1011, as in the
	// service and Microsoft's emulator.
	s.sendRaw(websocket.MessageText, []byte("frames are user events, not commands"))
	assert.Equal(t, websocket.StatusInternalError, websocket.CloseStatus(s.closeErr()))
}

func TestClientSubprotocolChoice(t *testing.T) {
	e := start(t, emulator.Options{})
	u := clientURL(t, e, "hub1", auth.Claims{})
	p := dial(t, u, "protobuf.webpubsub.azure.v1")
	assert.Equal(t, protocol.Protobuf, p.ws.Subprotocol(), "protobuf-only clients are served")

	// The first supported subprotocol the client offers is chosen; an
	// unknown (custom) subprotocol alone gives a simple WebSocket.
	ws, _, err := websocket.Dial(t.Context(), u, &websocket.DialOptions{Subprotocols: []string{"custom.v1", protocol.ProtobufReliable, protocol.JSON}})
	require.NoError(t, err)
	defer ws.CloseNow()
	assert.Equal(t, protocol.ProtobufReliable, ws.Subprotocol())
	s := dial(t, u, "custom.v1")
	assert.Empty(t, s.ws.Subprotocol())
}

func TestClientAuthAttacks(t *testing.T) {
	e := start(t, emulator.Options{})
	base := wsBase(e) + "/client/hubs/hub1"
	good := auth.Claims{Audience: e.URL() + "/client/hubs/hub1", ExpiresAt: time.Now().Add(time.Hour).Unix()}
	sign := func(key string, c auth.Claims) string {
		tok, err := auth.Sign(key, &c)
		require.NoError(t, err)
		return tok
	}
	// exp has 5 minutes of clock skew, as the service: expired 10 minutes
	// ago is expired.
	expired := good
	expired.ExpiresAt = time.Now().Add(-10 * time.Minute).Unix()
	wrongAud := good
	wrongAud.Audience = e.URL() + "/client/hubs/hub2"
	noExp := good
	noExp.ExpiresAt = 0
	notYet := good
	notYet.NotBefore = time.Now().Add(time.Hour).Unix()
	notYet.ExpiresAt = time.Now().Add(2 * time.Hour).Unix()
	cases := []struct {
		name  string
		query string
	}{
		{"no token", ""},
		{"expired", "?access_token=" + sign(e.AccessKey(), expired)},
		{"no exp", "?access_token=" + sign(e.AccessKey(), noExp)},
		{"not valid for an hour (nbf)", "?access_token=" + sign(e.AccessKey(), notYet)},
		{"wrong key", "?access_token=" + sign("not-the-key", good)},
		{"wrong aud", "?access_token=" + sign(e.AccessKey(), wrongAud)},
		{"alg none", "?access_token=" + url.QueryEscape(noneToken(good.Audience))},
		{"garbage", "?access_token=x.y.z"},
		{"HS512 with the right key", "?access_token=" + hs512Token(t, e.AccessKey(), good.Audience, time.Now().Add(time.Hour))},
		{"REST token", "?access_token=" + restToken(t, e.AccessKey(), e.URL()+"/api/hubs/hub1/:send", time.Now().Add(time.Hour))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ws, resp, err := dialRaw(base+tc.query, protocol.JSON)
			if ws != nil {
				ws.CloseNow()
			}
			require.Error(t, err)
			require.NotNil(t, resp)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		})
	}
	ws, resp, err := dialRaw(base+"?access_token="+sign(e.AccessKey(), good), protocol.JSON)
	require.NoError(t, err, "the same token with the right claims is accepted")
	assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	ws.CloseNow()

	skewed := good
	skewed.NotBefore = time.Now().Add(time.Minute).Unix()
	ws, _, err = dialRaw(base+"?access_token="+sign(e.AccessKey(), skewed), protocol.JSON)
	require.NoError(t, err, "an nbf within the clock skew is accepted")
	ws.CloseNow()
	skewed = good
	skewed.ExpiresAt = time.Now().Add(-time.Minute).Unix()
	ws, _, err = dialRaw(base+"?access_token="+sign(e.AccessKey(), skewed), protocol.JSON)
	require.NoError(t, err, "an exp within the clock skew (5 minutes) is accepted")
	ws.CloseNow()

	// A token for another host is refused even when sent with that Host.
	port := e.URL()[strings.LastIndexByte(e.URL(), ':')+1:]
	otherHost := good
	otherHost.Audience = "http://evil.example:" + port + "/client/hubs/hub1"
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ws, resp, err = websocket.Dial(ctx, base+"?access_token="+sign(e.AccessKey(), otherHost), &websocket.DialOptions{Host: "evil.example:" + port})
	if ws != nil {
		ws.CloseNow()
	}
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	_, resp, err = dialRaw(wsBase(e)+"/client/hubs/1bad?access_token="+sign(e.AccessKey(), good), protocol.JSON)
	require.Error(t, err)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}
