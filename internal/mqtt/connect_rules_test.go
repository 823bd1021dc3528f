package mqtt

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAcceptConnectRefusals(t *testing.T) {
	will := func(w Will) *Will { return &w }
	for _, tc := range []struct {
		name   string
		c      Connect
		code   ReasonCode
		v3Code ReasonCode // 0xFF: 3.1.1 closes without CONNACK
		msg    string
	}{
		{"id with underscore", Connect{ClientID: "a_b", KeepAlive: 60}, ClientIdentifierNotValid, 2, "other than a letter or digit"},
		{"id of 129 chars", Connect{ClientID: strings.Repeat("a", 129), KeepAlive: 60}, ClientIdentifierNotValid, 2, "longer than 128"},
		{"mqtt.js default id", Connect{ClientID: "mqttjs_0a1b2c3d", KeepAlive: 60}, ClientIdentifierNotValid, 2, "letter or digit"},
		{"keep alive 0 on 3.1.1", Connect{ClientID: "c1", KeepAlive: 0}, ProtocolError, 0xFF, "keep alive 0 s"},
		{"keep alive 181 on 3.1.1", Connect{ClientID: "c1", KeepAlive: 181}, ProtocolError, 0xFF, "keep alive 181 s"},
		{"will topic blank", Connect{ClientID: "c1", KeepAlive: 60, Will: will(Will{Topic: "  "})}, TopicNameInvalid, 0xFF, "will topic: must not be blank"},
		{"will topic 1025 chars", Connect{ClientID: "c1", KeepAlive: 60, Will: will(Will{Topic: strings.Repeat("é", 1025)})}, TopicNameInvalid, 0xFF, "1025 characters"},
		{"will payload 2001 bytes", Connect{ClientID: "c1", KeepAlive: 60, Will: will(Will{Topic: "w", Payload: make([]byte, 2001)})}, PacketTooLarge, 0xFF, "2001 bytes, more than 2000"},
		{"retained will", Connect{ClientID: "c1", KeepAlive: 60, Will: will(Will{Topic: "w", Retain: true})}, RetainNotSupported, 0xFF, "retained"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []Version{V311, V5} {
				if v == V5 && tc.code == ProtocolError {
					continue // keep alive is not refused on 5.0
				}
				c := tc.c
				c.Version = v
				a, r := AcceptConnect(&c, nil)
				require.Nil(t, a)
				require.NotNil(t, r, "%s", v)
				assert.Equal(t, tc.code, r.Code)
				assert.Contains(t, r.Msg, tc.msg)
				ack := r.Connack(v)
				switch {
				case v == V5:
					require.NotNil(t, ack)
					assert.Equal(t, tc.code, ack.ReasonCode)
				case tc.v3Code == 0xFF:
					assert.Nil(t, ack, "3.1.1 has no return code: close")
				default:
					require.NotNil(t, ack)
					assert.Equal(t, tc.v3Code, ack.ReasonCode)
				}
			}
		})
	}
}

