package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// The REST API as Microsoft's emulator and the service's recordings show it
// (#20 items 1, 2, 5, 8, 9; #26 items 4, 5).

// A REST send to a group reaches every subprotocol as a message of the
// group without a sender, with excluded and filter applied as before;
// simple WebSocket clients get the payload.
func TestRESTGroupSendIsAGroupMessage(t *testing.T) {
	e := start(t, emulator.Options{})
	in := auth.Claims{Subject: "u", Groups: []string{"room"}}
	var subs []*wsClient
	for _, sub := range []string{protocol.JSON, protocol.JSONReliable, protocol.Protobuf, protocol.ProtobufReliable} {
		c := dial(t, clientURL(t, e, "hub1", in), sub)
		c.connected()
		subs = append(subs, c)
	}
	simple := dial(t, clientURL(t, e, "hub1", in), "")
	excluded, excludedID := connectJSON(t, e, "hub1", in)
	other, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: "other", Groups: []string{"room"}})

	r := call(t, e, http.MethodPost, "/api/hubs/hub1/groups/room/:send?excluded="+excludedID+"&filter="+url.QueryEscape("userId eq 'u'"), "text/plain", []byte("to room"))
	require.Equal(t, http.StatusAccepted, r.status, r.body)
	send(t, e, "/api/hubs/hub1/:send", "end")
	for _, c := range subs {
		m := c.next()
		gm, ok := m.(protocol.GroupDataMessage)
		require.True(t, ok, "%s: want a group message, got %#v", c.ws.Subprotocol(), m)
		assert.Equal(t, "room", gm.Group)
		assert.Empty(t, gm.FromUserID, "a REST send has no sender")
		assert.Equal(t, "to room", string(gm.Data.Data))
		_, text := seqText(t, c)
		assert.Equal(t, "end", text)
	}
	typ, raw := simple.read()
	assert.Equal(t, websocket.MessageText, typ)
	assert.Equal(t, "to room", string(raw), "a simple client gets the payload")
	assert.Equal(t, "end", excluded.serverText(), "excluded")
	assert.Equal(t, "end", other.serverText(), "filtered out")

	// The live trace shows the send as a group message, and so does the
	// JSON frame itself (from "group", no fromUserId).
	var ev trace.Event
	for _, x := range e.Trace().Snapshot().Events {
		if x.Kind == trace.KindMessage && x.Source == "rest" && x.Target == "group room" {
			ev = x
		}
	}
	assert.Equal(t, "room", ev.Group, "the trace records the group it was delivered as")
	frame := rawFrame(t, e, "hub1", "room")
	assert.JSONEq(t, `{"type":"message","from":"group","group":"room","dataType":"text","data":"raw"}`, frame)
}

// rawFrame sends "raw" to group through REST and returns the JSON frame a
// member receives.
func rawFrame(t *testing.T, e *emulator.Emulator, hub, group string) string {
	t.Helper()
	c := dial(t, clientURL(t, e, hub, auth.Claims{Groups: []string{group}}), protocol.JSON)
	c.connected()
	send(t, e, "/api/hubs/"+hub+"/groups/"+group+"/:send", "raw")
	_, b := c.read()
	return string(b)
}

func TestRESTAPIVersions(t *testing.T) {
	e := start(t, emulator.Options{})
	const supported = "2021-10-01, 2022-11-01, 2023-07-01, 2024-01-01, 2024-12-01"
	u := e.URL() + "/api/hubs/hub1/:send"
	sendWith := func(query string) response {
		t.Helper()
		return callRaw(t, http.MethodPost, u+query, "text/plain", []byte("x"), "Bearer "+restToken(t, e.AccessKey(), u+query, time.Now().Add(time.Hour)))
	}
	for _, v := range strings.Split(supported, ", ") {
		r := sendWith("?api-version=" + v)
		assert.Equal(t, http.StatusAccepted, r.status, v)
		assert.Equal(t, supported, r.header.Get("api-supported-versions"), "every answer lists the versions")
	}
	assert.Equal(t, http.StatusAccepted, sendWith("").status, "without api-version, as Microsoft's emulator")
	for _, q := range []string{"?api-version=2099-01-01", "?api-version=unsupported", "?api-version=2024-12-01&api-version=2023-07-01"} {
		r := sendWith(q)
		require.Equal(t, http.StatusBadRequest, r.status, q)
		doc := problemOf(t, r)
		assert.Equal(t, "api-version", doc.Target)
		assert.Equal(t, "The specified API version is not supported.", doc.Message)
		assert.Equal(t, supported, r.header.Get("api-supported-versions"))
	}
	r := callRaw(t, http.MethodPost, u, "text/plain", []byte("x"), "")
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, supported, r.header.Get("api-supported-versions"), "a 401 lists them too")
	r = callRaw(t, http.MethodHead, e.URL()+"/api/health", "", nil, "")
	assert.Equal(t, supported, r.header.Get("api-supported-versions"))
}

