package client_test

import (
	"context"
	"fmt"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// A client joins a group, publishes to it and receives its own message.
func Example() {
	e, err := emulator.New(&emulator.Options{})
	if err != nil {
		panic(err)
	}
	defer e.Close()
	ctx := context.Background()
	sc, _ := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "chat", nil)
	tok, err := sc.GetClientAccessToken(ctx, &webpubsub.ServiceClientGetClientAccessTokenOptions{
		UserID: "alice",
		Roles:  []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"},
	})
	if err != nil {
		panic(err)
	}

	received := make(chan client.GroupMessage, 1)
	c, err := client.New(tok.URL, &client.Options{
		OnGroupMessage: func(_ context.Context, m client.GroupMessage) { received <- m },
	})
	if err != nil {
		panic(err)
	}
	if err := c.Start(ctx); err != nil {
		panic(err)
	}
	defer c.Stop(ctx)

	if _, err := c.JoinGroup(ctx, "room", nil); err != nil {
		panic(err)
	}
	if _, err := c.SendToGroup(ctx, "room", client.Text("hello"), nil); err != nil {
		panic(err)
	}
	m := <-received
	fmt.Printf("%s in %s: %s (%s)\n", m.FromUserID, m.Group, m.Data, m.DataType)
	// Output: alice in room: hello (text)
}
