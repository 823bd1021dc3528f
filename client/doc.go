// Package client is a Go client for Azure Web PubSub over the JSON WebSocket
// subprotocols, the counterpart of the JavaScript @azure/web-pubsub-client.
//
// A Client connects with a client access URL (from the service SDK or a
// negotiate endpoint), joins and leaves groups, publishes to groups, sends
// events to the upstream event handler and receives server and group
// messages. By default it behaves like the JavaScript client: it uses the
// reliable subprotocol, recovers a dropped connection with its reconnection
// token, otherwise reconnects and rejoins the groups it joined, retries
// acknowledged operations, pings the service every 20 s and acknowledges
// received sequence ids about once a second. On a reliable connection every
// data message is delivered to the application exactly once and in order.
//
// Event handlers are set on Options. They run one at a time on a dispatcher
// goroutine of their own, so a handler may call any method of the Client,
// including Stop, without blocking the connection. A restarted client
// delivers its events after the handlers of its previous run have returned.
// The messages waiting for a handler are bounded (Options.MaxQueuedMessages
// and MaxQueuedBytes): when a handler falls behind, the client stops reading
// from the connection until it catches up, so a slow handler slows the
// service down instead of growing memory.
//
// An operation whose connection is lost before the service answered is
// retried as soon as a connection is back, with the same ack id (the service
// answers a repeat Duplicate, which counts as success); the message retry
// delay is only for transient errors the service reports.
//
// The ctx of an operation bounds its wait for a connection, for the
// service's ack and between retries. A frame that is being written is not cut
// short by ctx, since that would break the connection; if the service stops
// reading, the write ends when the keep-alive timeout closes the connection.
package client
