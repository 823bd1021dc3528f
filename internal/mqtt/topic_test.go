package mqtt

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckTopicFilter(t *testing.T) {
	for _, tc := range []struct {
		filter string
		kind   FilterKind
		code   ReasonCode // 0: granted
	}{
		{"g", FilterGroup, 0},
		{"a/b/c", FilterGroup, 0},
		{strings.Repeat("é", 1024), FilterGroup, 0},
		{"$webpubsub/server/messages", FilterReserved, 0},
		{"$webpubsub/server/events/echo/succeeded", FilterReserved, 0},
		{"a/#", 0, WildcardSubscriptionsNotSupported},
		{"+", 0, WildcardSubscriptionsNotSupported},
		{"a/+/b", 0, WildcardSubscriptionsNotSupported},
		{"#", 0, WildcardSubscriptionsNotSupported},
		{"$share/g/a", 0, SharedSubscriptionsNotSupported},
		{"$share/g/#", 0, SharedSubscriptionsNotSupported},
		{"", 0, TopicFilterInvalid},
		{" \t", 0, TopicFilterInvalid},
		{"a\nb", 0, TopicFilterInvalid},
		{strings.Repeat("é", 1025), 0, TopicFilterInvalid},
	} {
		kind, r := CheckTopicFilter(tc.filter)
		if tc.code == 0 {
			require.Nil(t, r, "%q", tc.filter)
			assert.Equal(t, tc.kind, kind, "%q", tc.filter)
			continue
		}
		require.NotNil(t, r, "%q", tc.filter)
		assert.Equal(t, tc.code, r.Code, "%q", tc.filter)
		assert.Equal(t, SubackFailure, SubackCode(V311, r.Code), "3.1.1 has one failure code")
		assert.Equal(t, tc.code, SubackCode(V5, r.Code))
	}
	assert.Equal(t, GrantedQoS1, SubackCode(V311, GrantedQoS1))
}

func TestCheckPublish(t *testing.T) {
	for _, tc := range []struct {
		name       string
		v          Version
		p          Publish
		kind       TopicKind
		event      string
		code       ReasonCode
		disconnect bool
	}{
		{"group", V5, Publish{Topic: "g"}, TopicGroup, "", 0, false},
		{"event", V311, Publish{Topic: "$webpubsub/server/events/echo", QoS: QoS1, PacketID: 1}, TopicEvent, "echo", 0, false},
		{"event with slash", V5, Publish{Topic: "$webpubsub/server/events/a/b", QoS: QoS1, PacketID: 1}, 0, "", TopicNameInvalid, false},
		{"event without name at QoS 0", V5, Publish{Topic: "$webpubsub/server/events/"}, 0, "", TopicNameInvalid, true},
		{"server messages topic", V5, Publish{Topic: "$webpubsub/server/messages", QoS: QoS2, PacketID: 1}, 0, "", TopicNameInvalid, false},
		{"retain", V311, Publish{Topic: "g", Retain: true, QoS: QoS1, PacketID: 1}, 0, "", RetainNotSupported, true},
		{"topic alias", V5, Publish{Properties: Properties{TopicAlias: 1}}, 0, "", TopicAliasInvalid, true},
		{"subscription id", V5, Publish{Topic: "g", Properties: Properties{SubscriptionIdentifiers: []uint32{1}}}, 0, "", ProtocolError, true},
		{"not UTF-8 as said", V5, Publish{Topic: "g", QoS: QoS1, PacketID: 1, Payload: []byte{0xff}, Properties: Properties{PayloadFormatIndicator: 1}}, 0, "", PayloadFormatInvalid, false},
		{"blank topic QoS 0", V311, Publish{Topic: " "}, 0, "", TopicNameInvalid, true},
		{"long topic QoS 1", V5, Publish{Topic: strings.Repeat("x", 1025), QoS: QoS1, PacketID: 1}, 0, "", TopicNameInvalid, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind, event, r := CheckPublish(tc.v, &tc.p)
			if tc.code == 0 {
				require.Nil(t, r)
				assert.Equal(t, tc.kind, kind)
				assert.Equal(t, tc.event, event)
				return
			}
			require.NotNil(t, r)
			assert.Equal(t, tc.code, r.Code)
			assert.Equal(t, tc.disconnect, r.Disconnect)
			if !r.Disconnect {
				assert.True(t, ValidCode(PUBACK, V5, r.Code), "an ack code must be one PUBACK carries")
			} else {
				assert.True(t, ValidCode(DISCONNECT, V5, r.Code), "a DISCONNECT code must be one DISCONNECT carries")
			}
		})
	}
}

func TestEventTopics(t *testing.T) {
	assert.Equal(t, "$webpubsub/server/events/echo/succeeded", EventAnswerTopic("echo", true))
	assert.Equal(t, "$webpubsub/server/events/echo/failed", EventAnswerTopic("echo", false))
	_, ok := EventTopic("$webpubsub/server/events/echo/succeeded")
	assert.False(t, ok, "an answer topic is not an event")
}
