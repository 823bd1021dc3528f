package client_test

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/types/known/wrapperspb"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// A client on the reliable protobuf subprotocol publishes a protobuf message
// packed in an Any and unpacks the copy it receives.
func ExampleProtobuf() {
	e, err := emulator.New(&emulator.Options{})
	if err != nil {
		panic(err)
	}
	defer e.Close()
	ctx := context.Background()
	sc, _ := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "chat", nil)
	tok, err := sc.GetClientAccessToken(ctx, &webpubsub.ServiceClientGetClientAccessTokenOptions{
		Roles: []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"},
	})
	if err != nil {
		panic(err)
	}

	received := make(chan client.GroupMessage, 1)
	c, err := client.New(tok.URL, &client.Options{
		Protocol:       client.ProtocolProtobufReliable,
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
	if _, err := c.SendToGroup(ctx, "room", client.Protobuf(wrapperspb.String("hello")), nil); err != nil {
		panic(err)
	}
	m := <-received
	a, err := m.Any()
	if err != nil {
		panic(err)
	}
	var s wrapperspb.StringValue
	if err := a.UnmarshalTo(&s); err != nil {
		panic(err)
	}
	fmt.Printf("%s: %s (%s)\n", a.GetTypeUrl(), s.GetValue(), m.DataType)
	// Output: type.googleapis.com/google.protobuf.StringValue: hello (protobuf)
}
