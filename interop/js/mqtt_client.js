// An mqtt.js 5 client driven by a Go test over the line protocol of rpc.js.
//
// Ops: connect, subscribe, unsubscribe, publish, end, drop (closes the
// WebSocket without DISCONNECT). Events: message, disconnect, close, error,
// offline. Binary data crosses as {"base64": ...}; so does v5 correlation
// data.
"use strict";

const mqtt = require("mqtt");
const { serve, emit, describeError, toWire, fromWire } = require("./rpc.js");

let client = null;

// props converts v5 properties from the test (correlationData as wire
// binary) to what mqtt.js takes.
function props(p) {
  if (!p) return undefined;
  const out = Object.assign({}, p);
  if (out.correlationData !== undefined) out.correlationData = fromWire(out.correlationData);
  if (out.authenticationData !== undefined) out.authenticationData = fromWire(out.authenticationData);
  return out;
}

// wireProps converts properties mqtt.js decoded for the test.
function wireProps(p) {
  if (!p) return undefined;
  const out = Object.assign({}, p);
  for (const k of ["correlationData", "authenticationData"]) {
    if (out[k] !== undefined) out[k] = toWire(out[k]);
  }
  return out;
}

function describePacket(p) {
  const out = {};
  for (const k of ["cmd", "sessionPresent", "returnCode", "reasonCode", "granted", "messageId", "qos", "dup", "retain", "topic"]) {
    if (p && p[k] !== undefined) out[k] = p[k];
  }
  if (p && p.properties) out.properties = wireProps(p.properties);
  return out;
}

function describe(err) {
  const out = describeError(err);
  if (err && err.packet) out.packet = describePacket(err.packet);
  return out;
}

const ops = {
  connect(a) {
    const opts = {
      clientId: a.clientId,
      protocolVersion: a.protocolVersion,
      clean: a.clean !== undefined ? a.clean : true,
      keepalive: a.keepalive !== undefined ? a.keepalive : 60,
      reconnectPeriod: 0,
      connectTimeout: 10000,
      properties: props(a.properties),
      username: a.username,
      password: a.password,
      wsOptions: a.headers ? { headers: a.headers } : undefined,
    };
    if (a.will) {
      opts.will = Object.assign({}, a.will, { payload: fromWire(a.will.payload), properties: props(a.will.properties) });
    }
    return new Promise((resolve, reject) => {
      const c = mqtt.connect(a.url, opts);
      client = c;
      let settled = false;
      // A refused WebSocket handshake (HTTP 401...) is an error of the
      // stream only: mqtt.js 5.16 emits no "error" for it.
      let streamError = null;
      if (c.stream && c.stream.on) {
        c.stream.on("error", (err) => {
          streamError = err;
          emit("stream-error", describe(err));
        });
      }
      c.on("connect", (connack) => {
        if (!settled) {
          settled = true;
          resolve(describePacket(connack));
        }
      });
      c.on("error", (err) => {
        emit("error", describe(err));
        if (!settled) {
          settled = true;
          reject(err);
        }
      });
      c.on("close", () => {
        emit("close", {});
        if (!settled) {
          settled = true;
          reject(new Error("connection closed before CONNACK" + (streamError ? ": " + streamError.message : "")));
        }
      });
      c.on("message", (topic, payload, packet) => {
        emit("message", { topic, payload: toWire(payload), packet: describePacket(packet) });
      });
      c.on("disconnect", (packet) => emit("disconnect", { packet: describePacket(packet) }));
    });
  },
  subscribe(a) {
    return new Promise((resolve) => {
      client.subscribe(a.topics, { properties: props(a.properties) }, (err, granted, packet) => {
        resolve({ error: err ? describe(err) : null, granted, packet: packet ? describePacket(packet) : null });
      });
    });
  },
  unsubscribe(a) {
    return new Promise((resolve, reject) => {
      client.unsubscribe(a.topics, {}, (err, packet) => (err ? reject(err) : resolve(packet ? describePacket(packet) : null)));
    });
  },
  publish(a) {
    return new Promise((resolve, reject) => {
      client.publish(a.topic, fromWire(a.payload), { qos: a.qos || 0, properties: props(a.properties) }, (err, packet) => {
        if (err) {
          reject(err);
          return;
        }
        resolve(packet ? describePacket(packet) : null);
      });
    });
  },
  end(a) {
    return new Promise((resolve) => {
      client.end(false, { reasonCode: a.reasonCode, properties: props(a.properties) }, () => resolve(null));
    });
  },
  drop() {
    client.stream.destroy();
    return null;
  },
};

serve(ops, () => {
  if (client) client.end(true);
});