// problemDoc is a problem document's fields.
type problemDoc struct {
	Code, Message, Target, Title string
	Status                       int
	Errors                       map[string][]string
}

// problemOf decodes a problem document answer.
func problemOf(t *testing.T, r response) problemDoc {
	t.Helper()
	assert.Equal(t, "application/problem+json; charset=utf-8", r.header.Get("Content-Type"))
	var d problemDoc
	require.NoError(t, json.Unmarshal([]byte(r.body), &d), r.body)
	assert.Equal(t, "Error.BadRequest", d.Code)
	assert.Equal(t, "One or more validation errors occurred.", d.Title)
	assert.Equal(t, http.StatusBadRequest, d.Status)
	assert.Equal(t, map[string][]string{d.Target: {d.Message}}, d.Errors)
	return d
}

// An invalid filter is answered in the service's words, whichever
// operation takes it, and the Go SDK's *azcore.ResponseError keeps the code
// and the message.
func TestRESTInvalidFilterInTheServicesWords(t *testing.T) {
	e := start(t, emulator.Options{})
	const syntax = "Invalid syntax for 'invalid filter': Syntax error at position 14 in 'invalid filter'. (Parameter 'filter')"
	const types = "Invalid syntax for 'userId lt 1': Type 'string', expect 'int'. (Parameter 'filter')"
	for _, path := range []string{"/api/hubs/hub1/:send", "/api/hubs/hub1/groups/g/:send", "/api/hubs/hub1/users/u/:send"} {
		r := call(t, e, http.MethodPost, path+"?filter="+url.QueryEscape("invalid filter"), "text/plain", []byte("x"))
		require.Equal(t, http.StatusBadRequest, r.status, path)
		assert.Equal(t, syntax, problemOf(t, r).Message)
	}
	r := call(t, e, http.MethodPost, "/api/hubs/hub1/:send?filter="+url.QueryEscape("userId lt 1"), "text/plain", []byte("x"))
	assert.Equal(t, types, problemOf(t, r).Message)
	r = call(t, e, http.MethodPost, "/api/hubs/hub1/:addToGroups", "application/json", []byte(`{"groups":["g"],"filter":"invalid filter"}`))
	require.Equal(t, http.StatusBadRequest, r.status)
	d := problemOf(t, r)
	assert.Equal(t, "filter", d.Target, "a filter in the body is still the filter parameter")
	assert.Equal(t, syntax, d.Message)

	svc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "hub1", nil)
	require.NoError(t, err)
	_, err = svc.SendToAll(t.Context(), webpubsub.TextMessage("x"), &webpubsub.ServiceClientSendToAllOptions{Filter: "invalid filter"})
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re), "got %T %v", err, err)
	assert.Equal(t, http.StatusBadRequest, re.StatusCode)
	assert.Equal(t, "Error.BadRequest", re.ErrorCode)
	assert.Contains(t, err.Error(), syntax)
}

