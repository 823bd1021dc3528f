package emulator_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

// Wire the emulator to your event handler: the handler listens first, then
// the emulator calls it for the events you list, with {hub} (and {event},
// if the template has it) filled in. The connect event can accept, reject
// or shape a connection; user events (a client's "event" messages) are
// answered back to the client; connected and disconnected are notices.
func ExampleNew_eventHandler() {
	const key = "ZXhhbXBsZS1hY2Nlc3Mta2V5" // the emulator signs events with it; the handler checks

	// 1. The event handler listens.
	h, err := eventhandler.New("chat", &eventhandler.Options{
		AccessKeys: []string{key},
		OnConnect: func(_ context.Context, req *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
			resp.Groups = []string{"lobby"} // every connection joins the lobby
			return nil
		},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			resp.SetText(fmt.Sprintf("%s says %q (event %s)", req.Context.UserID, req.Data, req.Context.EventName))
			return nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	h.Register(mux) // at /api/webpubsub/hubs/chat/
	handler := httptest.NewServer(mux)
	defer handler.Close()

	// 2. The emulator calls it (the CLI: webpubsub emulator -key ... -upstream URL).
	e, err := emulator.New(&emulator.Options{AccessKey: key, Upstream: []emulator.UpstreamHandler{{
		Hub:              "chat",
		URLTemplate:      handler.URL + "/api/webpubsub/hubs/{hub}",
		UserEventPattern: "*",
		SystemEvents:     []string{"connect", "connected", "disconnected"},
	}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()

	// 3. A client connects and sends a user event; the handler's answer
	// comes back to it.
	ctx := context.Background()
	svc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "chat", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	tok, err := svc.GetClientAccessToken(ctx, &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "alice"})
	if err != nil {
		fmt.Println(err)
		return
	}
	answers := make(chan string, 1)
	c, err := client.New(tok.URL, &client.Options{
		OnServerMessage: func(_ context.Context, m client.ServerMessage) { answers <- string(m.Data) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := c.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer c.Stop(ctx)
	if _, err := c.SendEvent(ctx, "greet", client.Text("hello"), nil); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(<-answers)
	lobby, err := svc.NewGroupClient("lobby").Exists(ctx, nil) // the connect handler put alice there
	fmt.Println("lobby exists:", lobby.Exists, err)
	// Output:
	// alice says "hello" (event greet)
	// lobby exists: true <nil>
}
