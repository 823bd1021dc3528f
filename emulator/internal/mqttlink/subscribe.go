package mqttlink

import (
	"errors"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
	"github.com/webpubsub-go/webpubsub/internal/mqtt"
)

// subscribe handles SUBSCRIBE: each topic filter is a group the client
// joins with the webpubsub.joinLeaveGroup[.group] permission, keeping its
// QoS, subscription identifier and No Local as the membership's option.
// Refusals, in the SUBACK (3.1.1: 0x80 for each): wildcards 0xA2, shared
// subscriptions 0x9E, an invalid filter 0x8F, no permission 0x87, more
// groups than the connection may join 0x97. Reserved "$webpubsub/" topics
// are granted and join nothing: their messages come without a
// subscription; subscribing to $webpubsub/server/messages sets their QoS.
func (l *link) subscribe(p *mqtt.Subscribe) {
	var id uint32
	if ids := p.Properties.SubscriptionIdentifiers; len(ids) > 0 {
		id = ids[0]
	}
	codes := make([]mqtt.ReasonCode, len(p.Subscriptions))
	for i, sub := range p.Subscriptions {
		codes[i] = mqtt.SubackCode(l.v, l.subscribeOne(sub, id))
	}
	ack := &mqtt.Suback{PacketID: p.PacketID, ReasonCodes: codes}
	l.tracePacket(ack, false, worst(codes))
	l.send(ack)
}

// subscribeOne applies one subscription and returns its SUBACK code (5.0).
func (l *link) subscribeOne(sub mqtt.Subscription, id uint32) mqtt.ReasonCode {
	kind, ref := mqtt.CheckTopicFilter(sub.Filter)
	switch {
	case ref != nil:
		return ref.Code
	case kind == mqtt.FilterReserved:
		if sub.Filter == mqtt.ServerMessagesTopic {
			l.sess.setServerQoS(sub.QoS)
		}
		return mqtt.ReasonCode(sub.QoS)
	case !l.c().Allowed(core.RoleJoinLeaveGroup, sub.Filter):
		return mqtt.NotAuthorized
	}
	opt := subscription{qos: sub.QoS, id: id, noLocal: sub.NoLocal}
	old, had := l.sess.setSubscription(sub.Filter, opt)
	if err := l.c().Hub().Join(l.c(), sub.Filter, opt); err != nil {
		if had {
			l.sess.setSubscription(sub.Filter, old)
		} else {
			l.sess.forget(sub.Filter)
		}
		var tooMany *core.ErrTooManyGroups
		if errors.As(err, &tooMany) {
			l.a.log.Warn("emulator: limit hit: an mqtt client subscribed to more groups than a connection may join", "hub", l.hub, "clientId", l.clientID(), "limit", tooMany.Limit)
			return mqtt.QuotaExceeded
		}
		return mqtt.UnspecifiedError
	}
	return mqtt.ReasonCode(sub.QoS)
}

// unsubscribe handles UNSUBSCRIBE: each group is left (with the
// joinLeaveGroup permission, else 0x87), 0x11 when the client was not in
// it. 3.1.1's UNSUBACK has no codes.
func (l *link) unsubscribe(p *mqtt.Unsubscribe) {
	var codes []mqtt.ReasonCode
	for _, f := range p.Filters {
		code := l.unsubscribeOne(f)
		if l.v == mqtt.V5 {
			codes = append(codes, code)
		}
	}
	l.send(&mqtt.Unsuback{PacketID: p.PacketID, ReasonCodes: codes})
}

// unsubscribeOne leaves one group and returns the UNSUBACK code (5.0).
func (l *link) unsubscribeOne(filter string) mqtt.ReasonCode {
	kind, ref := mqtt.CheckTopicFilter(filter)
	switch {
	case ref != nil:
		return ref.Code
	case kind == mqtt.FilterReserved:
		if filter == mqtt.ServerMessagesTopic {
			l.sess.setServerQoS(mqtt.QoS1)
		}
		return mqtt.Success
	case !l.c().Allowed(core.RoleJoinLeaveGroup, filter):
		return mqtt.NotAuthorized
	}
	if _, in := l.c().Option(filter); !in {
		return mqtt.NoSubscriptionExisted
	}
	l.c().Hub().Leave(l.c(), filter)
	l.sess.forget(filter)
	return mqtt.Success
}

// worst returns the first error code of codes, or success.
func worst(codes []mqtt.ReasonCode) mqtt.ReasonCode {
	for _, c := range codes {
		if c.IsError() {
			return c
		}
	}
	return mqtt.Success
}