// Hub names are case-insensitive everywhere: REST, client URLs, the
// settings, the trace and the upstream, which gets ce-hub lower-cased.
func TestHubNamesAreCaseInsensitive(t *testing.T) {
	var mu sync.Mutex
	var hubs, paths []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set(protocol.HeaderAllowedOrigin, "*")
			return
		}
		mu.Lock()
		hubs = append(hubs, r.Header.Get(protocol.HeaderHub))
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(up.Close)
	e := start(t, emulator.Options{Upstream: []emulator.UpstreamHandler{{Hub: "ChAt", URLTemplate: up.URL + "/{hub}/{event}", SystemEvents: []string{"connect"}}}})

	c := dial(t, clientURL(t, e, "Chat", auth.Claims{Subject: "u"}), protocol.JSON)
	id := c.connected().ConnectionID
	assert.Equal(t, http.StatusOK, call(t, e, http.MethodHead, "/api/hubs/CHAT/connections/"+id, "", nil).status, "REST finds chat's connection")
	assert.Equal(t, http.StatusOK, call(t, e, http.MethodHead, "/api/hubs/chat/users/u", "", nil).status)
	send(t, e, "/api/hubs/cHaT/connections/"+id+"/:send", "found")
	assert.Equal(t, "found", c.serverText())
	require.Equal(t, http.StatusOK, call(t, e, http.MethodPut, "/api/hubs/CHAT/groups/g/connections/"+id, "", nil).status)
	send(t, e, "/api/hubs/Chat/groups/g/:send", "in g")
	assert.Equal(t, "in g", c.groupText("g"))
	other := dial(t, clientURL(t, e, "CHAT", auth.Claims{Subject: "v"}), protocol.JSON)
	other.connected()
	send(t, e, "/api/hubs/chat/users/v/:send", "same hub")
	assert.Equal(t, "same hub", other.serverText(), "/client/hubs/CHAT is hub chat")
	assert.True(t, e.DropConnection("CHAT", id), "the emulator's own controls too")

	mu.Lock()
	assert.Equal(t, []string{"chat", "chat"}, hubs, "ce-hub carries the lower-cased name")
	assert.Equal(t, []string{"/chat/connect", "/chat/connect"}, paths, "so does {hub}")
	mu.Unlock()
	for _, ev := range e.Trace().Snapshot().Events {
		if ev.Hub != "" {
			assert.Equal(t, "chat", ev.Hub, "%s event", ev.Kind)
		}
	}
}

