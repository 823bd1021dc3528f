package emulator_test

import (
	"encoding/json"
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

func TestRESTSendToAllReachesEveryKindOfClient(t *testing.T) {
	e := start(t, emulator.Options{})
	js, _ := connectJSON(t, e, "hub1", auth.Claims{})
	rel := dial(t, clientURL(t, e, "hub1", auth.Claims{}), protocol.JSONReliable)
	rel.connected()
	simple := dial(t, clientURL(t, e, "hub1", auth.Claims{}), "")

	for _, tc := range []struct {
		ct      string
		body    string
		dt      protocol.DataType
		rawType websocket.MessageType
	}{
		{"text/plain", "hello", protocol.DataTypeText, websocket.MessageText},
		{"application/json", `{"a":1}`, protocol.DataTypeJSON, websocket.MessageText},
		{"application/octet-stream", "\x00\x01bin", protocol.DataTypeBinary, websocket.MessageBinary},
	} {
		r := call(t, e, http.MethodPost, "/api/hubs/hub1/:send", tc.ct, []byte(tc.body))
		require.Equal(t, http.StatusAccepted, r.status, r.body)

		m := js.next().(protocol.ServerDataMessage)
		assert.Equal(t, tc.dt, m.Data.Type)
		assert.Equal(t, tc.body, string(m.Data.Data))
		assert.Zero(t, m.SequenceID, "non-reliable messages carry no sequence id")

		rm := rel.next().(protocol.ServerDataMessage)
		assert.Equal(t, tc.body, string(rm.Data.Data))
		assert.NotZero(t, rm.SequenceID)

		typ, raw := simple.read()
		assert.Equal(t, tc.rawType, typ)
		assert.Equal(t, tc.body, string(raw))
	}
}

func TestRESTSendToAllExcludedAndFilter(t *testing.T) {
	e := start(t, emulator.Options{})
	a, aid := connectJSON(t, e, "hub1", auth.Claims{Subject: "listener-a"})
	b, bid := connectJSON(t, e, "hub1", auth.Claims{Subject: "other"})
	c, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: "listener-c"})

	r := call(t, e, http.MethodPost, "/api/hubs/hub1/:send?excluded="+url.QueryEscape(aid)+"&excluded="+url.QueryEscape(bid), "text/plain", []byte("one"))
	require.Equal(t, http.StatusAccepted, r.status, r.body)
	r = call(t, e, http.MethodPost, "/api/hubs/hub1/:send?filter="+url.QueryEscape("startswith(userId, 'listener-')"), "text/plain", []byte("two"))
	require.Equal(t, http.StatusAccepted, r.status, r.body)
	r = call(t, e, http.MethodPost, "/api/hubs/hub1/:send", "text/plain", []byte("three"))
	require.Equal(t, http.StatusAccepted, r.status, r.body)

	assert.Equal(t, "two", a.serverText())
	assert.Equal(t, "three", a.serverText())
	assert.Equal(t, "three", b.serverText())
	assert.Equal(t, "one", c.serverText())
	assert.Equal(t, "two", c.serverText())
	assert.Equal(t, "three", c.serverText())
}

func TestRESTSendToUserConnectionGroup(t *testing.T) {
	e := start(t, emulator.Options{})
	u1a, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: "user1"})
	u1b, u1bID := connectJSON(t, e, "hub1", auth.Claims{Subject: "user1"})
	u2, u2ID := connectJSON(t, e, "hub1", auth.Claims{Subject: "user2", Groups: []string{"group1"}})

	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/users/user1/:send", "text/plain", []byte("to-user")).status)
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/connections/"+u1bID+"/:send", "text/plain", []byte("to-conn")).status)
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/connections/nope/:send", "text/plain", []byte("lost")).status)
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/groups/group1/:send", "text/plain", []byte("to-group")).status)
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/groups/group1/:send?excluded="+u2ID, "text/plain", []byte("excluded")).status)
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/users/user1/:send?filter="+url.QueryEscape("connectionId eq '"+u1bID+"'"), "text/plain", []byte("filtered")).status)
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/:send", "text/plain", []byte("end")).status)

	assert.Equal(t, "to-user", u1a.serverText())
	assert.Equal(t, "end", u1a.serverText())
	assert.Equal(t, "to-user", u1b.serverText())
	assert.Equal(t, "to-conn", u1b.serverText())
	assert.Equal(t, "filtered", u1b.serverText())
	assert.Equal(t, "end", u1b.serverText())
	assert.Equal(t, "to-group", u2.groupText("group1"), "a REST send to a group is a group message")
	assert.Equal(t, "end", u2.serverText())
}

