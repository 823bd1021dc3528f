package mqtt

import (
	"strings"
	"unicode/utf8"
)

// TopicKind is what a client's PUBLISH topic stands for.
type TopicKind int

const (
	// TopicGroup: a group name; the message goes to the group.
	TopicGroup TopicKind = iota
	// TopicEvent: "$webpubsub/server/events/{event}", a user event for the
	// upstream.
	TopicEvent
)

// PublishRefusal is a refused client PUBLISH: the code and, in
// Disconnect, whether the broker ends the connection (DISCONNECT with the
// code on 5.0, a close on 3.1.1) rather than answering in the PUBACK or
// PUBREC.
type PublishRefusal struct {
	Refusal
	Disconnect bool
}

// CheckPublish applies the broker's rules to a client's PUBLISH p on a
// connection of version v and says where it goes:
//   - retained messages are not supported (documented): 0x9A retain not
//     supported, which 5.0 §3.3.1.3 prescribes as a DISCONNECT since the
//     CONNACK said Retain Available 0; 3.1.1 closes;
//   - topic aliases are not supported (documented) and the CONNACK
//     announced none: 0x94 topic alias invalid, a DISCONNECT (5.0 §3.3.2.3.4);
//   - a subscription identifier from a client is a protocol error
//     (5.0 §3.3.4): DISCONNECT 0x82;
//   - a payload marked UTF-8 that is not: 0x99 payload format invalid, in
//     the ack (5.0 §3.3.2.3.2 allows the check);
//   - a topic that is no group name, or a reserved topic other than a user
//     event: 0x90 topic name invalid, in the ack, or a DISCONNECT for QoS 0
//     (which has no ack).
//
// Authorization (roles) is the caller's: 0x87 in the ack; for QoS 0 a
// maintainer's comment says the service closes the connection
// (Azure/azure-webpubsub#793).
func CheckPublish(v Version, p *Publish) (TopicKind, string, *PublishRefusal) {
	if p.Retain {
		return 0, "", &PublishRefusal{*refuse(RetainNotSupported, "retained messages are not supported"), true}
	}
	if p.Properties.TopicAlias != 0 {
		return 0, "", &PublishRefusal{*refuse(TopicAliasInvalid, "topic aliases are not supported"), true}
	}
	if len(p.Properties.SubscriptionIdentifiers) > 0 {
		return 0, "", &PublishRefusal{*refuse(ProtocolError, "a client's PUBLISH carries a subscription identifier"), true}
	}
	if v == V5 && p.Properties.PayloadFormatIndicator == 1 && !utf8.Valid(p.Payload) {
		return 0, "", &PublishRefusal{*refuse(PayloadFormatInvalid, "the payload format indicator says UTF-8 and the payload is not"), p.QoS == QoS0}
	}
	if event, ok := EventTopic(p.Topic); ok {
		return TopicEvent, event, nil
	}
	if strings.HasPrefix(p.Topic, ReservedPrefix) {
		return 0, "", &PublishRefusal{*refuse(TopicNameInvalid, "%q is reserved; events go to %s{event}", p.Topic, EventTopicPrefix), p.QoS == QoS0}
	}
	if r := CheckTopicName(p.Topic); r != nil {
		return 0, "", &PublishRefusal{*r, p.QoS == QoS0}
	}
	return TopicGroup, "", nil
}