// X-WebPubSub-Metadata-<key> headers of a send become the message's
// metadata, read as Microsoft's emulator reads them and validated.
func TestRESTMetadataHeaders(t *testing.T) {
	e := start(t, emulator.Options{})
	js, id := connectJSON(t, e, "hub1", auth.Claims{Groups: []string{"g"}})
	pb := dial(t, clientURL(t, e, "hub1", auth.Claims{Groups: []string{"g"}}), protocol.Protobuf)
	pb.connected()
	sendMD := func(path string, md map[string]string) response {
		t.Helper()
		u := e.URL() + withAPIVersion(path)
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader("with metadata"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Authorization", "Bearer "+restToken(t, e.AccessKey(), u, time.Now().Add(time.Hour)))
		for k, v := range md {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
	}
	r := sendMD("/api/hubs/hub1/connections/"+id+"/:send", map[string]string{"X-WebPubSub-Metadata-Trace": "first, final", "x-webpubsub-metadata-KIND": "a"})
	require.Equal(t, http.StatusAccepted, r.status, r.body)
	sm := js.next().(protocol.ServerDataMessage)
	assert.Equal(t, map[string]string{"trace": "final", "kind": "a"}, sm.Metadata, "keys lower-cased, the last comma-separated value")

	r = sendMD("/api/hubs/hub1/groups/g/:send", map[string]string{"X-WebPubSub-Metadata-Trace": "t1"})
	require.Equal(t, http.StatusAccepted, r.status, r.body)
	for _, c := range []*wsClient{js, pb} {
		gm := c.next().(protocol.GroupDataMessage)
		assert.Equal(t, map[string]string{"trace": "t1"}, gm.Metadata)
	}

	r = sendMD("/api/hubs/hub1/:send", map[string]string{"X-WebPubSub-Metadata-" + strings.Repeat("a", 257): "v"})
	require.Equal(t, http.StatusBadRequest, r.status)
	var eb struct{ Code, Message, Target string }
	require.NoError(t, json.Unmarshal([]byte(r.body), &eb))
	assert.Equal(t, "Request", eb.Target)
	assert.Contains(t, eb.Message, "exceeds 256 bytes")
}

func TestRESTMissingUsersAndGroups(t *testing.T) {
	e := start(t, emulator.Options{})
	r := call(t, e, http.MethodHead, "/api/hubs/hub1/users/nobody", "", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "Warning.User.NotExisted", r.header.Get("x-ms-error-code"))
	r = call(t, e, http.MethodHead, "/api/hubs/hub1/groups/empty", "", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "Warning.Group.NotExisted", r.header.Get("x-ms-error-code"))

	r = call(t, e, http.MethodPut, "/api/hubs/hub1/users/nobody/groups/g", "", nil)
	assert.Equal(t, http.StatusNotFound, r.status, "a user without a connection cannot be added")
	assert.Equal(t, "Warning.User.NotExisted", r.header.Get("x-ms-error-code"))
	c, _ := connectJSON(t, e, "hub1", auth.Claims{Subject: "nobody"})
	send(t, e, "/api/hubs/hub1/groups/g/:send", "not for nobody")
	send(t, e, "/api/hubs/hub1/:send", "end")
	assert.Equal(t, "end", c.serverText(), "the refused addition was not recorded for later connections")
}

// The filter knows protocol: the negotiated subprotocol, null for a simple
// WebSocket client.
func TestRESTFilterOnProtocol(t *testing.T) {
	e := start(t, emulator.Options{})
	js, _ := connectJSON(t, e, "hub1", auth.Claims{})
	rel := dial(t, clientURL(t, e, "hub1", auth.Claims{}), protocol.JSONReliable)
	rel.connected()
	simple := dial(t, clientURL(t, e, "hub1", auth.Claims{}), "")
	send(t, e, "/api/hubs/hub1/:send?filter="+url.QueryEscape("protocol eq 'json.reliable.webpubsub.azure.v1'"), "reliable only")
	send(t, e, "/api/hubs/hub1/:send?filter="+url.QueryEscape("protocol eq null"), "simple only")
	send(t, e, "/api/hubs/hub1/:send?filter="+url.QueryEscape("protocol ne null"), "subprotocols")
	_, text := seqText(t, rel)
	assert.Equal(t, "reliable only", text)
	_, text = seqText(t, rel)
	assert.Equal(t, "subprotocols", text)
	_, raw := simple.read()
	assert.Equal(t, "simple only", string(raw))
	assert.Equal(t, "subprotocols", js.serverText())
}

// Permissions as Microsoft's emulator: names in any case, targetName
// required, missing connections, revoking one group of a role for all
// groups, and the bound on single groups.
func TestRESTPermissionsAsTheService(t *testing.T) {
	e := start(t, emulator.Options{})
	c, id := connectJSON(t, e, "hub1", auth.Claims{Roles: []string{protocol.RoleSendToGroup, "webpubsub.joinLeaveGroups.room.*"}})
	path := func(perm, conn, target string) string {
		p := "/api/hubs/HUB1/permissions/" + perm + "/connections/" + conn
		if target != "" {
			p += "?targetName=" + url.QueryEscape(target)
		}
		return p
	}
	for _, perm := range []string{"sendToGroup", "SENDTOGROUP", "1"} {
		assert.Equal(t, http.StatusOK, call(t, e, http.MethodHead, path(perm, id, "any"), "", nil).status, perm)
	}
	assert.Equal(t, http.StatusOK, call(t, e, http.MethodHead, path("JoinLeaveGroup", id, "room.a"), "", nil).status, "a plural role's pattern")
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, path("2", id, "room.a.b"), "", nil).status)
	_, literal := connectJSON(t, e, "hub1", auth.Claims{Roles: []string{protocol.RoleJoinLeaveGroup + ".room.*"}})
	assert.Equal(t, http.StatusOK, call(t, e, http.MethodHead, path("joinLeaveGroup", literal, "room.*"), "", nil).status, "the singular role names one group, literally")
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, path("joinLeaveGroup", literal, "room.a"), "", nil).status)
	for _, m := range []string{http.MethodHead, http.MethodPut, http.MethodDelete} {
		r := call(t, e, m, path("sendToGroup", id, ""), "", nil)
		assert.Equal(t, http.StatusBadRequest, r.status, "%s without targetName", m)
		assert.Equal(t, http.StatusBadRequest, call(t, e, m, path("0", id, "g"), "", nil).status, "%s with permission 0", m)
	}

	// Revoking one group of the role for every group denies that group only.
	require.Equal(t, http.StatusNoContent, call(t, e, http.MethodDelete, path("sendToGroup", id, "secret"), "", nil).status)
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, path("sendToGroup", id, "secret"), "", nil).status)
	assert.Equal(t, http.StatusOK, call(t, e, http.MethodHead, path("sendToGroup", id, "open"), "", nil).status)
	text := protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}
	c.send(protocol.SendToGroupMessage{Group: "secret", AckID: ackID(1), Data: text})
	assert.Equal(t, protocol.ErrorForbidden, c.ack(1).Error.Name)
	c.send(protocol.SendToGroupMessage{Group: "open", AckID: ackID(2), Data: text})
	assert.True(t, c.ack(2).Success)

	// Missing connections: 404 for PUT and HEAD, 204 for DELETE.
	for m, want := range map[string]int{http.MethodPut: 404, http.MethodHead: 404, http.MethodDelete: 204} {
		r := call(t, e, m, path("sendToGroup", "missing", "g"), "", nil)
		assert.Equal(t, want, r.status, m)
		if want == http.StatusNotFound {
			assert.Equal(t, "Info.Connection.NotExisted", r.header.Get("x-ms-error-code"), m)
		}
	}
}

