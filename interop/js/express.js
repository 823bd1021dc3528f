// An upstream built with @azure/web-pubsub-express for the Go interop tests.
// Env: HUB (hub name). Listens on 127.0.0.1 on a free port and reports
//   {"event":"listening","port":N}
// then one event line per request it receives ("request": method, path,
// headers) and per callback ("connect", "connected", "user-event",
// "group-joined", "group-left", "disconnected"). Behaviour:
//   connect: query deny=1 -> fail(401, "denied by express"); otherwise
//            userId = query user, groups = query joinGroup (all), roles = query
//            addRole (all); the state "visits" starts at 0.
//   user event: "visits" is incremented; the answer is the text
//            "<event>:<data>:visits=<n>".
"use strict";

const express = require("express");
const { WebPubSubEventHandler } = require("@azure/web-pubsub-express");
const { serve, emit, toWire } = require("./rpc.js");

const hub = process.env.HUB || "chat";
const first = (v) => (Array.isArray(v) ? v[0] : v);
const all = (v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

const handler = new WebPubSubEventHandler(hub, {
  handleConnect(req, res) {
    emit("connect", { context: req.context, claims: req.claims, query: req.query, subprotocols: req.subprotocols, mqtt: req.mqtt });
    const q = req.query || {};
    if (first(q.deny) === "1") {
      res.fail(401, "denied by express");
      return;
    }
    res.setState("visits", 0);
    const answer = {};
    if (q.user) answer.userId = first(q.user);
    if (q.joinGroup) answer.groups = all(q.joinGroup);
    if (q.addRole) answer.roles = all(q.addRole);
    res.success(answer);
  },
  onConnected(req) {
    emit("connected", { context: req.context });
  },
  handleUserEvent(req, res) {
    const visits = (req.context.states.visits || 0) + 1;
    emit("user-event", { context: req.context, data: toWire(req.data), dataType: req.dataType });
    res.setState("visits", visits);
    const data = typeof req.data === "string" ? req.data : JSON.stringify(toWire(req.data));
    res.success(req.context.eventName + ":" + data + ":visits=" + visits, "text");
  },
  onDisconnected(req) {
    emit("disconnected", { context: req.context, reason: req.reason, mqtt: req.mqtt });
  },
  onGroupJoined(req) {
    emit("group-joined", { context: req.context, group: req.group });
  },
  onGroupLeft(req) {
    emit("group-left", { context: req.context, group: req.group });
  },
});

const app = express();
app.use((req, res, next) => {
  emit("request", { method: req.method, path: req.path, headers: req.headers });
  next();
});
app.use(handler.getMiddleware());

const server = app.listen(0, "127.0.0.1", () => {
  emit("listening", { port: server.address().port, path: handler.path });
});

serve({}, () => new Promise((resolve) => server.close(() => resolve())));
