package client_test

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

// exampleURL returns a client access URL of hub "chat" for user.
func exampleURL(ctx context.Context, e *emulator.Emulator, user string) string {
	sc, _ := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "chat", nil)
	tok, err := sc.GetClientAccessToken(ctx, &webpubsub.ServiceClientGetClientAccessTokenOptions{
		UserID: user,
		Roles:  []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"},
	})
	if err != nil {
		panic(err)
	}
	return tok.URL
}

// A client invokes an upstream event and gets the event handler's answer
// (request/response, like the JS client's invokeEvent).
func ExampleClient_InvokeEvent() {
	ctx := context.Background()
	// The upstream: an event handler answering the "add" event.
	h, _ := eventhandler.New("chat", &eventhandler.Options{
		AccessKeys: []string{"example-key"},
		OnUserEvent: func(ctx context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			resp.SetText("you sent " + string(req.Data))
			return nil
		},
	})
	mux := http.NewServeMux()
	h.Register(mux)
	up := httptest.NewServer(mux)
	defer up.Close()
	e, err := emulator.New(&emulator.Options{AccessKey: "example-key", Upstream: []emulator.UpstreamHandler{{
		URLTemplate: up.URL + h.Path(), UserEventPattern: "*",
	}}})
	if err != nil {
		panic(err)
	}
	defer e.Close()

	c, _ := client.New(exampleURL(ctx, e, "alice"), nil)
	if err := c.Start(ctx); err != nil {
		panic(err)
	}
	defer c.Stop(ctx)
	res, err := c.InvokeEvent(ctx, "add", client.Text("1+2"), nil)
	if err != nil {
		panic(err) // an *InvocationError when the upstream failed
	}
	fmt.Printf("invocation %s: %s (%s)\n", res.InvocationID, res.Data, res.DataType)
	// Output: invocation 1: you sent 1+2 (text)
}

// One client streams fragments to a group; another reads the stream whole,
// in order, until the sender ends it.
func ExampleClient_OpenGroupStream() {
	ctx := context.Background()
	e, err := emulator.New(&emulator.Options{})
	if err != nil {
		panic(err)
	}
	defer e.Close()

	reader, _ := client.New(exampleURL(ctx, e, "bob"), nil)
	if err := reader.Start(ctx); err != nil {
		panic(err)
	}
	defer reader.Stop(ctx)
	streams := reader.SubscribeGroupStreams(nil)
	defer streams.Close()
	if _, err := reader.JoinGroup(ctx, "llm", nil); err != nil {
		panic(err)
	}

	writer, _ := client.New(exampleURL(ctx, e, "alice"), nil)
	if err := writer.Start(ctx); err != nil {
		panic(err)
	}
	defer writer.Stop(ctx)
	w, err := writer.OpenGroupStream(ctx, "llm", nil)
	if err != nil {
		panic(err)
	}
	for _, token := range []string{"Hello", ", ", "world"} {
		if err := w.Write(ctx, client.Text(token)); err != nil {
			panic(err)
		}
	}
	if err := w.End(ctx); err != nil {
		panic(err)
	}

	s, err := streams.Next(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Printf("stream from %s:", s.FromUserID)
	for f, err := range s.Fragments(ctx) {
		if err != nil {
			panic(err) // e.g. a *StreamError after the sender's Abort
		}
		fmt.Printf(" %q", f.Data)
	}
	fmt.Println()
	// Output: stream from alice: "Hello" ", " "world"
}
