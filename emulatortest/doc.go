// Package emulatortest runs the Web PubSub emulator for Go tests, in the
// manner of net/http/httptest: one call starts an in-process emulator on
// 127.0.0.1 and the test's cleanup stops it.
//
//	func TestNotify(t *testing.T) {
//		srv := emulatortest.New(t, nil)
//		alice := srv.NewClient("chat", &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "alice"}, &client.Options{
//			OnServerMessage: func(_ context.Context, m client.ServerMessage) { ... },
//		})
//		app := myapp.New(srv.ConnectionString()) // the code under test
//		...
//		srv.DropConnection("chat", alice.ConnectionID()) // a network failure
//	}
//
// A Server embeds the running *emulator.Emulator, so its methods are the
// Server's: the endpoint and key (URL, ConnectionString, AccessKey), the fault
// controls (FailREST, SetRESTLatency, DropConnection, DropAllConnections,
// CloseConnectionWithCode, PauseUpstream, ResumeUpstream, ClearFaults), Reset
// and the live Trace. The Server adds what a test needs around them: a service
// client for a hub (ServiceClient), client access URLs minted with the service
// SDK (ClientURL) and started Go clients that are stopped with the emulator
// (NewClient).
//
// The options are the emulator's (emulator.Options); nil means its defaults:
// a free port on 127.0.0.1, the well-known emulator.DevAccessKey, no event
// handlers and the live trace on. Starting and stopping an emulator takes
// well under a millisecond (see BENCHMARKS.md), so each test can have its
// own: nothing is shared, and parallel tests never see each other's
// connections, groups or faults.
//
// New is for tests and benchmarks: a helper that cannot do what it was asked
// calls t.Fatalf with a message that says what failed. Start is for
// TestMain and runnable examples, where there is no testing.TB: the caller
// closes the Server, and the helpers panic instead, as
// httptest.NewServer does when it cannot listen.
package emulatortest
