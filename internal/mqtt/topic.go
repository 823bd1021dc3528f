package mqtt

import (
	"strings"

	"github.com/webpubsub-go/webpubsub/internal/names"
)

// Reserved topics of the service (reference-mqtt-cloud-events,
// reference-rest-api-mqtt).
const (
	// EventTopicPrefix precedes the event name of a user event a client
	// publishes to the upstream: "$webpubsub/server/events/{event}".
	EventTopicPrefix = "$webpubsub/server/events/"
	// ServerMessagesTopic carries REST sends to all, a user or a connection.
	ServerMessagesTopic = "$webpubsub/server/messages"
	// ReservedPrefix starts every reserved topic.
	ReservedPrefix = "$webpubsub/"
	// SharedPrefix starts a shared subscription's filter (5.0 §4.8.2).
	SharedPrefix = "$share/"
)

// CheckTopicName applies the service's rules to a PUBLISH topic (the
// codec has already refused wildcards and invalid UTF-8): a topic is a
// group name, 1 to 1,024 characters, not only white space, without line
// breaks (internal/names). The code is 0x90 topic name invalid: in the
// PUBACK or PUBREC of a QoS 1 or 2 publish, in a DISCONNECT for QoS 0.
func CheckTopicName(topic string) *Refusal {
	if err := names.ValidateGroup(topic); err != nil {
		return refuse(TopicNameInvalid, "topic: %s", strings.TrimPrefix(err.Error(), "invalid group name: "))
	}
	return nil
}

// EventTopic returns the event name of a user-event topic
// "$webpubsub/server/events/{event}", with ok false for other topics. The
// name is non-empty and has no "/" (reference-mqtt-cloud-events).
func EventTopic(topic string) (event string, ok bool) {
	event, ok = strings.CutPrefix(topic, EventTopicPrefix)
	if !ok || event == "" || strings.Contains(event, "/") {
		return "", false
	}
	return event, true
}

// EventAnswerTopic returns the topic the upstream's answer to event comes
// back on: ".../{event}/succeeded" for a 2xx, ".../{event}/failed" else.
func EventAnswerTopic(event string, succeeded bool) string {
	if succeeded {
		return EventTopicPrefix + event + "/succeeded"
	}
	return EventTopicPrefix + event + "/failed"
}

// FilterKind is what a SUBSCRIBE topic filter stands for.
type FilterKind int

const (
	// FilterGroup: the filter is a group name; subscribing joins it.
	FilterGroup FilterKind = iota
	// FilterReserved: a "$webpubsub/" topic. The service delivers them
	// without a subscription (the reference's inference), so subscribing
	// is granted and joins nothing.
	FilterReserved
)

// CheckTopicFilter classifies a SUBSCRIBE or UNSUBSCRIBE topic filter, or
// refuses it with the SUBACK code (SubackCode gives 3.1.1's): "$share/"
// shared subscriptions 0x9E, any wildcard 0xA2 (both unsupported,
// reference-mqtt-support-status; codes are the reference's suggestion),
// and a filter that is no valid group name 0x8F topic filter invalid.
func CheckTopicFilter(filter string) (FilterKind, *Refusal) {
	switch {
	case strings.HasPrefix(filter, SharedPrefix):
		return 0, refuse(SharedSubscriptionsNotSupported, "shared subscriptions are not supported")
	case hasWildcard(filter):
		return 0, refuse(WildcardSubscriptionsNotSupported, "wildcard subscriptions are not supported")
	case strings.HasPrefix(filter, ReservedPrefix):
		return FilterReserved, nil
	}
	if err := names.ValidateGroup(filter); err != nil {
		return 0, refuse(TopicFilterInvalid, "topic filter: %s", strings.TrimPrefix(err.Error(), "invalid group name: "))
	}
	return FilterGroup, nil
}