// A connection records at most 1,000 single-group grants and revocations;
// one more is a 409 Error.Connection.Conflict that changes nothing.
func TestRESTPermissionConflict(t *testing.T) {
	e := start(t, emulator.Options{})
	_, id := connectJSON(t, e, "hub1", auth.Claims{})
	svc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "hub1", nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 1000; i += 8 {
				_, err := svc.GrantPermission(ctx, webpubsub.PermissionSendToGroup, id, &webpubsub.ServiceClientGrantPermissionOptions{TargetName: fmt.Sprint("room", i)})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	r := call(t, e, http.MethodPut, "/api/hubs/hub1/permissions/sendToGroup/connections/"+id+"?targetName=overflow", "", nil)
	assert.Equal(t, http.StatusConflict, r.status, r.body)
	assert.Equal(t, "Error.Connection.Conflict", r.header.Get("x-ms-error-code"))
	assert.Equal(t, http.StatusNotFound, call(t, e, http.MethodHead, "/api/hubs/hub1/permissions/sendToGroup/connections/"+id+"?targetName=overflow", "", nil).status)
	assert.Equal(t, http.StatusOK, call(t, e, http.MethodHead, "/api/hubs/hub1/permissions/sendToGroup/connections/"+id+"?targetName=room999", "", nil).status)
}

// A connection closed through REST is told so in the service's words; the
// upstream's disconnected event and the trace get the same reason.
func TestRESTCloseInTheServicesWords(t *testing.T) {
	e := start(t, emulator.Options{})
	c, id := connectJSON(t, e, "hub1", auth.Claims{})
	require.Equal(t, http.StatusNoContent, call(t, e, http.MethodDelete, "/api/hubs/hub1/connections/"+id, "", nil).status)
	d, ok := c.next().(protocol.DisconnectedMessage)
	require.True(t, ok)
	assert.Equal(t, "Application server closed the connection.", d.Message)
	var ce websocket.CloseError
	require.ErrorAs(t, c.closeErr(), &ce)
	assert.Equal(t, websocket.StatusNormalClosure, ce.Code)
	assert.Empty(t, ce.Reason)
	var reason string
	for _, ev := range e.Trace().Snapshot().Events {
		if ev.Kind == trace.KindDisconnected && ev.ConnectionID == id {
			reason = ev.Reason
		}
	}
	assert.Equal(t, "Application server closed the connection.", reason)
}
