package trace_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// post sends body to the emulator's path as the page would (with the
// page's Origin unless origin says otherwise) and returns the status and
// the answer.
func post(t *testing.T, hc *http.Client, e *emulator.Emulator, path, origin, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// newServer serves h on a loopback test server and returns its URL.
func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func newJarClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar}
}

// TestSignInLinkWorksOnce: the link the emulator prints carries a one-time
// code in its fragment (never sent in a request line); the page trades it
// for the session cookie once, from its own origin only.
func TestSignInLinkWorksOnce(t *testing.T) {
	e := emulatortest.New(t, &emulator.Options{})
	link := e.Trace().SignInURL(e.URL())
	u, err := url.Parse(link)
	require.NoError(t, err)
	assert.Equal(t, e.URL()+"/", strings.TrimSuffix(link, "#"+u.Fragment))
	code, ok := strings.CutPrefix(u.Fragment, "code=")
	require.True(t, ok, link)
	assert.GreaterOrEqual(t, len(code), 43, "32 random bytes")
	assert.NotContains(t, link, e.AccessKey())

	hc := newJarClient(t)
	status, body := post(t, hc, e.Emulator, "/trace/signin", "", code)
	assert.Equal(t, http.StatusForbidden, status, "no Origin: not the page: %s", body)
	status, _ = post(t, hc, e.Emulator, "/trace/signin", "http://evil.example", code)
	assert.Equal(t, http.StatusForbidden, status, "another origin")

	status, body = post(t, hc, e.Emulator, "/trace/signin", e.URL(), code)
	require.Equal(t, http.StatusNoContent, status, body)
	resp, err := hc.Get(e.URL() + "/trace/session")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "signed in")
	s := openStream(t, hc, e.URL()+"/trace/stream")
	assert.Eventually(t, func() bool { return strings.Contains(s.text(), "event: snapshot") }, 10*time.Second, 10*time.Millisecond)

	status, body = post(t, newJarClient(t), e.Emulator, "/trace/signin", e.URL(), code)
	assert.Equal(t, http.StatusUnauthorized, status, "a used code does not work again")
	assert.Contains(t, body, "already used or has expired")
	status, _ = post(t, newJarClient(t), e.Emulator, "/trace/signin", e.URL(), "made-up-code")
	assert.Equal(t, http.StatusUnauthorized, status)
}

