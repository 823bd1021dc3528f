// An express upstream (@azure/web-pubsub-express 1.1.0) whose answers the Go
// parity test compares with those of the Go eventhandler configured the same
// way (interop/parity_test.go). Env: HUB. Reports {"event":"listening","port"}.
// The connect answer depends on the connect query parameter "case":
//   accept          success({userId: "device-1", mqtt: {userProperties: [{name: "welcome", value: "yes"}]}})
//   state           setState("k", "v"); success({userId: "u"})
//   mqtt-<code>     failWith({mqtt: {code, reason: "r<code>"}})
//   fail-<status>   fail(status, "denied")
// User events are answered with the text "echo:<data>", but the event
// "state", which sets the state "seen" and answers the states it read as
// JSON. The other events have callbacks that do nothing.
"use strict";

const express = require("express");
const { WebPubSubEventHandler } = require("@azure/web-pubsub-express");
const { serve, emit } = require("./rpc.js");

const handler = new WebPubSubEventHandler(process.env.HUB || "chat", {
  handleConnect(req, res) {
    const c = ((req.query || {}).case || [""])[0];
    if (c === "accept") {
      res.success({ userId: "device-1", mqtt: { userProperties: [{ name: "welcome", value: "yes" }] } });
    } else if (c === "state") {
      res.setState("k", "v");
      res.success({ userId: "u" });
    } else if (c.startsWith("mqtt-")) {
      const code = Number(c.slice(5));
      res.failWith({ mqtt: { code, reason: "r" + code } });
    } else if (c.startsWith("fail-")) {
      res.fail(Number(c.slice(5)), "denied");
    } else {
      res.success();
    }
  },
  onConnected() {},
  onDisconnected() {},
  onGroupJoined() {},
  onGroupLeft() {},
  handleUserEvent(req, res) {
    if (req.context.eventName === "state") {
      const read = JSON.stringify(req.context.states);
      res.setState("seen", true);
      res.success(read, "json");
      return;
    }
    res.success("echo:" + req.data, "text");
  },
});

const app = express();
app.use(handler.getMiddleware());
const server = app.listen(0, "127.0.0.1", () => emit("listening", { port: server.address().port }));
serve({}, () => new Promise((resolve) => server.close(() => resolve())));