func TestRESTGroupMembership(t *testing.T) {
	e := start(t, emulator.Options{})
	c, id := connectJSON(t, e, "hub1", auth.Claims{Subject: "user1"})

	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub1/groups/group1", "", nil).status)
	r := call(t, e, http.MethodPut, "/api/hubs/hub1/groups/group1/connections/"+id, "", nil)
	require.Equal(t, http.StatusOK, r.status, r.body)
	assert.Equal(t, http.StatusOK, call(t, e, http.MethodHead, "/api/hubs/hub1/groups/group1", "", nil).status)
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/groups/group1/:send", "text/plain", []byte("g1")).status)
	assert.Equal(t, "g1", c.groupText("group1"))

	r = call(t, e, http.MethodDelete, "/api/hubs/hub1/groups/group1/connections/"+id, "", nil)
	require.Equal(t, http.StatusNoContent, r.status)
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub1/groups/group1", "", nil).status)

	// Unknown connection: 404 with the service's error body.
	r = call(t, e, http.MethodPut, "/api/hubs/hub1/groups/group1/connections/conn1", "", nil)
	require.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "Info.Connection.NotExisted", r.header.Get("x-ms-error-code"))
	assert.JSONEq(t, "{\"code\":\"Info.Connection.NotExisted\",\"message\":\"Connection `conn1` is not found.\",\"target\":\"Connection\"}", r.body)
	assert.Equal(t, http.StatusNoContent, call(t, e, http.MethodDelete, "/api/hubs/hub1/groups/group1/connections/conn1", "", nil).status)

	// Remove from all groups.
	require.Equal(t, http.StatusOK, call(t, e, http.MethodPut, "/api/hubs/hub1/groups/a/connections/"+id, "", nil).status)
	require.Equal(t, http.StatusOK, call(t, e, http.MethodPut, "/api/hubs/hub1/groups/b/connections/"+id, "", nil).status)
	require.Equal(t, http.StatusNoContent, call(t, e, http.MethodDelete, "/api/hubs/hub1/connections/"+id+"/groups", "", nil).status)
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub1/groups/a", "", nil).status)
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub1/groups/b", "", nil).status)

	// User groups, including the user's later connections.
	require.Equal(t, http.StatusOK, call(t, e, http.MethodPut, "/api/hubs/hub1/users/user1/groups/ug", "", nil).status)
	later, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: "user1"})
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/groups/ug/:send", "text/plain", []byte("ug")).status)
	assert.Equal(t, "ug", c.groupText("ug"))
	assert.Equal(t, "ug", later.groupText("ug"))
	require.Equal(t, http.StatusNoContent, call(t, e, http.MethodDelete, "/api/hubs/hub1/users/user1/groups/ug", "", nil).status)
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub1/groups/ug", "", nil).status)
	require.Equal(t, http.StatusOK, call(t, e, http.MethodPut, "/api/hubs/hub1/users/user1/groups/x", "", nil).status)
	require.Equal(t, http.StatusOK, call(t, e, http.MethodPut, "/api/hubs/hub1/users/user1/groups/y", "", nil).status)
	require.Equal(t, http.StatusNoContent, call(t, e, http.MethodDelete, "/api/hubs/hub1/users/user1/groups", "", nil).status)
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub1/groups/x", "", nil).status)
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub1/groups/y", "", nil).status)
}

func TestRESTAddAndRemoveConnectionsToGroupsWithFilter(t *testing.T) {
	e := start(t, emulator.Options{})
	a, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: "listener-a"})
	b, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: "b"})
	body := `{"groups":["group1","group2"],"filter":"startswith(userId, 'listener-')"}`
	r := call(t, e, http.MethodPost, "/api/hubs/hub1/:addToGroups", "application/json", []byte(body))
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/groups/group2/:send", "text/plain", []byte("g2")).status)
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/:send", "text/plain", []byte("all")).status)
	assert.Equal(t, "g2", a.groupText("group2"))
	assert.Equal(t, "all", a.serverText())
	assert.Equal(t, "all", b.serverText(), "b did not match the filter")

	r = call(t, e, http.MethodPost, "/api/hubs/hub1/:removeFromGroups", "application/json", []byte(`{"groups":["group1","group2"]}`))
	require.Equal(t, http.StatusOK, r.status, r.body)
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub1/groups/group1", "", nil).status)

	for _, bad := range []string{"", "not json", `{"groups":[]}`, `{"groups":["  "]}`, `{"groups":["g"],"filter":"userId eq"}`} {
		r := call(t, e, http.MethodPost, "/api/hubs/hub1/:addToGroups", "application/json", []byte(bad))
		assert.Equal(t, http.StatusBadRequest, r.status, "body %q", bad)
		assert.Equal(t, "Error.BadRequest", r.header.Get("x-ms-error-code"))
	}
}

