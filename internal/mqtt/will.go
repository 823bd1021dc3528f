package mqtt

import (
	"time"
	"unicode/utf8"
)

// MaxWillPayload is the largest will payload the service accepts, in bytes
// (includes/mqtt-connection-parameters.md).
const MaxWillPayload = 2000

// CheckWill applies the service's will rules (documented: the topic is
// non-empty, has a non-white-space character and at most 1,024
// characters; the payload is at most 2,000 bytes; the refusal codes are
// not documented):
//   - an invalid topic: 0x90 topic name invalid (3.1.1: no CONNACK code,
//     the connection is closed);
//   - a payload over MaxWillPayload: 0x95 packet too large (3.1.1: closed);
//   - a retained will: 0x9A retain not supported, as for a retained
//     PUBLISH (3.1.1: closed).
func CheckWill(w *Will) *Refusal {
	if r := CheckTopicName(w.Topic); r != nil {
		return refuse(r.Code, "will %s", r.Msg)
	}
	if len(w.Payload) > MaxWillPayload {
		return refuse(PacketTooLarge, "the will payload is %d bytes, more than %d", len(w.Payload), MaxWillPayload)
	}
	if w.Retain {
		return refuse(RetainNotSupported, "retained messages are not supported, the will's neither")
	}
	if w.Properties.PayloadFormatIndicator == 1 && !utf8.Valid(w.Payload) {
		return refuse(PayloadFormatInvalid, "the will's payload format indicator says UTF-8 and the payload is not")
	}
	return nil
}

// WillDelay is how long after an unclean close the will is published: the
// 5.0 Will Delay Interval, or the session expiry if it comes first (5.0
// §3.1.3.2: the will is published when the session ends, whichever is
// first); 0 on 3.1.1 and without a will.
func WillDelay(c *Connect, sessionExpiry time.Duration) time.Duration {
	if c.Will == nil || c.Version != V5 {
		return 0
	}
	return min(time.Duration(c.Will.Properties.WillDelayInterval)*time.Second, sessionExpiry)
}

// WillOnClose reports whether a connection's will is published when its
// network connection ends. d is the DISCONNECT the client sent before, nil
// when there was none (a drop, a keep alive timeout, a protocol error, or
// a close by the server): the will is kept only after a DISCONNECT with
// reason code 0x00 (3.1.1: any DISCONNECT), and published after every
// other end, including 5.0's 0x04 "disconnect with will message" (5.0
// §3.1.2.5, 3.1.1 §3.1.2.5). A published will with a delay is cancelled
// when the client connects again before it elapses (see WillDelay).
func WillOnClose(d *Disconnect) bool {
	return d == nil || d.ReasonCode != NormalDisconnection
}

// WillPublish returns the PUBLISH a will becomes, for delivery like a
// client's PUBLISH of QoS w.QoS (never retained: see CheckWill).
func WillPublish(w *Will) *Publish {
	return &Publish{QoS: w.QoS, Topic: w.Topic, Payload: w.Payload, Properties: Properties{
		PayloadFormatIndicator: w.Properties.PayloadFormatIndicator,
		MessageExpiryInterval:  w.Properties.MessageExpiryInterval,
		ContentType:            w.Properties.ContentType,
		ResponseTopic:          w.Properties.ResponseTopic,
		CorrelationData:        w.Properties.CorrelationData,
		User:                   w.Properties.User,
	}}
}
