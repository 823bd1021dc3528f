// Package mqttlink is the emulator's MQTT adapter: Azure Web PubSub's
// MQTT 3.1.1 and 5.0 support (reference-mqtt-*, shared/reference/mqtt.md)
// on the protocol-neutral core, with the codec and the broker rules of
// internal/mqtt. Where the service's documentation is silent, the choice
// made is the one the reference suggests; each is named below ("not
// documented").
//
// # Endpoint and CONNECT
//
// /clients/mqtt/hubs/{hub}, WebSocket subprotocol "mqtt" (anything else is
// refused with 400). The access token comes in the access_token query or an
// Authorization: Bearer header, with the audience
// {endpoint}/clients/mqtt/hubs/{hub} that the service SDKs sign for
// ClientProtocol MQTT; its claims role (string or array) and
// webpubsub.group are the session's roles and first subscriptions. A
// missing or bad token is refused with 401 before the upgrade (not
// documented; the JWT flow checks it there), unless the hub's settings
// allow anonymous clients. The first packet must be a CONNECT within
// ConnectTimeout; AcceptConnect applies the CONNECT rules (client ids
// [0-9A-Za-z]{1,128}, an assigned id for an empty one, 3.1.1 keep alive
// 1-180 s, will limits, the 5.0 CONNACK's announcements). Then the
// upstream's connect event (every CONNECT, resumed sessions included)
// decides: its refusal's mqtt.code, or its status as the express package
// maps it, is the CONNACK's code; its user properties reach 5.0 clients.
//
// # Sessions
//
// An MQTT session is a core connection whose id is the client id. A CONNECT
// without clean start resumes the session of its client id (CONNACK
// Session Present 1, the QoS 1 and 2 messages in flight sent again with
// DUP, then those that waited), taking over a socket that is still alive
// (5.0: DISCONNECT 0x8E); with clean start the old session ends and a new
// one begins. One CONNECT of a client id is attached at a time. A session
// outlives its socket for its expiry: the 5.0 Session Expiry Interval or,
// on 3.1.1, 30 s without clean session; both capped at 30 s, the service's
// documented bound (a capped 5.0 expiry is announced in the CONNACK). The
// core's recovery window is that expiry (core.Conn.SetRecoveryWindow; 0
// ends the session with its socket) and the session keeps its messages
// itself (core.ConnSpec.Offline): the connected event is sent for a new
// session only, the disconnected event when the session ends, carrying
// initiatedByClient and the last DISCONNECT (null after a network failure),
// and REST's Connection Exists is true while the session lives.
//
// # Messages
//
// Topics are groups. SUBSCRIBE joins with webpubsub.joinLeaveGroup[.g]
// (refusal 0x87, 3.1.1 0x80), keeping QoS, subscription identifier and No
// Local as the membership's option; wildcards (0xA2), shared subscriptions
// (0x9E), retained messages (DISCONNECT 0x9A) and topic aliases (DISCONNECT
// 0x94) are not supported (documented; the codes are the reference's).
// PUBLISH sends to the group with webpubsub.sendToGroup[.g]: refused with
// 0x87 in the 5.0 ack, accepted and dropped on 3.1.1, and an unauthorized
// QoS 0 publish closes the connection (a maintainer's comment,
// Azure/azure-webpubsub#793). A subscriber gets the lower of the
// publisher's QoS (1 for a message from another wire or REST, as
// documented) and its own; a group joined otherwise (REST, token, connect
// answer) has QoS 0 (no default is documented). REST sends to all, a user
// or a connection arrive on $webpubsub/server/messages at QoS 1, or the QoS
// of a subscription to it; no subscription is needed (not documented). The
// 5.0 content type maps to the data type and back (application/json,
// text/plain, application/x-protobuf, else binary; every 3.1.1 message is
// binary); binary sent to MQTT is labelled application/octet-stream. Only
// the message expiry crosses to other wires; MQTT subscribers get an MQTT
// publisher's properties unchanged. A JSON-labelled payload that is not
// JSON, or text that is not UTF-8, is refused with 0x99: the JSON
// subprotocols could not carry it (not documented).
//
// QoS 0 messages are not kept for an absent client (MQTT allows either;
// not documented). QoS 1 and 2 messages beyond the client's receive window
// (its 5.0 Receive Maximum, at most mqtt.DefaultMaxOutboundInflight) and
// while it is away wait in the session; with those in flight they are
// bounded by the core's Limits.MaxUnackedMessages and MaxUnackedBytes, and
// a session over either ends (DISCONNECT 0x97): a reader that does not
// keep up is not waited for. 5.0 message expiry drops a waiting message
// that expired and tells each delivery what is left.
//
// # User events and wills
//
// A PUBLISH to $webpubsub/server/events/{event} is a user event (no role
// needed, the reference's choice where the documentation disagrees with
// itself): acknowledged at once, sent upstream off the client's packets
// (at most Limits.MaxInvocations at a time per session) with its 5.0
// content type (application/octet-stream when none: the express package
// ignores user events without one) and "mqtt-{name}" headers; the answer
// comes back on .../{event}/succeeded (2xx) or .../failed at the request's
// QoS, with the answer's content type, its "mqtt-{name}" headers and
// azure-status-code as user properties, and the request's correlation data.
// An upstream that cannot be called is answered as 500 without a body; an
// event no handler takes gets no answer (as the other wires' events).
//
// A will is published when the network connection ends without a
// DISCONNECT of reason 0 (and after 5.0's 0x04), after its 5.0 delay and at
// the latest when the session ends, unless the client resumes its session
// first; like a PUBLISH of its client, with its permission.
//
// # Closes
//
// The core's close reasons become 5.0 DISCONNECT codes (not documented;
// the specification's codes of the same meaning): a REST close 0x98 with
// the REST reason as Reason String (the reference's suggestion), a takeover
// 0x8E, a limit 0x97, keep alive 0x8D (after 1.5 times the keep alive of
// silence), a refused packet its code. A 3.1.1 client gets the close only.
// A fault's WebSocket close code closes the WebSocket with it.
//
// # Bounds
//
// A WebSocket message is at most MaxWebSocketMessage bytes; a packet at most
// mqtt.DefaultMaxPacketSize (announced to 5.0 clients; over it: 0x95, from
// the header, before its body is read); the codec bounds properties, user
// properties, topic filters and subscription identifiers (mqtt.Limits).
// Subscriptions per session are the core's groups per connection (one more:
// 0x97 in the SUBACK); unacknowledged client PUBLISHes the Receive Maximum
// the CONNACK announces (mqtt.DefaultServerReceiveMaximum, over it 0x93);
// packets read but not handled the core's inbox; packets to write the
// socket's queue. A socket without a CONNECT closes after ConnectTimeout, a
// silent client after its keep alive.
//
// # Live trace
//
// What a client sends (but acks and pings) and what the emulator answers
// that decides something (CONNACK, SUBACK, DISCONNECT, a refusing ack) are
// trace events of kind "packet"; deliveries are the core's message events.
package mqttlink