func TestRESTExistenceChecks(t *testing.T) {
	e := start(t, emulator.Options{})
	_, id := connectJSON(t, e, "hub1", auth.Claims{Subject: "user1"})
	assert.Equal(t, http.StatusOK, call(t, e, http.MethodHead, "/api/hubs/hub1/connections/"+id, "", nil).status)
	r := call(t, e, http.MethodHead, "/api/hubs/hub1/connections/conn1", "", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "Info.Connection.NotExisted", r.header.Get("x-ms-error-code"))
	assert.Equal(t, http.StatusOK, call(t, e, http.MethodHead, "/api/hubs/hub1/users/user1", "", nil).status)
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub1/users/user2", "", nil).status)
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub2/connections/"+id, "", nil).status, "hubs are separate")
}

func TestRESTCloseOperations(t *testing.T) {
	e := start(t, emulator.Options{})
	one, oneID := connectJSON(t, e, "hub1", auth.Claims{})
	r := call(t, e, http.MethodDelete, "/api/hubs/hub1/connections/"+oneID+"?reason="+url.QueryEscape("Close reason"), "", nil)
	require.Equal(t, http.StatusNoContent, r.status, r.body)
	d, ok := one.next().(protocol.DisconnectedMessage)
	require.True(t, ok)
	assert.Equal(t, "Application server closed the connection. Reason: Close reason", d.Message, "the service's words")
	var ce websocket.CloseError
	require.ErrorAs(t, one.closeErr(), &ce)
	assert.Equal(t, websocket.StatusNormalClosure, ce.Code)
	assert.Empty(t, ce.Reason, "the close frame has no description: the reason was in the disconnected message")
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub1/connections/"+oneID, "", nil).status)
	assert.Equal(t, http.StatusNoContent, call(t, e, http.MethodDelete, "/api/hubs/hub1/connections/"+oneID, "", nil).status, "closing an unknown connection succeeds")

	// Group and user closes with excluded.
	g1, _ := connectJSON(t, e, "hub1", auth.Claims{Groups: []string{"g"}})
	g2, g2ID := connectJSON(t, e, "hub1", auth.Claims{Groups: []string{"g"}})
	require.Equal(t, http.StatusNoContent, call(t, e, http.MethodPost, "/api/hubs/hub1/groups/g/:closeConnections?excluded="+g2ID, "", nil).status)
	d, ok = g1.next().(protocol.DisconnectedMessage)
	require.True(t, ok)
	assert.Equal(t, "Application server closed the connection.", d.Message, "without a reason")
	assert.Error(t, g1.closeErr())
	u1, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: "u"})
	require.Equal(t, http.StatusNoContent, call(t, e, http.MethodPost, "/api/hubs/hub1/users/u/:closeConnections", "", nil).status)
	assert.Error(t, u1.closeErr())

	// g2 survived; close everything.
	require.Equal(t, http.StatusNoContent, call(t, e, http.MethodPost, "/api/hubs/hub1/:closeConnections?reason=bye", "", nil).status)
	d, ok = g2.next().(protocol.DisconnectedMessage)
	require.True(t, ok)
	assert.Equal(t, "Application server closed the connection. Reason: bye", d.Message)
	assert.Error(t, g2.closeErr())
}

