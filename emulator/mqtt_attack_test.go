package emulator_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
)

// The attack run of issue #24: hostile MQTT input leaves the emulator's
// memory bounded. Each test sends what no client should and checks the
// bound that stops it.

// heapInUse returns the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func mqttSessionExists(t *testing.T, e *emulator.Emulator, hub, id string) bool {
	sc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), hub, nil)
	require.NoError(t, err)
	r, err := sc.ConnectionExists(context.Background(), id, nil)
	require.NoError(t, err)
	return r.Exists
}

// A packet declaring more than the maximum packet size (1 MiB) is refused
// from its header (DISCONNECT 0x95 on 5.0): nothing of its size is
// allocated.
func TestMQTTAttackOversizedPacket(t *testing.T) {
	e := start(t, emulator.Options{})
	before := heapInUse()
	for _, v := range []mqtt.Version{mqtt.V311, mqtt.V5} {
		c := connectMQTT(t, mqttURL(t, e, "h", "webpubsub.sendToGroup"), "big"+v.String()[:1], v, 60)
		// PUBLISH, remaining length 268,435,455 (the most four bytes encode).
		c.sendRaw([]byte{0x30, 0xff, 0xff, 0xff, 0x7f, 0, 1, 'g'})
		d, closed := c.closedWithin(10 * time.Second)
		assert.True(t, closed, "%s: closed", v)
		if v == mqtt.V5 {
			require.NotNil(t, d)
			assert.Equal(t, mqtt.PacketTooLarge, d.ReasonCode)
		}
	}
	assert.Less(t, heapInUse(), before+32<<20, "the declared 256 MiB were never allocated")
}

// 10^5 subscriptions from one client: the first 1,000 (the groups per
// connection) are granted, the others refused with 0x97.
func TestMQTTAttackManySubscriptions(t *testing.T) {
	e := start(t, emulator.Options{})
	c := connectMQTT(t, mqttURL(t, e, "h", "webpubsub.joinLeaveGroup"), "subs", mqtt.V5, 60)
	before := heapInUse()
	granted, quota := 0, 0
	for p := range 100 {
		sub := &mqtt.Subscribe{PacketID: uint16(p + 1)}
		for i := range 1000 {
			sub.Subscriptions = append(sub.Subscriptions, mqtt.Subscription{Filter: fmt.Sprintf("g%d", p*1000+i)})
		}
		c.send(sub)
		ack, ok := c.read().(*mqtt.Suback)
		require.True(t, ok)
		for _, code := range ack.ReasonCodes {
			switch code {
			case mqtt.GrantedQoS0:
				granted++
			case mqtt.QuotaExceeded:
				quota++
			}
		}
	}
	assert.Equal(t, 1000, granted)
	assert.Equal(t, 99000, quota)
	assert.Less(t, heapInUse(), before+64<<20)
}

// A subscriber at QoS 1 or 2 that reads nothing: its session holds at most
// the in-flight window and Limits.MaxUnackedMessages waiting messages,
// then ends (0x97).
func TestMQTTAttackSlowReaders(t *testing.T) {
	for _, qos := range []mqtt.QoS{mqtt.QoS1, mqtt.QoS2} {
		t.Run(fmt.Sprintf("QoS%d", qos), func(t *testing.T) {
			e := start(t, emulator.Options{})
			url := mqttURL(t, e, "h", "webpubsub.joinLeaveGroup", "webpubsub.sendToGroup")
			slow := connectMQTT(t, url, "slow", mqtt.V5, 60)
			slow.send(&mqtt.Subscribe{PacketID: 1, Subscriptions: []mqtt.Subscription{{Filter: "flood", QoS: qos}}})
			_, ok := slow.read().(*mqtt.Suback)
			require.True(t, ok)
			// From here on slow reads nothing and acknowledges nothing.
			before := heapInUse()
			pub := connectMQTT(t, url, "pub", mqtt.V5, 60)
			payload := make([]byte, 1024)
			for i := range 3000 {
				pub.send(&mqtt.Publish{QoS: mqtt.QoS1, PacketID: uint16(i%60000 + 1), Topic: "flood", Payload: payload})
				if _, ok := pub.read().(*mqtt.Ack); !ok {
					t.Fatal("PUBACK expected")
				}
			}
			require.Eventually(t, func() bool { return !mqttSessionExists(t, e, "h", "slow") }, 30*time.Second, 10*time.Millisecond, "the slow session ends")
			assert.True(t, mqttSessionExists(t, e, "h", "pub"))
			assert.Less(t, heapInUse(), before+64<<20)
		})
	}
}

// Sockets that never send a CONNECT, and clients silent past their keep
// alive, are closed.
func TestMQTTAttackHalfOpenSockets(t *testing.T) {
	defer emulator.SetMQTTConnectTimeout(300 * time.Millisecond)()
	e := start(t, emulator.Options{})
	url := mqttURL(t, e, "h")
	var idle []*rawMQTT
	for range 50 {
		idle = append(idle, dialMQTT(t, url))
	}
	for i, c := range idle {
		_, closed := c.closedWithin(10 * time.Second)
		assert.True(t, closed, "socket %d without CONNECT", i)
	}
	silent := connectMQTT(t, url, "silent", mqtt.V5, 1)
	d, closed := silent.closedWithin(10 * time.Second)
	require.True(t, closed, "a keep alive of 1 s closes after 1.5 s of silence")
	require.NotNil(t, d)
	assert.Equal(t, mqtt.KeepAliveTimeout, d.ReasonCode)
}
