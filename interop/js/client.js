// Drives @azure/web-pubsub-client (the JS client) for the Go interop tests.
// Ops:
//   new {url, protocol: "json"|"json.reliable", autoReconnect?, autoRejoinGroups?}
//   start {}  stop {}
//   joinGroup {group, ackId?}  leaveGroup {group, ackId?}
//   sendToGroup {group, data, dataType, noEcho?, fireAndForget?, ackId?}
//   sendEvent {event, data, dataType, fireAndForget?, ackId?}
//   sendMany {group, prefix, count, noEcho?, firstAckId?}  sends "<prefix>-0".."<prefix>-<count-1>"
//            one after the other (each acked), emitting "sent" {index} after each;
//            with firstAckId message i uses ackId firstAckId+i. (The JS client
//            retries a send whose ack was lost with a new ackId unless the caller
//            chose one, so only caller ackIds make a retried send exactly-once.)
//   invokeEvent {event, data?, dataType?, invocationId?} -> {invocationId, dataType, data}
//   streamToGroup {group, fragments, dataType, streamId?, abort?: {message, userErrorCode}}
//            opens a group stream, writes every fragment, then ends or aborts it -> {streamId}
//   onGroupStream {groups?} subscribes to group streams; each stream is reported as
//            "stream-open" {group, streamId}, one "stream-fragment" {group, streamId,
//            data, dataType, streamSequenceId} per fragment, then "stream-end"
//            {group, streamId, error?}.
//   rawSocket {url, protocols} opens a WebSocket with the ws package the JS client
//            uses, asking for protocols (any spelling), and reads one frame ->
//            {protocol, frame}; a refused handshake fails with ws's error.
// Events: connected, disconnected, stopped, server-message, group-message,
// rejoin-group-failed, and the stream events above. Binary data crosses as
// {"base64": ...}.
"use strict";

const {
  WebPubSubClient,
  WebPubSubJsonProtocol,
  WebPubSubJsonReliableProtocol,
} = require("@azure/web-pubsub-client");
const WebSocket = require("ws");
const { serve, emit, describeError, toWire, fromWire } = require("./rpc.js");

let client;

function need() {
  if (!client) throw new Error("call new first");
  return client;
}

// payload turns wire data into what the client sends: binary as ArrayBuffer.
function payload(data) {
  const d = fromWire(data);
  if (Buffer.isBuffer(d)) return d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength);
  return d;
}

function result(r) {
  return { ackId: r.ackId, isDuplicated: r.isDuplicated };
}

serve(
  {
    new(args) {
      const protocol = args.protocol === "json" ? WebPubSubJsonProtocol() : WebPubSubJsonReliableProtocol();
      client = new WebPubSubClient(args.url, {
        protocol,
        autoReconnect: args.autoReconnect !== false,
        autoRejoinGroups: args.autoRejoinGroups !== false,
        reconnectRetryOptions: { retryDelayInMs: 100, maxRetryDelayInMs: 500, maxRetries: 20 },
        messageRetryOptions: { retryDelayInMs: 100, maxRetryDelayInMs: 500, maxRetries: 5 },
      });
      client.on("connected", (e) => emit("connected", { connectionId: e.connectionId, userId: e.userId }));
      client.on("disconnected", (e) =>
        emit("disconnected", { connectionId: e.connectionId, message: e.message && e.message.message }),
      );
      client.on("stopped", () => emit("stopped"));
      client.on("server-message", (e) =>
        emit("server-message", {
          data: toWire(e.message.data),
          dataType: e.message.dataType,
          sequenceId: e.message.sequenceId,
        }),
      );
      client.on("group-message", (e) =>
        emit("group-message", {
          group: e.message.group,
          fromUserId: e.message.fromUserId,
          data: toWire(e.message.data),
          dataType: e.message.dataType,
          sequenceId: e.message.sequenceId,
        }),
      );
      client.on("rejoin-group-failed", (e) =>
        emit("rejoin-group-failed", { group: e.group, error: describeError(e.error) }),
      );
      return null;
    },
    async start() {
      await need().start();
      return null;
    },
    stop() {
      need().stop();
      return null;
    },
    async joinGroup(args) {
      return result(await need().joinGroup(args.group, { ackId: args.ackId }));
    },
    async leaveGroup(args) {
      return result(await need().leaveGroup(args.group, { ackId: args.ackId }));
    },
    async sendToGroup(args) {
      const r = await need().sendToGroup(args.group, payload(args.data), args.dataType, {
        noEcho: args.noEcho,
        fireAndForget: args.fireAndForget,
        ackId: args.ackId,
      });
      return r ? result(r) : null;
    },
    async sendMany(args) {
      const failed = [];
      for (let i = 0; i < args.count; i++) {
        try {
          const ackId = args.firstAckId !== undefined ? args.firstAckId + i : undefined;
          await need().sendToGroup(args.group, args.prefix + "-" + i, "text", { noEcho: args.noEcho, ackId });
        } catch (e) {
          failed.push({ index: i, error: describeError(e) });
        }
        emit("sent", { index: i });
      }
      return { failed };
    },
    async invokeEvent(args) {
      const r = await need().invokeEvent(args.event, payload(args.data), args.dataType, {
        invocationId: args.invocationId,
      });
      return { invocationId: r.invocationId, dataType: r.dataType, data: toWire(r.data) };
    },
    async streamToGroup(args) {
      const w = await need().openGroupStream(args.group, { streamId: args.streamId });
      for (const f of args.fragments) {
        await w.write(payload(f), args.dataType);
      }
      if (args.abort) {
        await w.abort(args.abort);
      } else {
        await w.end();
      }
      return { streamId: w.streamId };
    },
    onGroupStream(args) {
      need().onGroupStream(
        async (stream) => {
          const ids = { group: stream.groupName, streamId: stream.streamId };
          emit("stream-open", ids);
          try {
            for await (const m of stream) {
              emit(
                "stream-fragment",
                Object.assign({ data: toWire(m.data), dataType: m.dataType, streamSequenceId: m.stream.streamSequenceId }, ids),
              );
            }
            emit("stream-end", ids);
          } catch (err) {
            emit("stream-end", Object.assign({ error: describeError(err) }, ids));
          }
        },
        { groupNames: args.groups },
      );
      return null;
    },
    rawSocket(args) {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(args.url, args.protocols);
        ws.once("error", reject);
        ws.once("message", (data) => {
          resolve({ protocol: ws.protocol, frame: data.toString() });
          ws.close();
        });
      });
    },
    async sendEvent(args) {
      const r = await need().sendEvent(args.event, payload(args.data), args.dataType, {
        fireAndForget: args.fireAndForget,
        ackId: args.ackId,
      });
      return r ? result(r) : null;
    },
  },
  () => {
    if (client) client.stop();
  },
);