func TestRESTPermissions(t *testing.T) {
	e := start(t, emulator.Options{})
	c, id := connectJSON(t, e, "hub1", auth.Claims{})
	base := "/api/hubs/hub1/permissions/joinLeaveGroup/connections/" + id

	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, base+"?targetName=group1", "", nil).status)
	c.send(protocol.JoinGroupMessage{Group: "group1", AckID: ackID(1)})
	a := c.ack(1)
	require.False(t, a.Success)
	assert.Equal(t, protocol.ErrorForbidden, a.Error.Name)

	require.Equal(t, http.StatusOK, call(t, e, http.MethodPut, base+"?targetName=group1", "", nil).status)
	assert.Equal(t, http.StatusOK, call(t, e, http.MethodHead, base+"?targetName=group1", "", nil).status)
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, base+"?targetName=Group1", "", nil).status, "group names are case-sensitive")
	c.send(protocol.JoinGroupMessage{Group: "group1", AckID: ackID(2)})
	assert.True(t, c.ack(2).Success)
	c.send(protocol.JoinGroupMessage{Group: "group2", AckID: ackID(3)})
	assert.Equal(t, protocol.ErrorForbidden, c.ack(3).Error.Name)

	require.Equal(t, http.StatusNoContent, call(t, e, http.MethodDelete, base+"?targetName=group1", "", nil).status)
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, base+"?targetName=group1", "", nil).status)
	c.send(protocol.LeaveGroupMessage{Group: "group1", AckID: ackID(4)})
	assert.Equal(t, protocol.ErrorForbidden, c.ack(4).Error.Name)

	r := call(t, e, http.MethodPut, "/api/hubs/hub1/permissions/joinLeaveGroup/connections/conn1?targetName=group1", "", nil)
	require.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "Info.Connection.NotExisted", r.header.Get("x-ms-error-code"))
	assert.Equal(t, http.StatusNoContent, call(t, e, http.MethodDelete, "/api/hubs/hub1/permissions/joinLeaveGroup/connections/conn1?targetName=group1", "", nil).status)
	r = call(t, e, http.MethodPut, "/api/hubs/hub1/permissions/admin/connections/"+id+"?targetName=g", "", nil)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.body, "unknown permission")
}

func TestRESTListConnectionsInGroupPages(t *testing.T) {
	e := start(t, emulator.Options{})
	var ids []string
	for i := 0; i < 5; i++ {
		_, id := connectJSON(t, e, "hub1", auth.Claims{Subject: "u", Groups: []string{"group1"}})
		ids = append(ids, id)
	}
	type page struct {
		Value []struct {
			ConnectionID string `json:"connectionId"`
			UserID       string `json:"userId"`
		} `json:"value"`
		NextLink string `json:"nextLink"`
	}
	get := func(u string) page {
		r := callRaw(t, http.MethodGet, u, "", nil, "Bearer "+restToken(t, e.AccessKey(), u, time.Now().Add(time.Hour)))
		require.Equal(t, http.StatusOK, r.status, r.body)
		var p page
		require.NoError(t, json.Unmarshal([]byte(r.body), &p))
		return p
	}
	var seen []string
	u := e.URL() + withAPIVersion("/api/hubs/hub1/groups/group1/connections?maxpagesize=2&top=4")
	pages := 0
	for u != "" {
		p := get(u)
		pages++
		assert.LessOrEqual(t, len(p.Value), 2)
		for _, v := range p.Value {
			assert.Equal(t, "u", v.UserID)
			seen = append(seen, v.ConnectionID)
		}
		u = p.NextLink
	}
	assert.Equal(t, 2, pages)
	assert.Len(t, seen, 4, "top limits the total")
	all := get(e.URL() + withAPIVersion("/api/hubs/hub1/groups/group1/connections"))
	assert.Len(t, all.Value, 5)
	assert.Empty(t, all.NextLink)
	for _, id := range seen {
		assert.Contains(t, ids, id)
	}
	for _, bad := range []string{"maxpagesize=0", "maxpagesize=201", "top=0", "continuationToken=%21%21"} {
		r := call(t, e, http.MethodGet, "/api/hubs/hub1/groups/group1/connections?"+bad, "", nil)
		assert.Equal(t, http.StatusBadRequest, r.status, bad)
	}
	empty := get(e.URL() + withAPIVersion("/api/hubs/hub1/groups/none/connections"))
	assert.NotNil(t, empty.Value)
	assert.Empty(t, empty.Value)
}

