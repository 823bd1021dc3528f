// Package interop holds no code: its tests prove the emulator, the client
// and the event handler against the official Azure Web PubSub JavaScript
// packages pinned in package.json (@azure/web-pubsub, @azure/web-pubsub-client,
// @azure/web-pubsub-express). The tests start the emulator, run the Node
// scripts under js/ with a deadline and assert on what they report.
//
// Run them with
//
//	go test ./interop/...
//
// They need node (20 or newer) on PATH: without it they skip locally and fail
// when CI=true. When interop/node_modules is missing or holds other versions
// than package-lock.json pins, the tests run "npm ci --prefer-offline" in
// interop/ themselves; if that fails they fail and say to run "npm ci" there.
package interop
