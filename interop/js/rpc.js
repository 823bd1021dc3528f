// Line protocol between a Go test and a Node script (see interop/node_test.go).
//
// The test writes one JSON request per line to stdin:
//   {"id": 1, "op": "name", "args": {...}}
// The script answers each with one line on stdout:
//   {"id": 1, "ok": true, "result": ...}  or
//   {"id": 1, "ok": false, "error": {"name", "message", "statusCode", "code"}}
// and reports things that happen on their own as event lines:
//   {"event": "name", ...fields}
// The script exits when stdin ends. Diagnostics go to stderr, which the
// test shows in its log.
"use strict";

const readline = require("node:readline");

function write(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

// emit reports an event.
function emit(name, fields) {
  write(Object.assign({ event: name }, fields || {}));
}

// describeError keeps the fields of an error a test can assert on.
function describeError(err) {
  if (err === null || typeof err !== "object") {
    return { name: "Error", message: String(err) };
  }
  const out = { name: err.name || "Error", message: err.message || String(err) };
  if (err.statusCode !== undefined) out.statusCode = err.statusCode;
  if (err.code !== undefined) out.code = err.code;
  if (err.ackId !== undefined) out.ackId = err.ackId;
  if (err.errorDetail !== undefined) out.errorDetail = err.errorDetail;
  if (err.userErrorCode !== undefined) out.userErrorCode = err.userErrorCode;
  return out;
}

// serve answers requests with the functions of ops (each takes args and
// returns a value or a promise) until stdin ends, then calls onEnd.
function serve(ops, onEnd) {
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  rl.on("line", (line) => {
    if (line.trim() === "") return;
    let req;
    try {
      req = JSON.parse(line);
    } catch (e) {
      process.stderr.write("rpc: bad request line: " + line + "\n");
      return;
    }
    const op = ops[req.op];
    if (typeof op !== "function") {
      write({ id: req.id, ok: false, error: { name: "UnknownOp", message: "unknown op " + req.op } });
      return;
    }
    Promise.resolve()
      .then(() => op(req.args || {}))
      .then(
        (result) => write({ id: req.id, ok: true, result: result === undefined ? null : result }),
        (err) => write({ id: req.id, ok: false, error: describeError(err) }),
      );
  });
  rl.on("close", () => {
    Promise.resolve()
      .then(() => (onEnd ? onEnd() : undefined))
      .catch((e) => process.stderr.write("rpc: shutdown failed: " + e + "\n"))
      .finally(() => process.exit(0));
  });
}

// Binary data crosses the line protocol as {"base64": "..."}.
function toWire(data) {
  if (data instanceof ArrayBuffer) {
    return { base64: Buffer.from(data).toString("base64") };
  }
  if (ArrayBuffer.isView(data)) {
    return { base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64") };
  }
  return data;
}

function fromWire(data) {
  if (data !== null && typeof data === "object" && typeof data.base64 === "string" && Object.keys(data).length === 1) {
    return Buffer.from(data.base64, "base64");
  }
  return data;
}

module.exports = { serve, emit, describeError, toWire, fromWire };