func TestRESTGenerateTokenIsAcceptedByClientEndpoint(t *testing.T) {
	e := start(t, emulator.Options{})
	r := call(t, e, http.MethodPost, "/api/hubs/hub1/:generateToken?userId=user1&role=webpubsub.joinLeaveGroup&group=g1&minutesToExpire=5", "", nil)
	require.Equal(t, http.StatusOK, r.status, r.body)
	var body struct{ Token string }
	require.NoError(t, json.Unmarshal([]byte(r.body), &body))
	claims, err := auth.Verify(body.Token, []string{e.AccessKey()}, nil, 0)
	require.NoError(t, err)
	assert.Equal(t, "user1", claims.Subject)
	assert.Equal(t, []string{"g1"}, claims.Groups)
	assert.InDelta(t, time.Now().Add(5*time.Minute).Unix(), claims.ExpiresAt, 5)

	c := dial(t, wsBase(e)+"/client/hubs/hub1?access_token="+url.QueryEscape(body.Token), protocol.JSON)
	cm := c.connected()
	assert.Equal(t, "user1", cm.UserID)
	require.Equal(t, http.StatusAccepted, call(t, e, http.MethodPost, "/api/hubs/hub1/groups/g1/:send", "text/plain", []byte("hi")).status)
	assert.Equal(t, "hi", c.groupText("g1"))
	c.send(protocol.LeaveGroupMessage{Group: "g1", AckID: ackID(1)})
	assert.True(t, c.ack(1).Success, "role claim grants joinLeaveGroup")

	r = call(t, e, http.MethodPost, "/api/hubs/hub1/:generateToken?clientType=mqtt", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.NoError(t, json.Unmarshal([]byte(r.body), &body))
	claims, err = auth.Verify(body.Token, []string{e.AccessKey()}, nil, 0)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(claims.Audience, "/clients/mqtt/hubs/hub1"), claims.Audience)

	// The largest minutesToExpire (int32) is about 4,000 years ahead.
	r = call(t, e, http.MethodPost, "/api/hubs/hub1/:generateToken?minutesToExpire=2147483647", "", nil)
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.NoError(t, json.Unmarshal([]byte(r.body), &body))
	claims, err = auth.Verify(body.Token, []string{e.AccessKey()}, nil, 0)
	require.NoError(t, err, "the token must not have expired")
	assert.Equal(t, claims.IssuedAt+2147483647*60, claims.ExpiresAt)

	for _, bad := range []string{"minutesToExpire=0", "minutesToExpire=2147483648", "minutesToExpire=x", "clientType=Other", "group=%20"} {
		r := call(t, e, http.MethodPost, "/api/hubs/hub1/:generateToken?"+bad, "", nil)
		assert.Equal(t, http.StatusBadRequest, r.status, bad)
	}
}

