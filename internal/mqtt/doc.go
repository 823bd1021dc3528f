// Package mqtt is the MQTT side of the emulator: a codec for MQTT 3.1.1
// (protocol level 4) and 5.0 (level 5) control packets, written from the
// OASIS standards, and the broker's protocol rules as plain Go without
// sockets. No Go library covering the broker side of both versions is
// available as an approved release, hence our own.
//
// # Codec
//
// Decode and Encode read and write one packet; Reader reads a stream
// (MQTT over WebSocket may split or join packets across messages). Every
// packet type a broker reads or writes is covered, with the 5.0 properties
// each packet may carry (Properties). Decoding allocates only for the
// packet's fields: Limits bounds the packet size
// (advertised to 5.0 clients as Maximum Packet Size), the property
// section, user properties (count and bytes), topic filters per
// SUBSCRIBE or UNSUBSCRIBE and subscription identifiers per PUBLISH. A
// Reader allocates a large body as its bytes arrive, not as declared.
// Refused input is an *Error naming the packet, what was wrong and the
// 5.0 reason code to answer with: 0x81 malformed packet, 0x82 protocol
// error, 0x95 packet too large, 0x97 quota exceeded (our limits), 0x84
// unsupported protocol version. On 3.1.1 the broker closes the connection
// instead (3.1.1 §4.8).
//
// # Rules
//
// The behaviour of Azure Web PubSub's MQTT support, where documented, and
// our choices where not (marked "not documented" in the docs of the
// functions; shared/reference/mqtt.md lists the sources):
//   - AcceptConnect: client ids [0-9A-Za-z]{1,128}; an empty id is
//     assigned one on 5.0, and on 3.1.1 with clean session; 3.1.1 keep
//     alive 1-180 s (else the connection closes: 3.1.1 has no code for it);
//     a 5.0 keep alive outside that range is replaced by Server Keep
//     Alive; no enhanced authentication; CONNACK announces no retain,
//     wildcard or shared subscriptions and no topic alias.
//   - CheckWill: will topic like a group name, payload at most 2,000
//     bytes, never retained.
//   - CheckTopicFilter, CheckPublish: topics are group names; wildcards
//     (0xA2), shared subscriptions (0x9E), retained messages (DISCONNECT
//     0x9A) and topic aliases (DISCONNECT 0x94) are refused;
//     "$webpubsub/server/events/{event}" is a user event.
//   - Outbound, Inbound: the QoS 1 and 2 flows both ways, Receive Maximum
//     both ways, DUP on resend after a session resumes.
//   - SessionExpiry, ExpiryLeft, WillDelay, WillOnClose: sessions are kept
//     at most 30 s; 5.0 message expiry and will delay.
//   - ConnackCode, SubackCode, UpstreamConnectCode, DisconnectCode: codes
//     per version, from the upstream's connect answers, and for the
//     service's reasons to close.
//   - DataTypeOf, ContentTypeOf: 5.0 content type <-> Web PubSub data type.
//
// The emulator's MQTT adapter, package emulator/internal/mqttlink, applies
// them to sockets and sessions on the emulator's core.
//
// # What mqtt.js 5.16.0 shows
//
// The tests run the codec and the rules against mqtt.js 5.16.0 at levels 4
// and 5 (mqttjs_test.go), and the emulator against it (interop/); mqtt.js
// is the peer that decides where the reference and a client disagree:
//   - the handshake asks for Sec-WebSocket-Protocol "mqtt" and sends
//     wsOptions.headers (an Authorization: Bearer header arrives); a refused
//     handshake (HTTP 401) is an error of the stream only ("Unexpected
//     server response: 401"), the client emits no "error";
//   - a CONNACK refusal is "Connection refused: <name>" with code = the byte
//     (2 / 133 identifier, 5 / 135 not authorized, 149 packet too large); a
//     close without CONNACK (3.1.1 refusals without a return code) is only
//     a close;
//   - SUBACK failures fail the subscribe callback (unlike 5.14, which the
//     reference describes) with "Subscribe error: <name>" and the codes in
//     err.packet.granted; 3.1.1 reports 128 for every refusal; UNSUBACK
//     codes arrive in packet.granted;
//   - a PUBACK or PUBREC of 0x80 or more fails the publish callback
//     ("Publish error: Not authorized", code 135);
//   - a server DISCONNECT (5.0) is a "disconnect" event with reasonCode and
//     properties.reasonString / userProperties, then "close";
//   - repeated user property names come back as arrays, the payload format
//     indicator as a boolean, correlation data as a Buffer; a QoS 1 message
//     sent again after a resume has dup true; Session Present is
//     connack.sessionPresent.
package mqtt