// TestPageActionsNeedTheSessionAndTheOrigin: the test client's URL and the
// send form work for the signed-in page only, from its own origin, and the
// URL connects a client that receives what the form sends.
func TestPageActionsNeedTheSessionAndTheOrigin(t *testing.T) {
	e := emulatortest.New(t, &emulator.Options{})
	hc := newJarClient(t)
	req := `{"hub": "chat", "userId": "tess", "roles": ["webpubsub.joinLeaveGroup"], "groups": ["room"]}`

	status, _ := post(t, hc, e.Emulator, "/trace/client", e.URL(), req)
	assert.Equal(t, http.StatusUnauthorized, status, "not signed in")
	bearerOnly, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.URL()+"/trace/client", strings.NewReader(req))
	require.NoError(t, err)
	bearerOnly.Header.Set("Origin", e.URL())
	bearerOnly.Header.Set("Authorization", "Bearer "+signToken(t, e.AccessKey(), e.URL()+"/trace"))
	resp, err := http.DefaultClient.Do(bearerOnly)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "actions need the page's cookie")

	code, _ := strings.CutPrefix(strings.SplitN(e.Trace().SignInURL(e.URL()), "#", 2)[1], "code=")
	status, _ = post(t, hc, e.Emulator, "/trace/signin", e.URL(), code)
	require.Equal(t, http.StatusNoContent, status)
	for _, origin := range []string{"", "http://evil.example", "null"} {
		status, _ = post(t, hc, e.Emulator, "/trace/client", origin, req)
		assert.Equal(t, http.StatusForbidden, status, "origin %q", origin)
	}

	status, body := post(t, hc, e.Emulator, "/trace/client", e.URL(), req)
	require.Equal(t, http.StatusOK, status, body)
	var got struct{ URL string }
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	assert.True(t, strings.HasPrefix(got.URL, strings.Replace(e.URL(), "http", "ws", 1)+"/client/hubs/chat?access_token="), got.URL)
	ws := dial(t, got.URL, protocol.JSON)
	cm := read(t, ws).(protocol.ConnectedMessage)
	assert.Equal(t, "tess", cm.UserID)

	status, body = post(t, hc, e.Emulator, "/trace/send", e.URL(), `{"hub": "chat", "group": "room", "contentType": "application/json", "data": "{\"n\": 1}"}`)
	require.Equal(t, http.StatusAccepted, status, body)
	m := read(t, ws).(protocol.GroupDataMessage) // a REST send to a group is a group message
	assert.Equal(t, "room", m.Group)
	assert.Equal(t, protocol.DataTypeJSON, m.Data.Type)
	assert.JSONEq(t, `{"n": 1}`, string(m.Data.Data), "the token's group was joined and the send reached it")
	status, body = post(t, hc, e.Emulator, "/trace/send", e.URL(), `{"hub": "chat", "connectionId": "`+cm.ConnectionID+`", "contentType": "text/plain", "data": "just you"}`)
	require.Equal(t, http.StatusAccepted, status, body)
	assert.Equal(t, "just you", string(read(t, ws).(protocol.ServerDataMessage).Data.Data))

	for _, tc := range []struct{ body, want string }{
		{`{"hub": "1chat"}`, "invalid hub name"},
		{`{"hub": "chat", "groups": [" "]}`, "invalid group name"},
		{`not json`, "invalid request"},
	} {
		status, body = post(t, hc, e.Emulator, "/trace/client", e.URL(), tc.body)
		assert.Equal(t, http.StatusBadRequest, status, tc.body)
		assert.Contains(t, body, tc.want, tc.body)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"hub": "chat", "contentType": "application/json", "data": "{oops"}`, "not valid JSON"},
		{`{"hub": "chat", "contentType": "image/png", "data": "x"}`, "use text/plain or application/json"},
		{`{"hub": "chat", "group": "g", "userId": "u", "contentType": "text/plain", "data": "x"}`, "at most one"},
		{`{"hub": "chat", "contentType": "text/plain", "data": "` + strings.Repeat("x", trace.MaxSendBytes+1) + `"}`, "larger than"},
	} {
		status, body = post(t, hc, e.Emulator, "/trace/send", e.URL(), tc.body)
		assert.Equal(t, http.StatusBadRequest, status, tc.want)
		assert.Contains(t, body, tc.want)
	}
}

// TestPageActionsAreOffWithoutCallbacks: a handler without the callbacks
// says so and the page learns it from GET /trace/session.
func TestPageActionsAreOffWithoutCallbacks(t *testing.T) {
	r := trace.New(trace.Options{})
	srv := newServer(t, r.Handler(trace.HandlerOptions{}))
	hc := newJarClient(t)
	code, _ := strings.CutPrefix(strings.SplitN(r.SignInURL(srv), "#", 2)[1], "code=")
	req, _ := http.NewRequest(http.MethodPost, srv+"/trace/signin", strings.NewReader(code))
	req.Header.Set("Origin", srv)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode, "the link signs in without Verify")
	resp, err = hc.Get(srv + "/trace/session")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.JSONEq(t, `{"testClient": false, "send": false}`, string(b))
	req, _ = http.NewRequest(http.MethodPost, srv+"/trace/send", strings.NewReader(`{"hub": "h", "contentType": "text/plain", "data": "x"}`))
	req.Header.Set("Origin", srv)
	resp, err = hc.Do(req)
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotImplemented, resp.StatusCode)
	assert.Contains(t, string(b), "does not offer sending")
}

// TestStreamNeverCarriesKeysOrTokens: ids a client chooses (a stream id,
// an invocation id, an event name) that hold the access key or a token
// reach the page's stream redacted (#21 item 6).
func TestStreamNeverCarriesKeysOrTokens(t *testing.T) {
	const key = "dHJhY2Uta2V5LXRyYWNlLWtleS10cmFjZS1rZXk="
	e := emulatortest.New(t, &emulator.Options{AccessKey: key})
	status, hc := signIn(t, e, signToken(t, key, e.URL()+"/trace"))
	require.Equal(t, http.StatusNoContent, status)
	s := openStream(t, hc, e.URL()+"/trace/stream")
	jwt := signToken(t, key, "x")
	cu := clientURL(t, e, "chat", "ann", []string{"webpubsub.sendToGroup"}, []string{"room"})
	ws := dial(t, cu, protocol.JSONReliable)
	read(t, ws)

	write(t, ws, protocol.SendToGroupMessage{Group: "room", Stream: &protocol.StreamOpen{StreamID: "s-" + key}})
	write(t, ws, protocol.StreamDataMessage{StreamID: "s-" + key, StreamSequenceID: 1, Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("x")}})
	s.waitUpdate(t, "the fragment", func(u trace.Update) bool { return u.Event.Stream != "" })
	write(t, ws, protocol.InvokeMessage{InvocationID: jwt, Target: protocol.InvokeTargetEvent, Event: "e-" + jwt, Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("q")}})
	write(t, ws, protocol.EventMessage{Event: "ev-" + key, Data: protocol.Payload{Type: protocol.DataTypeText, Data: []byte("token=" + jwt)}})
	s.waitUpdate(t, "the user event", func(u trace.Update) bool { return u.Event.Kind == trace.KindUserEvent })

	all := s.text()
	assert.Contains(t, all, trace.Redacted)
	for _, secret := range []string{key, jwt, jwt[:24], strings.Split(cu, "access_token=")[1]} {
		assert.NotContains(t, all, secret)
	}
}
