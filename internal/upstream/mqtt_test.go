package upstream_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
	"github.com/webpubsub-go/webpubsub/internal/upstream"
)

func mqttConnect(physical string) upstream.ConnectRequest {
	return upstream.ConnectRequest{
		Hub: "chat", ConnectionID: "c1", UserID: "ann", Subprotocol: "mqtt", Subprotocols: []string{"mqtt"},
		MQTT: &upstream.MQTTConnection{PhysicalConnectionID: physical, SessionID: "s1", Connect: protocol.MQTTConnectProperties{
			ProtocolVersion: 5, CleanStart: true, Username: "u", Password: "cGFzcw==",
			UserProperties: []protocol.MQTTUserProperty{{Name: "a", Value: "1"}},
		}},
	}
}

// The headers and bodies of an MQTT client's events, as the reference and
// the express package read them.
func TestMQTTEventsWireFormat(t *testing.T) {
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get(protocol.HeaderType) {
		case protocol.EventTypeConnect:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"mqtt":{"userProperties":[{"name":"k","value":"v"}]}}`)
		case protocol.EventTypeUserPrefix + "echo":
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Add("mqtt-B", "2")
			w.Header().Add("MQTT-a", "1")
			w.Header().Set("X-Other", "x")
			_, _ = io.WriteString(w, "pong")
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL + "/{event}")}})
	s, res, err := inv.Connect(context.Background(), mqttConnect("p1"))
	require.NoError(t, err)
	require.NotNil(t, res.MQTT)
	assert.Equal(t, []protocol.MQTTUserProperty{{Name: "k", Value: "v"}}, res.MQTT.UserProperties)

	ans, err := s.MQTTUserEvent(context.Background(), "echo", upstream.MQTTEvent{
		Body: []byte("ping"), UserProperties: []protocol.MQTTUserProperty{{Name: "x", Value: "1"}, {Name: "x", Value: "2"}, {Name: "bad name", Value: "v"}, {Name: "ctl", Value: "a\nb"}},
	})
	require.NoError(t, err)
	assert.Equal(t, &upstream.MQTTAnswer{Status: 200, ContentType: "text/plain", Body: []byte("pong"),
		UserProperties: []protocol.MQTTUserProperty{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}}}, ans)
	s.Connected()
	s.SetMQTTDisconnect(true, &protocol.MQTTDisconnectPacket{Code: 4, UserProperties: []protocol.MQTTUserProperty{{Name: "why", Value: "bye"}}})
	s.Disconnected("the client closed the connection")
	require.Eventually(t, func() bool { return len(rec.requests()) == 5 }, 10*time.Second, time.Millisecond)

	reqs := rec.requests()
	connect, user, connected, disconnected := reqs[1], reqs[2], reqs[3], reqs[4]
	for _, r := range reqs[1:] {
		assert.Equal(t, "mqtt", r.header.Get(protocol.HeaderSubprotocol), "%s: ce-subprotocol on every event", r.path)
		assert.Equal(t, "p1", r.header.Get(protocol.HeaderPhysicalConnectionID), r.path)
		assert.Equal(t, "/hubs/chat/client/c1/p1", r.header.Get(protocol.HeaderSource), r.path)
		assert.Equal(t, "1.0", r.header.Get(protocol.HeaderAwpsVersion), r.path)
		assert.Equal(t, "c1", r.header.Get(protocol.HeaderConnectionID), r.path)
	}
	_, hasSession := connect.header[http.CanonicalHeaderKey(protocol.HeaderSessionID)]
	assert.False(t, hasSession, "no ce-sessionId on connect")
	for _, r := range []captured{user, connected, disconnected} {
		assert.Equal(t, "s1", r.header.Get(protocol.HeaderSessionID), r.path)
	}
	assert.JSONEq(t, `{"subprotocols":["mqtt"],"mqtt":{"protocolVersion":5,"cleanStart":true,"username":"u","password":"cGFzcw==","userProperties":[{"name":"a","value":"1"}]}}`, connect.body)
	assert.Equal(t, "application/octet-stream", user.header.Get("Content-Type"), "no content type: octet-stream")
	assert.Equal(t, []string{"1", "2"}, user.header.Values("mqtt-x"), "user properties as mqtt-{name} headers, repeated")
	assert.Empty(t, user.header.Values("mqtt-ctl"), "a value with a line break is left out")
	assert.Len(t, user.header, len(connected.header)+1, "only the valid user properties were added")
	assert.Equal(t, "ping", user.body)
	assert.JSONEq(t, `{}`, connected.body)
	assert.JSONEq(t, `{"reason":"the client closed the connection","mqtt":{"initiatedByClient":true,"disconnectPacket":{"code":4,"userProperties":[{"name":"why","value":"bye"}]}}}`, disconnected.body)
}

func TestMQTTDisconnectedAfterANetworkFailureHasNoPacket(t *testing.T) {
	rec, srv := newRecorder(t, nil)
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL)}})
	s, _, err := inv.Connect(context.Background(), mqttConnect("p1"))
	require.NoError(t, err)
	s.SetMQTTDisconnect(false, nil)
	s.Disconnected("the connection was lost")
	require.Eventually(t, func() bool { return len(rec.requests()) == 3 }, 10*time.Second, time.Millisecond)
	assert.JSONEq(t, `{"reason":"the connection was lost","mqtt":{"initiatedByClient":false,"disconnectPacket":null}}`, rec.requests()[2].body)
}

func TestMQTTConnectRefusalCarriesTheMQTTCode(t *testing.T) {
	for body, want := range map[string]*upstream.MQTTRefusal{
		`{"mqtt":{"code":135,"reason":"no","userProperties":[{"name":"a","value":"b"}]}}`: {Code: 135, HasCode: true, Reason: "no", UserProperties: []protocol.MQTTUserProperty{{Name: "a", Value: "b"}}},
		`{"mqtt":{"reason":"no code"}}`: {Reason: "no code"},
		`denied`:                        {},
	} {
		_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, body)
		})
		inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL)}})
		_, _, err := inv.Connect(context.Background(), mqttConnect("p1"))
		var se *upstream.StatusError
		require.True(t, errors.As(err, &se), "%v", err)
		assert.Equal(t, 401, se.Status)
		assert.Equal(t, want, se.MQTT, body)
	}
}

func TestMQTTUserEventAnswersOfAnyStatusComeBack(t *testing.T) {
	_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(protocol.HeaderType) == protocol.EventTypeConnect {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("mqtt-reason", "bad")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "nope")
	})
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL)}})
	s, _, err := inv.Connect(context.Background(), mqttConnect("p1"))
	require.NoError(t, err)
	ans, err := s.MQTTUserEvent(context.Background(), "e", upstream.MQTTEvent{ContentType: "application/json", Body: []byte(`{}`)})
	require.NoError(t, err)
	assert.Equal(t, 400, ans.Status)
	assert.Equal(t, "nope", string(ans.Body))
	assert.Equal(t, []protocol.MQTTUserProperty{{Name: "reason", Value: "bad"}}, ans.UserProperties)

	noHandler := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{{URLTemplate: srv.URL, SystemEvents: []string{"connect"}}}})
	s2, _, err := noHandler.Connect(context.Background(), mqttConnect("p1"))
	require.NoError(t, err)
	_, err = s2.MQTTUserEvent(context.Background(), "e", upstream.MQTTEvent{})
	assert.ErrorIs(t, err, upstream.ErrNoHandler)
}

// A resumed session's events name the new network connection and carry
// the state the new connect answer set; without one the old state stays.
func TestMQTTSessionResume(t *testing.T) {
	state := "first"
	rec, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(protocol.HeaderType) == protocol.EventTypeConnect && state != "" {
			w.Header().Set(protocol.HeaderConnectionState, state)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	inv := newInvoker(t, upstream.Config{Handlers: []upstream.Handler{allEvents(srv.URL)}})
	s, _, err := inv.Connect(context.Background(), mqttConnect("p1"))
	require.NoError(t, err)
	state = ""
	next, _, err := inv.Connect(context.Background(), mqttConnect("p2"))
	require.NoError(t, err)
	s.Resume(next)
	assert.Equal(t, "first", s.State(), "the second answer set no state")
	state = "second"
	third, _, err := inv.Connect(context.Background(), mqttConnect("p3"))
	require.NoError(t, err)
	s.Resume(third)
	assert.Equal(t, "second", s.State())
	_, err = s.MQTTUserEvent(context.Background(), "e", upstream.MQTTEvent{})
	require.NoError(t, err)
	reqs := rec.requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, "p3", last.header.Get(protocol.HeaderPhysicalConnectionID))
	assert.Equal(t, "/hubs/chat/client/c1/p3", last.header.Get(protocol.HeaderSource))
	assert.Equal(t, "s1", last.header.Get(protocol.HeaderSessionID))
}