// A refused parameter is a problem document naming the parameter as its
// target; a wrong body is the flat error body with target "Request"; an
// unsupported Content-Type is a 415.
func TestRESTBadRequests(t *testing.T) {
	e := start(t, emulator.Options{})
	cases := []struct {
		name, method, path, ct, body string
		status                       int
		target, want                 string
	}{
		{"bad hub", http.MethodPost, "/api/hubs/1hub/:send", "text/plain", "x", 400, "hub", "hub name"},
		{"blank group", http.MethodPost, "/api/hubs/hub1/groups/%20%20/:send", "text/plain", "x", 400, "group", "group name"},
		{"ttl too big", http.MethodPost, "/api/hubs/hub1/:send?messageTtlSeconds=301", "text/plain", "x", 400, "messageTtlSeconds", "(Parameter 'messageTtlSeconds')"},
		{"ttl negative", http.MethodPost, "/api/hubs/hub1/:send?messageTtlSeconds=-1", "text/plain", "x", 400, "messageTtlSeconds", "from 0 to 300"},
		{"ttl not a number", http.MethodPost, "/api/hubs/hub1/users/u/:send?messageTtlSeconds=abc", "text/plain", "x", 400, "messageTtlSeconds", "messageTtlSeconds"},
		{"bad filter", http.MethodPost, "/api/hubs/hub1/:send?filter=userId%20eq", "text/plain", "x", 400, "filter", "Invalid syntax for 'userId eq'"},
		{"bad page size", http.MethodGet, "/api/hubs/hub1/groups/g/connections?maxpagesize=201", "", "", 400, "maxpagesize", "from 1 to 200"},
		{"bad token lifetime", http.MethodPost, "/api/hubs/hub1/:generateToken?minutesToExpire=0", "", "", 400, "minutesToExpire", "positive"},
		{"unknown permission", http.MethodPut, "/api/hubs/hub1/permissions/x/connections/c?targetName=g", "", "", 400, "permission", "unknown permission"},
		{"missing targetName", http.MethodPut, "/api/hubs/hub1/permissions/sendToGroup/connections/c", "", "", 400, "targetName", "targetName is required"},
		{"blank targetName", http.MethodPut, "/api/hubs/hub1/permissions/sendToGroup/connections/c?targetName=%20", "", "", 400, "targetName", "targetName"},
		{"missing body", http.MethodPost, "/api/hubs/hub1/:send", "text/plain", "", 400, "Request", "body"},
		{"invalid json", http.MethodPost, "/api/hubs/hub1/:send", "application/json", "{", 400, "Request", "The request body is not a valid JSON."},
		{"unsupported content type", http.MethodPost, "/api/hubs/hub1/:send", "image/png", "x", 415, "Request", "Unsupported Content-Type"},
		{"malformed content type", http.MethodPost, "/api/hubs/hub1/:send", `text/plain; charset="`, "x", 415, "Request", "Unsupported Content-Type"},
		{"other charset", http.MethodPost, "/api/hubs/hub1/:send", "text/plain; charset=iso-8859-1", "x", 415, "Request", "UTF-8"},
		{"groups request not JSON", http.MethodPost, "/api/hubs/hub1/:addToGroups", "text/plain", `{"groups":["g"]}`, 415, "Request", "application/json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			r := call(t, e, tc.method, tc.path, tc.ct, body)
			require.Equal(t, tc.status, r.status, r.body)
			var eb struct {
				Code, Message, Target, Title string
				Status                       int
				Errors                       map[string][]string
			}
			require.NoError(t, json.Unmarshal([]byte(r.body), &eb))
			assert.Equal(t, tc.target, eb.Target)
			assert.Contains(t, eb.Message, tc.want)
			assert.Equal(t, eb.Code, r.header.Get("x-ms-error-code"))
			if tc.status != http.StatusBadRequest {
				return
			}
			assert.Equal(t, "Error.BadRequest", eb.Code)
			if tc.target == "Request" {
				assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"), "the flat error body")
				return
			}
			assert.Equal(t, "application/problem+json; charset=utf-8", r.header.Get("Content-Type"), "a problem document")
			assert.Equal(t, "One or more validation errors occurred.", eb.Title)
			assert.Equal(t, http.StatusBadRequest, eb.Status)
			assert.Equal(t, map[string][]string{tc.target: {eb.Message}}, eb.Errors)
		})
	}
	big := make([]byte, 1<<20+1)
	r := call(t, e, http.MethodPost, "/api/hubs/hub1/:send", "application/octet-stream", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
}

// The filter sees each connection's groups, user id and connection id as
// they are when the message is sent.
func TestRESTFilterOnGroupsAndIDs(t *testing.T) {
	e := start(t, emulator.Options{})
	a, aID := connectJSON(t, e, "hub1", auth.Claims{Subject: "ann", Groups: []string{"g1", "g2"}})
	b, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: "bob", Groups: []string{"g2"}})
	c, _ := connectJSON(t, e, "hub1", auth.Claims{})

	for _, tc := range []struct{ path, filter, text string }{
		{"/api/hubs/hub1/:send", "'g1' in groups", "in g1"},
		{"/api/hubs/hub1/:send", "not('g2' in groups)", "not in g2"},
		{"/api/hubs/hub1/:send", "userId eq null", "no user"},
		{"/api/hubs/hub1/:send", "userId in ('bob', 'carl') or connectionId eq '" + aID + "'", "bob or a"},
		{"/api/hubs/hub1/groups/g2/:send", "userId ne 'ann' and 'g2' in groups", "g2 but ann"},
	} {
		send(t, e, tc.path+"?filter="+url.QueryEscape(tc.filter), tc.text)
	}
	send(t, e, "/api/hubs/hub1/:send", "end")

	assert.Equal(t, "in g1", a.serverText())
	assert.Equal(t, "bob or a", a.serverText())
	assert.Equal(t, "end", a.serverText())
	assert.Equal(t, "bob or a", b.serverText())
	assert.Equal(t, "g2 but ann", b.groupText("g2"))
	assert.Equal(t, "end", b.serverText())
	assert.Equal(t, "not in g2", c.serverText())
	assert.Equal(t, "no user", c.serverText())
	assert.Equal(t, "end", c.serverText())
}
