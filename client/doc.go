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
// # Event handlers
//
// Event handlers are set on Options. Their contract:
//
//   - One at a time, in order. The handlers of a run (Start..Stop) run one
//     after the other on a goroutine of their own, in the order of the
//     events: messages in the order the service sent them, lifecycle events
//     (Connected, Disconnected, RejoinGroupFailed, Stopped) where they
//     happened among them. A handler of one run may overlap with those of
//     the next only if Stop gave up waiting for it (see below).
//   - A handler may block and may call any method of the Client. The
//     connection is read on another goroutine that never waits for
//     handlers, so acks, invocation responses and pongs always get through:
//     an acknowledged call made by a handler, or by any goroutine a handler
//     waits for, completes or fails with a typed error within its ctx.
//   - Handlers receive a ctx that is canceled when the run ends (Stop, or the
//     client stopping on its own), as net/http cancels a request's context:
//     a long handler should watch it and return.
//   - Bounded memory. Received messages wait for their handler in a queue
//     bounded by Options.MaxQueuedMessages and MaxQueuedBytes. A message
//     that finds it full is never lost silently: on a reliable subprotocol
//     the service keeps it and resends it once the handlers caught up (the
//     client recovers the connection); on a plain subprotocol the client
//     closes the connection with ErrQueueOverflow, which its Disconnected
//     event carries, and opens a new one. Lifecycle events are few: while 64
//     of them wait, the client opens no new connection.
//   - Stop cancels the handlers' ctx and waits (bounded by its own ctx) for
//     the running and queued handlers, which still receive the messages that
//     arrived before Stop, then Disconnected and Stopped. If its ctx ends
//     first, Stop says which handler is still running; a later Start does
//     not wait for it. A handler calling Stop passes its own ctx.
//   - The keep-alive closes a connection on which nothing arrived for
//     Options.KeepAliveTimeout, whatever the handlers are doing.

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
