package trace_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/eventhandler"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// signToken signs a token with key for aud, valid for a minute.
func signToken(t testing.TB, key, aud string) string {
	t.Helper()
	tok, err := auth.Sign(key, &auth.Claims{Audience: aud, ExpiresAt: time.Now().Add(time.Minute).Unix()})
	require.NoError(t, err)
	return tok
}

// signIn posts tok to /trace/session and returns the response status and
// an HTTP client holding the session cookie.
func signIn(t *testing.T, e *emulatortest.Server, tok string) (int, *http.Client) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	hc := &http.Client{Jar: jar}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.URL()+"/trace/session", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode, hc
}

// sseStream reads a Server-Sent Events stream in the background.
type sseStream struct {
	mu     sync.Mutex
	raw    strings.Builder
	events []sseEvent
	more   chan struct{}
}

type sseEvent struct {
	name string
	data string
}

func openStream(t *testing.T, hc *http.Client, url string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	s := &sseStream{more: make(chan struct{}, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
		var cur sseEvent
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.raw.WriteString(line + "\n")
			switch {
			case strings.HasPrefix(line, "event: "):
				cur.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				cur.data = strings.TrimPrefix(line, "data: ")
			case line == "" && cur.name != "":
				s.events = append(s.events, cur)
				cur = sseEvent{}
				select {
				case s.more <- struct{}{}:
				default:
				}
			}
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// waitUpdate waits for an update that f accepts and returns it.
func (s *sseStream) waitUpdate(t *testing.T, what string, f func(trace.Update) bool) trace.Update {
	t.Helper()
	deadline := time.After(10 * time.Second)
	seen := 0
	for {
		s.mu.Lock()
		evs := s.events[seen:]
		seen = len(s.events)
		s.mu.Unlock()
		for _, ev := range evs {
			if ev.name != "update" {
				continue
			}
			var u trace.Update
			require.NoError(t, json.Unmarshal([]byte(ev.data), &u))
			if f(u) {
				return u
			}
		}
		select {
		case <-s.more:
		case <-deadline:
			t.Fatalf("no update: %s", what)
		}
	}
}

func (s *sseStream) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.String()
}

func dial(t *testing.T, u string, subprotocols ...string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: subprotocols})
	require.NoError(t, err)
	t.Cleanup(func() { ws.CloseNow() })
	return ws
}

func write(t *testing.T, ws *websocket.Conn, m protocol.Message) {
	t.Helper()
	b, err := protocol.Encode(m)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.NoError(t, ws.Write(ctx, websocket.MessageText, b))
}

func read(t *testing.T, ws *websocket.Conn) protocol.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, b, err := ws.Read(ctx)
	require.NoError(t, err)
	m, err := protocol.Decode(b)
	require.NoError(t, err)
	return m
}

func clientURL(t testing.TB, e *emulatortest.Server, hub, user string, roles, groups []string) string {
	t.Helper()
	base := strings.Replace(e.URL(), "http://", "ws://", 1) + "/client/hubs/" + hub
	tok, err := auth.Sign(e.AccessKey(), &auth.Claims{
		Audience: e.URL() + "/client/hubs/" + hub, Subject: user, Roles: roles, Groups: groups,
		ExpiresAt: time.Now().Add(time.Hour).Unix(),
	})
	require.NoError(t, err)
	return base + "?access_token=" + tok
}