func TestAcceptConnectV5(t *testing.T) {
	c := &Connect{Version: V5, ClientID: "", KeepAlive: 0, CleanStart: true,
		Properties: Properties{SessionExpiryInterval: 3600},
		Will:       &Will{Topic: "w", Payload: make([]byte, MaxWillPayload), Properties: Properties{WillDelayInterval: 60}}}
	a, r := AcceptConnect(c, nil)
	require.Nil(t, r)
	assert.Regexp(t, regexp.MustCompile(`^[0-9A-Za-z]{32}$`), a.ClientID)
	p := a.Connack.Properties
	assert.Equal(t, a.ClientID, p.AssignedClientIdentifier)
	assert.Equal(t, ptr[uint16](MaxKeepAlive), p.ServerKeepAlive, "keep alive 0 becomes 180, announced")
	assert.Equal(t, uint16(MaxKeepAlive), a.KeepAlive)
	assert.Equal(t, uint32(30), p.SessionExpiryInterval, "3600 s is capped at 30 s and said so")
	assert.Equal(t, 30*time.Second, a.SessionExpiry)
	assert.Equal(t, 30*time.Second, a.WillDelay, "the will comes at session end when that is first")
	assert.Equal(t, ptr[byte](0), p.RetainAvailable)
	assert.Equal(t, ptr[byte](0), p.WildcardSubscriptionAvailable)
	assert.Equal(t, ptr[byte](0), p.SharedSubscriptionAvailable)
	assert.Nil(t, p.SubscriptionIdentifierAvailable, "absent: subscription identifiers are supported")
	assert.Zero(t, p.TopicAliasMaximum, "no topic alias may be used")
	assert.Equal(t, uint16(DefaultServerReceiveMaximum), p.ReceiveMaximum)
	assert.Equal(t, uint32(DefaultMaxPacketSize), p.MaximumPacketSize)
	_, err := Encode(nil, a.Connack, V5)
	require.NoError(t, err, "the CONNACK encodes")

	// A session expiry within the cap is not repeated in the CONNACK.
	a, r = AcceptConnect(&Connect{Version: V5, ClientID: "c1", KeepAlive: 60, Properties: Properties{SessionExpiryInterval: 20}},
		&ConnectOptions{NewClientID: func() string { return "unused" }, ReceiveMaximum: 5, MaxPacketSize: 4096})
	require.Nil(t, r)
	assert.Equal(t, "c1", a.ClientID)
	assert.Zero(t, a.Connack.Properties.SessionExpiryInterval)
	assert.Empty(t, a.Connack.Properties.AssignedClientIdentifier)
	assert.Nil(t, a.Connack.Properties.ServerKeepAlive)
	assert.Equal(t, uint16(5), a.Connack.Properties.ReceiveMaximum)
	assert.Equal(t, uint32(4096), a.Connack.Properties.MaximumPacketSize)

	_, r = AcceptConnect(&Connect{Version: V5, ClientID: "c1", KeepAlive: 60, Properties: Properties{AuthenticationMethod: "SCRAM-SHA-1"}}, nil)
	require.NotNil(t, r)
	assert.Equal(t, BadAuthenticationMethod, r.Code)
}

func TestAcceptConnectV311(t *testing.T) {
	a, r := AcceptConnect(&Connect{Version: V311, ClientID: "", CleanStart: true, KeepAlive: 1},
		&ConnectOptions{NewClientID: func() string { return "gen1" }})
	require.Nil(t, r)
	assert.Equal(t, "gen1", a.ClientID, "3.1.1 with clean session: the server assigns an id")
	assert.Zero(t, a.SessionExpiry)
	assert.Equal(t, &Connack{}, a.Connack, "3.1.1 CONNACK has no properties")

	_, r = AcceptConnect(&Connect{Version: V311, ClientID: "", KeepAlive: 60}, nil)
	require.NotNil(t, r)
	assert.Equal(t, ReasonCode(ReturnIdentifierRejected), r.Connack(V311).ReasonCode, "3.1.1 §3.1.3.1: empty id without clean session")

	a, r = AcceptConnect(&Connect{Version: V311, ClientID: strings.Repeat("Z9", 64), KeepAlive: 180,
		Will: &Will{Topic: "w", QoS: QoS2, Properties: Properties{WillDelayInterval: 9}}}, nil)
	require.Nil(t, r)
	assert.Equal(t, MaxSessionExpiry, a.SessionExpiry, "clean session 0: kept 30 s")
	assert.Zero(t, a.WillDelay, "3.1.1 wills have no delay")
}

func TestRefuseVersion(t *testing.T) {
	ack, v := RefuseVersion(3)
	assert.Equal(t, V311, v)
	assert.Equal(t, ReasonCode(1), ack.ReasonCode)
	ack, v = RefuseVersion(6)
	assert.Equal(t, V5, v)
	assert.Equal(t, UnsupportedProtocolVersion, ack.ReasonCode)
	for _, lv := range []Version{3, 6} {
		ack, v := RefuseVersion(lv)
		_, err := Encode(nil, ack, v)
		require.NoError(t, err)
	}
}
