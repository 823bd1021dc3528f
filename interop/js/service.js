// Drives @azure/web-pubsub (the JS service SDK) for the Go interop tests.
// Ops:
//   new {connectionString?, endpoint?, key?, hub}  builds the client
//   call {method, args, group?}                    client[method](...args) or
//                                                  client.group(group)[method](...args)
//   listConnections {group, maxPageSize?, top?}    every page of the group's members
//   health {}                                      HEAD /api/health (generated client)
//   odata {strings, values}                        the odata template tag: odata(strings, ...values)
"use strict";

const { WebPubSubServiceClient, AzureKeyCredential, odata } = require("@azure/web-pubsub");
const { serve, fromWire } = require("./rpc.js");

let client;

function need() {
  if (!client) throw new Error("call new first");
  return client;
}

serve({
  new(args) {
    // The emulator serves plain http on loopback; the SDK refuses to send a
    // key over http unless told it is fine.
    const options = { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } };
    client = args.connectionString
      ? new WebPubSubServiceClient(args.connectionString, args.hub, options)
      : new WebPubSubServiceClient(args.endpoint, new AzureKeyCredential(args.key), args.hub, options);
    return { endpoint: client.endpoint, apiVersion: client.apiVersion };
  },
  async call(args) {
    const target = args.group !== undefined ? need().group(args.group) : need();
    const fn = target[args.method];
    if (typeof fn !== "function") throw new Error("no method " + args.method);
    const callArgs = (args.args || []).map(fromWire);
    return await fn.apply(target, callArgs);
  },
  async listConnections(args) {
    const it = await need().group(args.group).listConnections({ top: args.top, maxPageSize: args.maxPageSize });
    const pages = [];
    for await (const page of it.byPage()) {
      pages.push(page);
    }
    return { pages };
  },
  odata(args) {
    // A tagged template passes its literal pieces and then the values.
    return { filter: odata(args.strings, ...args.values) };
  },
  async health() {
    let status;
    await need().client.healthApi.getServiceStatus({
      onResponse: (r) => {
        status = r.status;
      },
    });
    return { status };
  },
});