func rest(t *testing.T, e *emulatortest.Server, method, path, ct, body string) int {
	t.Helper()
	u := e.URL() + path
	req, err := http.NewRequestWithContext(t.Context(), method, u, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+signToken(t, e.AccessKey(), u))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestPageAndStreamNeedTheAccessKey(t *testing.T) {
	e := emulatortest.New(t, nil)

	// The page itself is public: it holds no data and asks for a credential.
	resp, err := http.Get(e.URL() + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "Connection string or token")
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'self'")

	resp, err = http.Get(e.URL() + "/trace/stream")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "no session, no stream")

	for name, tok := range map[string]string{
		"nothing":              "",
		"another key":          signToken(t, "b3RoZXIta2V5", e.URL()+"/trace"),
		"a client token":       signToken(t, e.AccessKey(), e.URL()+"/client/hubs/chat"),
		"a REST token":         signToken(t, e.AccessKey(), e.URL()+"/api/hubs/chat/:send"),
		"the key in the clear": e.AccessKey(),
	} {
		status, _ := signIn(t, e, tok)
		assert.Equal(t, http.StatusUnauthorized, status, name)
	}

	status, hc := signIn(t, e, signToken(t, e.AccessKey(), e.URL()+"/trace"))
	require.Equal(t, http.StatusNoContent, status)
	resp, err = hc.Get(e.URL() + "/trace/session")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"testClient": true, "send": true}`, string(body), "the emulator offers the page's test client and send form")
	u, _ := http.NewRequest(http.MethodGet, e.URL()+"/trace/", nil)
	for _, c := range hc.Jar.Cookies(u.URL) {
		assert.True(t, strings.HasPrefix(c.Name, "webpubsub_trace_"), c.Name)
		assert.NotContains(t, c.Value, e.AccessKey())
	}
	s := openStream(t, hc, e.URL()+"/trace/stream")
	assert.Eventually(t, func() bool { return strings.Contains(s.text(), "event: snapshot") }, 10*time.Second, 10*time.Millisecond)

	// Signing out ends the session.
	req, _ := http.NewRequest(http.MethodDelete, e.URL()+"/trace/session", nil)
	resp, err = hc.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	resp, err = hc.Get(e.URL() + "/trace/stream")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// Unknown paths keep the service's JSON 404.
	resp, err = http.Get(e.URL() + "/nope")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, "Error.NotFound", resp.Header.Get("x-ms-error-code"))
}

func TestTraceOffServesNoPage(t *testing.T) {
	e := emulatortest.New(t, &emulator.Options{TraceEvents: -1})
	assert.Nil(t, e.Trace())
	resp, err := http.Get(e.URL() + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestStreamShowsWhatHappens drives a client, the REST API and an upstream
// event handler and checks each kind of event on the page's stream, and that
// neither the access key nor a token ever appears on it.
func TestStreamShowsWhatHappens(t *testing.T) {
	const key = "dHJhY2Uta2V5LXRyYWNlLWtleS10cmFjZS1rZXk="
	h, err := eventhandler.New("chat", &eventhandler.Options{
		AccessKeys: []string{key},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			if req.Context.EventName == "fail" {
				return &eventhandler.StatusError{Status: http.StatusBadRequest, Reason: "no thanks"}
			}
			resp.SetText("echo " + string(req.Data))
			return nil
		},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	upstreamSrv := httptest.NewServer(mux)
	t.Cleanup(upstreamSrv.Close)

	e := emulatortest.New(t, &emulator.Options{AccessKey: key, Upstream: []emulator.UpstreamHandler{{
		Hub: "chat", URLTemplate: upstreamSrv.URL + "/api/webpubsub/hubs/{hub}?code=functionkey123", UserEventPattern: "*",
		SystemEvents: []string{"connected"},
	}}})
	status, hc := signIn(t, e, signToken(t, key, e.URL()+"/trace"))
	require.Equal(t, http.StatusNoContent, status)
	s := openStream(t, hc, e.URL()+"/trace/stream")

	cu := clientURL(t, e, "chat", "ann", []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"}, []string{"lobby"})
	ws := dial(t, cu, protocol.JSONReliable)
	cm := read(t, ws).(protocol.ConnectedMessage)
	id := cm.ConnectionID

	u := s.waitUpdate(t, "connected", func(u trace.Update) bool { return u.Event.Kind == trace.KindConnected })
	assert.Equal(t, id, u.Event.ConnectionID)
	assert.Equal(t, "ann", u.Event.UserID)
	assert.Equal(t, []string{"lobby"}, u.Event.Groups)
	require.NotNil(t, u.Connection)
	assert.Equal(t, trace.StateConnected, u.Connection.State)
	assert.Equal(t, protocol.JSONReliable, u.Connection.Subprotocol)

	u = s.waitUpdate(t, "connected upstream call", func(u trace.Update) bool {
		return u.Event.Kind == trace.KindUpstream && u.Event.Event == "connected"
	})
	assert.Equal(t, http.StatusOK, u.Event.Status)
	assert.Equal(t, id, u.Event.ConnectionID)
	assert.Greater(t, u.Event.DurationMS, 0.0)
	assert.NotContains(t, u.Event.Path, "functionkey123", "the upstream URL's query is left out")

	ack := uint64(1)
	write(t, ws, protocol.JoinGroupMessage{Group: "room", AckID: &ack})
	u = s.waitUpdate(t, "joined", func(u trace.Update) bool { return u.Event.Kind == trace.KindJoined && u.Event.Group == "room" })
	assert.Equal(t, []string{"lobby", "room"}, u.Connection.Groups)

	ack2 := uint64(2)
	write(t, ws, protocol.SendToGroupMessage{Group: "room", AckID: &ack2, Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("hello room " + key)}})
	u = s.waitUpdate(t, "client message", func(u trace.Update) bool { return u.Event.Kind == trace.KindMessage && u.Event.Source == "connection" })
	assert.Equal(t, "group room", u.Event.Target)
	assert.Equal(t, id, u.Event.ConnectionID)
	assert.Equal(t, []string{id}, u.Event.Recipients)
	assert.Equal(t, 1, u.Event.RecipientCount)
	assert.Equal(t, "hello room "+trace.Redacted, u.Event.Preview)
	assert.Equal(t, len("hello room "+key), u.Event.Size)
	assert.Equal(t, "text/plain", u.Event.ContentType)

	write(t, ws, protocol.EventMessage{Event: "echo", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("hi")}})
	u = s.waitUpdate(t, "user event", func(u trace.Update) bool { return u.Event.Kind == trace.KindUserEvent })
	assert.Equal(t, "echo", u.Event.Event)
	assert.Equal(t, "hi", u.Event.Preview)
	u = s.waitUpdate(t, "upstream user event", func(u trace.Update) bool { return u.Event.Kind == trace.KindUpstream && u.Event.Event == "echo" })
	assert.Equal(t, http.StatusOK, u.Event.Status)
	u = s.waitUpdate(t, "upstream answer", func(u trace.Update) bool { return u.Event.Kind == trace.KindMessage && u.Event.Source == "upstream" })
	assert.Equal(t, "echo hi", u.Event.Preview)
	assert.Equal(t, "connection "+id, u.Event.Target)

	ack3 := uint64(3)
	write(t, ws, protocol.EventMessage{Event: "fail", AckID: &ack3, Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}})
	// Why the event failed is on the page (the handler's answer and status);
	// the client's ack has only the service's words.
	u = s.waitUpdate(t, "failed user event", func(u trace.Update) bool { return u.Event.Kind == trace.KindUserEvent && u.Event.Reason != "" })
	assert.Equal(t, "fail", u.Event.Event)
	assert.Contains(t, u.Event.Reason, "no thanks")
	assert.Contains(t, u.Event.Reason, "with 400")
	u = s.waitUpdate(t, "ack with error", func(u trace.Update) bool { return u.Event.Kind == trace.KindAck })
	require.NotNil(t, u.Event.AckID)
	assert.Equal(t, uint64(3), *u.Event.AckID)
	assert.Equal(t, "InternalServerError: Internal server error", u.Event.Reason)

	jwt := signToken(t, key, "x")
	require.Equal(t, http.StatusAccepted, rest(t, e, http.MethodPost, "/api/hubs/chat/groups/room/:send?api-version=2024-12-01", "application/json", `{"t":"`+jwt+`"}`))
	u = s.waitUpdate(t, "REST message", func(u trace.Update) bool { return u.Event.Kind == trace.KindMessage && u.Event.Source == "rest" })
	assert.Equal(t, "group room", u.Event.Target)
	assert.Equal(t, "application/json", u.Event.ContentType)
	assert.Equal(t, `{"t":"`+trace.Redacted+`"}`, u.Event.Preview)
	u = s.waitUpdate(t, "REST call", func(u trace.Update) bool { return u.Event.Kind == trace.KindREST && u.Event.Method == http.MethodPost })
	assert.Equal(t, http.StatusAccepted, u.Event.Status)
	assert.Equal(t, "chat", u.Event.Hub)
	assert.Equal(t, "/api/hubs/chat/groups/room/:send", u.Event.Path)
	badReq, _ := http.NewRequest(http.MethodPost, e.URL()+"/api/hubs/chat/:send?api-version=2024-12-01", strings.NewReader("x"))
	badReq.Header.Set("Authorization", "Bearer "+signToken(t, "b3RoZXI=", badReq.URL.String()))
	badResp, err := http.DefaultClient.Do(badReq)
	require.NoError(t, err)
	badResp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, badResp.StatusCode)
	s.waitUpdate(t, "refused REST call", func(u trace.Update) bool {
		return u.Event.Kind == trace.KindREST && u.Event.Status == http.StatusUnauthorized
	})

	// A refused handshake: a token signed with another key.
	_, _, err = websocket.Dial(t.Context(), strings.Replace(e.URL(), "http", "ws", 1)+"/client/hubs/chat?access_token="+signToken(t, "b3RoZXI=", "x"), nil)
	require.Error(t, err)
	u = s.waitUpdate(t, "refused", func(u trace.Update) bool { return u.Event.Kind == trace.KindRefused })
	assert.Equal(t, http.StatusUnauthorized, u.Event.Status)
	assert.Contains(t, u.Event.Reason, "invalid access token")

	// Drop, recover, leave, disconnect.
	require.True(t, e.DropConnection("chat", id))
	u = s.waitUpdate(t, "dropped", func(u trace.Update) bool { return u.Event.Kind == trace.KindDropped })
	assert.Equal(t, trace.StateRecovering, u.Connection.State)
	ws2 := dial(t, strings.Replace(e.URL(), "http", "ws", 1)+"/client/hubs/chat?awps_connection_id="+id+"&awps_reconnection_token="+cm.ReconnectionToken, protocol.JSONReliable)
	_ = read(t, ws2)
	u = s.waitUpdate(t, "recovered", func(u trace.Update) bool { return u.Event.Kind == trace.KindRecovered })
	assert.Equal(t, trace.StateConnected, u.Connection.State)
	require.NoError(t, ws2.Close(websocket.StatusNormalClosure, ""))
	u = s.waitUpdate(t, "disconnected", func(u trace.Update) bool { return u.Event.Kind == trace.KindDisconnected })
	assert.Equal(t, trace.StateGone, u.Connection.State)
	assert.Equal(t, "the client closed the connection", u.Event.Reason)
	assert.Equal(t, []string{"lobby", "room"}, u.Connection.Groups, "a gone row keeps its last groups")

	all := s.text()
	for _, secret := range []string{key, jwt, cm.ReconnectionToken, "functionkey123", strings.Split(cu, "access_token=")[1]} {
		assert.NotContains(t, all, secret)
	}
}

func TestSlowPageMissesUpdatesWithoutSlowingTheEmulator(t *testing.T) {
	e := emulatortest.New(t, nil)
	status, hc := signIn(t, e, signToken(t, e.AccessKey(), e.URL()+"/trace"))
	require.Equal(t, http.StatusNoContent, status)
	// A page that does not read its stream for now.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.URL()+"/trace/stream", nil)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()

	// Far more than the page's queue (4096 updates) and the socket buffers
	// hold: recording goes on at full speed.
	reason := strings.Repeat("r", 500)
	start := time.Now()
	for i := 0; i < 3*trace.DefaultSubscriberQueue; i++ {
		e.Trace().Record(trace.Event{Kind: trace.KindREST, Reason: reason})
	}
	t.Logf("%d events recorded with a stalled page in %v", 3*trace.DefaultSubscriberQueue, time.Since(start))
	require.Equal(t, http.StatusAccepted, rest(t, e, http.MethodPost, "/api/hubs/h/:send?api-version=2024-12-01", "text/plain", "still fast"))

	// When the page reads again it learns how many updates it missed.
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	var missed struct{ Dropped uint64 }
	for sc.Scan() {
		if sc.Text() == "event: missed" {
			require.True(t, sc.Scan())
			require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(sc.Text(), "data: ")), &missed))
			break
		}
	}
	assert.Greater(t, missed.Dropped, uint64(0))
	assert.Less(t, missed.Dropped, uint64(3*trace.DefaultSubscriberQueue))
}

func TestOpenStreamsAreBounded(t *testing.T) {
	e := emulatortest.New(t, nil)
	status, hc := signIn(t, e, signToken(t, e.AccessKey(), e.URL()+"/trace"))
	require.Equal(t, http.StatusNoContent, status)
	for i := 0; i < trace.MaxStreams; i++ {
		openStream(t, hc, e.URL()+"/trace/stream")
	}
	resp, err := hc.Get(e.URL() + "/trace/stream")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Contains(t, string(body), "too many live trace pages")
}

// TestStreamShowsGroupStreamsAndFailedInvocations: the fragments of a group
// stream appear as messages to the group labelled with the stream and the
// fragment's number, its end as such, and an invocation the upstream refused
// as a failed invocation.
func TestStreamShowsGroupStreamsAndFailedInvocations(t *testing.T) {
	const key = "dHJhY2Uta2V5LXRyYWNlLWtleS10cmFjZS1rZXk="
	h, err := eventhandler.New("chat", &eventhandler.Options{
		AccessKeys: []string{key},
		OnUserEvent: func(context.Context, *eventhandler.UserEventRequest, *eventhandler.UserEventResponse) error {
			return &eventhandler.StatusError{Status: http.StatusBadRequest, Reason: "no thanks"}
		},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	h.Register(mux)
	upstreamSrv := httptest.NewServer(mux)
	t.Cleanup(upstreamSrv.Close)
	e := emulatortest.New(t, &emulator.Options{AccessKey: key, Upstream: []emulator.UpstreamHandler{{
		Hub: "chat", URLTemplate: upstreamSrv.URL + "/api/webpubsub/hubs/{hub}", UserEventPattern: "*",
	}}})
	status, hc := signIn(t, e, signToken(t, key, e.URL()+"/trace"))
	require.Equal(t, http.StatusNoContent, status)
	s := openStream(t, hc, e.URL()+"/trace/stream")

	ws := dial(t, clientURL(t, e, "chat", "ann", []string{"webpubsub.sendToGroup"}, []string{"room"}), protocol.JSONReliable)
	id := read(t, ws).(protocol.ConnectedMessage).ConnectionID

	write(t, ws, protocol.SendToGroupMessage{Group: "room", Stream: &protocol.StreamOpen{StreamID: "s1"}})
	write(t, ws, protocol.StreamDataMessage{StreamID: "s1", StreamSequenceID: 1, Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("frag one")}})
	u := s.waitUpdate(t, "fragment", func(u trace.Update) bool { return u.Event.Kind == trace.KindMessage && u.Event.Stream != "" })
	assert.Equal(t, "s1 #1", u.Event.Stream)
	assert.Equal(t, "group room", u.Event.Target)
	assert.Equal(t, id, u.Event.ConnectionID)
	assert.Equal(t, 1, u.Event.RecipientCount, "the sender is in the group")
	assert.Equal(t, "frag one", u.Event.Preview)
	write(t, ws, protocol.StreamEndMessage{StreamID: "s1"})
	u = s.waitUpdate(t, "end", func(u trace.Update) bool { return u.Event.Kind == trace.KindMessage && u.Event.Stream == "s1 end" })
	assert.Equal(t, "group room", u.Event.Target)

	write(t, ws, protocol.InvokeMessage{InvocationID: "7", Target: protocol.InvokeTargetEvent, Event: "quote", Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("q")}})
	u = s.waitUpdate(t, "failed invocation", func(u trace.Update) bool { return u.Event.Kind == trace.KindAck && u.Event.InvocationID != "" })
	assert.Equal(t, "7", u.Event.InvocationID)
	assert.Equal(t, id, u.Event.ConnectionID)
	assert.Contains(t, u.Event.Reason, protocol.ErrorInternalServerError)
}
