package mqtt

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSessionExpiry(t *testing.T) {
	for _, tc := range []struct {
		c    Connect
		want time.Duration
	}{
		{Connect{Version: V5}, 0},
		{Connect{Version: V5, Properties: Properties{SessionExpiryInterval: 10}}, 10 * time.Second},
		{Connect{Version: V5, Properties: Properties{SessionExpiryInterval: 0xFFFFFFFF}}, 30 * time.Second},
		{Connect{Version: V5, CleanStart: false}, 0},
		{Connect{Version: V311, CleanStart: true}, 0},
		{Connect{Version: V311, CleanStart: false}, 30 * time.Second},
	} {
		assert.Equal(t, tc.want, SessionExpiry(&tc.c), "%+v", tc.c)
	}
}

func TestDisconnectExpiry(t *testing.T) {
	got, r := DisconnectExpiry(10, 10*time.Second, &Disconnect{})
	require.Nil(t, r)
	assert.Equal(t, 10*time.Second, got, "absent: the CONNECT's value")
	got, r = DisconnectExpiry(10, 10*time.Second, &Disconnect{Properties: Properties{SessionExpiryInterval: 3600}})
	require.Nil(t, r)
	assert.Equal(t, 30*time.Second, got)
	_, r = DisconnectExpiry(0, 0, &Disconnect{Properties: Properties{SessionExpiryInterval: 5}})
	require.NotNil(t, r)
	assert.Equal(t, ProtocolError, r.Code)
}

func TestExpiryLeft(t *testing.T) {
	t0 := time.Unix(1000, 0)
	left, expired := ExpiryLeft(nil, t0, t0.Add(time.Hour))
	assert.Nil(t, left)
	assert.False(t, expired, "no interval: never expires")
	left, expired = ExpiryLeft(ptr[uint32](10), t0, t0.Add(3*time.Second))
	assert.Equal(t, ptr[uint32](7), left)
	assert.False(t, expired)
	left, _ = ExpiryLeft(ptr[uint32](10), t0, t0.Add(9600*time.Millisecond))
	assert.Equal(t, ptr[uint32](1), left, "rounded up")
	_, expired = ExpiryLeft(ptr[uint32](10), t0, t0.Add(10*time.Second))
	assert.True(t, expired)
	_, expired = ExpiryLeft(ptr[uint32](0), t0, t0)
	assert.True(t, expired, "an interval of 0 has expired on arrival")
}

func TestWillRules(t *testing.T) {
	assert.True(t, WillOnClose(nil), "a drop publishes the will")
	assert.False(t, WillOnClose(&Disconnect{}), "a normal DISCONNECT deletes it")
	assert.True(t, WillOnClose(&Disconnect{ReasonCode: DisconnectWithWillMessage}))
	assert.True(t, WillOnClose(&Disconnect{ReasonCode: UnspecifiedError}))

	c := &Connect{Version: V5, Will: &Will{Topic: "w", Properties: Properties{WillDelayInterval: 5}}}
	assert.Equal(t, 5*time.Second, WillDelay(c, 30*time.Second))
	assert.Equal(t, 2*time.Second, WillDelay(c, 2*time.Second), "the session ending first publishes it")
	assert.Zero(t, WillDelay(&Connect{Version: V5}, 30*time.Second))

	r := CheckWill(&Will{Topic: "w", Payload: []byte{0xff}, Properties: Properties{PayloadFormatIndicator: 1}})
	require.NotNil(t, r)
	assert.Equal(t, PayloadFormatInvalid, r.Code)
	require.Nil(t, CheckWill(&Will{Topic: "w", Payload: make([]byte, MaxWillPayload)}))

	w := &Will{QoS: QoS1, Topic: "w", Payload: []byte("bye"), Properties: Properties{WillDelayInterval: 5,
		ContentType: "text/plain", CorrelationData: []byte{1}, User: []UserProperty{{"k", "v"}}}}
	p := WillPublish(w)
	assert.Equal(t, &Publish{QoS: QoS1, Topic: "w", Payload: []byte("bye"), Properties: Properties{
		ContentType: "text/plain", CorrelationData: []byte{1}, User: []UserProperty{{"k", "v"}}}}, p,
		"the will delay is no PUBLISH property")
	p.PacketID = 1
	_, err := Encode(nil, p, V5)
	require.NoError(t, err)
}
