// Package eventhandler serves the upstream side of Azure Web PubSub: an
// http.Handler that receives the service's CloudEvents (connect, connected,
// disconnected and user events), answers the abuse-protection handshake,
// checks the ce-signature of every event and lets the application accept or
// reject connections, answer user events and keep per-connection state.
//
// It plays the role of the JavaScript package @azure/web-pubsub-express with
// idiomatic Go shapes: request and response structs, a context first, and
// errors instead of callbacks.
//
//	h, err := eventhandler.New("chat", &eventhandler.Options{
//		AccessKeys: []string{key},
//		OnConnect: func(ctx context.Context, req *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
//			resp.UserID = req.Query.Get("name")
//			return nil
//		},
//	})
//	mux := http.NewServeMux()
//	h.Register(mux)
package eventhandler
