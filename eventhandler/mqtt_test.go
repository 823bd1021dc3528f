package eventhandler

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// mqttHeaders mark an event as one about an MQTT client, as the service
// sends it.
var mqttHeaders = map[string]string{
	"ce-subprotocol":          "mqtt",
	"ce-physicalConnectionId": "phys-1",
	"ce-sessionId":            "sess-1",
}

func TestGroupJoinedAndLeft(t *testing.T) {
	var joined *GroupJoinedRequest
	var left *GroupLeftRequest
	h, err := New(testHub, &Options{
		AccessKeys:    []string{testKey},
		OnGroupJoined: func(_ context.Context, req *GroupJoinedRequest) { joined = req },
		OnGroupLeft:   func(_ context.Context, req *GroupLeftRequest) { left = req },
	})
	require.NoError(t, err)
	srv := newServer(t, h)

	resp := send(t, srv, testPath, event{ceType: "azure.webpubsub.gp.joined", userID: "ann", contentType: "application/json; charset=utf-8", body: []byte(`{"group":"g1"}`), headers: map[string]string{"ce-eventName": "joined"}})
	assert.Empty(t, readBody(t, resp))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotNil(t, joined)
	assert.Equal(t, "g1", joined.Group)
	assert.Equal(t, ConnectionContext{Hub: testHub, ConnectionID: testConnID, EventName: "joined", Origin: testOrigin, UserID: "ann", ClientProtocol: ClientProtocolDefault, State: map[string]any{}}, joined.Context)

	resp = send(t, srv, testPath, event{ceType: "azure.webpubsub.gp.left", contentType: "application/json", body: []byte(`{"group":"g2"}`), headers: mqttHeaders})
	readBody(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotNil(t, left)
	assert.Equal(t, "g2", left.Group)
	assert.Equal(t, "left", left.Context.EventName, "the event name without ce-eventName")
	assert.Equal(t, ClientProtocolMQTT, left.Context.ClientProtocol)

	resp = send(t, srv, testPath, event{ceType: "azure.webpubsub.gp.joined", body: []byte(`[`)})
	assert.Contains(t, readBody(t, resp), "not a JSON object")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	// Without callbacks the events are answered 200, as by express.
	bare, err := New(testHub, &Options{AccessKeys: []string{testKey}})
	require.NoError(t, err)
	resp = send(t, newServer(t, bare), testPath, event{ceType: "azure.webpubsub.gp.left", body: []byte(`{"group":"g"}`)})
	readBody(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestMQTTConnectionContext(t *testing.T) {
	var got []ConnectionContext
	h, err := New(testHub, &Options{
		AccessKeys:  []string{testKey},
		OnConnected: func(_ context.Context, req *ConnectedRequest) { got = append(got, req.Context) },
	})
	require.NoError(t, err)
	srv := newServer(t, h)
	cases := []struct {
		headers map[string]string
		want    ClientProtocol
		mqtt    *MQTTConnectionProperties
	}{
		{mqttHeaders, ClientProtocolMQTT, &MQTTConnectionProperties{PhysicalConnectionID: "phys-1", SessionID: "sess-1"}},
		{map[string]string{"ce-subprotocol": "MQTT.v5", "ce-physicalConnectionId": "p2"}, ClientProtocolMQTT, &MQTTConnectionProperties{PhysicalConnectionID: "p2"}},
		{map[string]string{"ce-subprotocol": "mqtt"}, ClientProtocolDefault, nil},
		{map[string]string{"ce-subprotocol": protocol.JSON, "ce-physicalConnectionId": "p3"}, ClientProtocolDefault, nil},
		{nil, ClientProtocolDefault, nil},
	}
	for _, tc := range cases {
		resp := send(t, srv, testPath, event{ceType: protocol.EventTypeConnected, body: []byte(`{}`), headers: tc.headers})
		readBody(t, resp)
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	require.Len(t, got, len(cases))
	for i, tc := range cases {
		assert.Equal(t, tc.want, got[i].ClientProtocol, "case %d", i)
		assert.Equal(t, tc.mqtt, got[i].MQTT, "case %d", i)
	}
}

func TestMQTTConnectPropertiesAndAnswer(t *testing.T) {
	var req *ConnectRequest
	h, err := New(testHub, &Options{
		AccessKeys: []string{testKey},
		OnConnect: func(_ context.Context, r *ConnectRequest, resp *ConnectResponse) error {
			req = r
			resp.UserID = "device-1"
			resp.MQTT = &MQTTConnectResponseProperties{UserProperties: []MQTTUserProperty{{Name: "welcome", Value: "yes"}}}
			return nil
		},
	})
	require.NoError(t, err)
	srv := newServer(t, h)
	body := `{"claims":{"sub":["device-1"]},"query":{},"headers":{},"subprotocols":["mqtt"],"clientCertificates":[],` +
		`"mqtt":{"protocolVersion":5,"username":"user","password":"secret","userProperties":[{"name":"a","value":"1"},{"name":"a","value":"2"}]}}`
	resp := send(t, srv, testPath, event{ceType: protocol.EventTypeConnect, contentType: "application/json; charset=utf-8", body: []byte(body), headers: mqttHeaders})
	assert.JSONEq(t, `{"userId":"device-1","mqtt":{"userProperties":[{"name":"welcome","value":"yes"}]}}`, readBody(t, resp))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	require.NotNil(t, req)
	assert.Equal(t, &MQTTConnectProperties{ProtocolVersion: 5, Username: "user", Password: "secret", UserProperties: []MQTTUserProperty{{"a", "1"}, {"a", "2"}}}, req.MQTT)
	assert.Equal(t, ClientProtocolMQTT, req.Context.ClientProtocol)
	assert.Equal(t, &MQTTConnectionProperties{PhysicalConnectionID: "phys-1", SessionID: "sess-1"}, req.Context.MQTT)
}

// TestMQTTRefusals covers a refusal of each status class, mapped from the
// code as the express handler maps it.
func TestMQTTRefusals(t *testing.T) {
	cases := []struct {
		name       string
		err        error
		version    int
		wantStatus int
		wantBody   string
	}{
		{"3.1.1 identifier rejected", FailMQTT(MQTTV311IdentifierRejected, "bad id"), 4, 400, `{"mqtt":{"code":2,"reason":"bad id"}}`},
		{"3.1.1 unacceptable version", FailMQTT(MQTTV311UnacceptableProtocolVersion, ""), 4, 400, `{"mqtt":{"code":1}}`},
		{"3.1.1 server unavailable", FailMQTT(MQTTV311ServerUnavailable, "later"), 4, 503, `{"mqtt":{"code":3,"reason":"later"}}`},
		{"3.1.1 bad user name or password", FailMQTT(MQTTV311BadUsernameOrPassword, "who"), 4, 401, `{"mqtt":{"code":4,"reason":"who"}}`},
		{"3.1.1 not authorized", FailMQTT(MQTTV311NotAuthorized, "no"), 4, 401, `{"mqtt":{"code":5,"reason":"no"}}`},
		{"3.1.1 unknown code", &MQTTConnectError{Code: 7}, 4, 500, `{"mqtt":{"code":7}}`},
		{"5.0 not authorized", FailMQTT(MQTTV500NotAuthorized, "no"), 5, 401, `{"mqtt":{"code":135,"reason":"no"}}`},
		{"5.0 bad user name or password", FailMQTT(MQTTV500BadUserNameOrPassword, ""), 5, 401, `{"mqtt":{"code":134}}`},
		{"5.0 malformed packet", FailMQTT(MQTTV500MalformedPacket, "m"), 5, 400, `{"mqtt":{"code":129,"reason":"m"}}`},
		{"5.0 QoS not supported", FailMQTT(MQTTV500QoSNotSupported, ""), 5, 400, `{"mqtt":{"code":155}}`},
		{"5.0 quota exceeded", FailMQTT(MQTTV500QuotaExceeded, "q"), 5, 429, `{"mqtt":{"code":151,"reason":"q"}}`},
		{"5.0 connection rate exceeded", FailMQTT(MQTTV500ConnectionRateExceeded, ""), 5, 429, `{"mqtt":{"code":159}}`},
		{"5.0 banned", FailMQTT(MQTTV500Banned, "go away"), 5, 403, `{"mqtt":{"code":138,"reason":"go away"}}`},
		{"5.0 server busy", FailMQTT(MQTTV500ServerBusy, ""), 5, 500, `{"mqtt":{"code":137}}`},
		{"5.0 unspecified", FailMQTT(MQTTV500UnspecifiedError, ""), 5, 500, `{"mqtt":{"code":128}}`},
		{"5.0 unknown code", &MQTTConnectError{Code: 200}, 5, 500, `{"mqtt":{"code":200}}`},
		{"user properties", &MQTTConnectError{Code: 135, Reason: "r", UserProperties: []MQTTUserProperty{{"k", "v"}}}, 5, 401, `{"mqtt":{"code":135,"reason":"r","userProperties":[{"name":"k","value":"v"}]}}`},
		// An HTTP refusal of an MQTT client is translated to an MQTT code.
		{"Fail 400 on 3.1.1", Fail(400, "bad"), 4, 400, `{"mqtt":{"code":4,"reason":"bad"}}`},
		{"Fail 401 on 3.1.1", Fail(401, "no"), 4, 401, `{"mqtt":{"code":5,"reason":"no"}}`},
		{"Fail 500 on 3.1.1", Fail(500, "oops"), 4, 500, `{"mqtt":{"code":3,"reason":"oops"}}`},
		{"Fail 403 on 3.1.1", Fail(403, "x"), 4, 403, `{"mqtt":{"code":3,"reason":"x"}}`},
		{"Fail 400 on 5.0", Fail(400, "bad"), 5, 400, `{"mqtt":{"code":134,"reason":"bad"}}`},
		{"Fail 401 on 5.0", Fail(401, "no"), 5, 401, `{"mqtt":{"code":135,"reason":"no"}}`},
		{"Fail 500 on 5.0", Fail(500, ""), 5, 500, `{"mqtt":{"code":128}}`},
		{"Fail on an unknown version", Fail(401, "v"), 3, 401, `{"mqtt":{"code":1,"reason":"v"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := New(testHub, &Options{
				AccessKeys: []string{testKey},
				OnConnect: func(context.Context, *ConnectRequest, *ConnectResponse) error {
					return tc.err
				},
			})
			require.NoError(t, err)
			body := `{"mqtt":{"protocolVersion":` + string(rune('0'+tc.version)) + `}}`
			resp := send(t, newServer(t, h), testPath, event{ceType: protocol.EventTypeConnect, body: []byte(body), headers: mqttHeaders})
			assert.JSONEq(t, tc.wantBody, readBody(t, resp))
			assert.Equal(t, tc.wantStatus, resp.StatusCode)
			assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
		})
	}

	t.Run("an MQTT error refusing a WebSocket client keeps its shape", func(t *testing.T) {
		h, err := New(testHub, &Options{
			AccessKeys: []string{testKey},
			OnConnect: func(context.Context, *ConnectRequest, *ConnectResponse) error {
				return FailMQTT(MQTTV500Banned, "b")
			},
		})
		require.NoError(t, err)
		resp := send(t, newServer(t, h), testPath, event{ceType: protocol.EventTypeConnect, body: []byte(`{}`)})
		assert.JSONEq(t, `{"mqtt":{"code":138,"reason":"b"}}`, readBody(t, resp))
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	})
}

func TestMQTTDisconnected(t *testing.T) {
	var got *DisconnectedRequest
	h, err := New(testHub, &Options{
		AccessKeys:     []string{testKey},
		OnDisconnected: func(_ context.Context, req *DisconnectedRequest) { got = req },
	})
	require.NoError(t, err)
	body := `{"reason":"session taken over","mqtt":{"disconnectPacket":{"code":142,"userProperties":[{"name":"n","value":"v"}]},"initiatedByClient":false}}`
	resp := send(t, newServer(t, h), testPath, event{ceType: protocol.EventTypeDisconnected, contentType: "application/json", body: []byte(body), headers: mqttHeaders})
	readBody(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotNil(t, got)
	assert.Equal(t, "session taken over", got.Reason)
	assert.Equal(t, &MQTTDisconnectedProperties{
		DisconnectPacket:  MQTTDisconnectPacket{Code: MQTTDisconnectSessionTakenOver, UserProperties: []MQTTUserProperty{{"n", "v"}}},
		InitiatedByClient: false,
	}, got.MQTT)
	assert.Equal(t, ClientProtocolMQTT, got.Context.ClientProtocol)
}
