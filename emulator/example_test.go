package emulator_test

import (
	"context"
	"fmt"
	"strings"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// An emulator is a drop-in local service: give its connection string to the
// service client (and the client access URLs it issues to clients).
func ExampleNew() {
	e, err := emulator.New(&emulator.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()

	svc, err := webpubsub.NewServiceClientFromConnectionString(e.ConnectionString(), "chat", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	if _, err := svc.SendToAll(ctx, webpubsub.TextMessage("hello"), nil); err != nil {
		fmt.Println(err)
		return
	}
	tok, err := svc.GetClientAccessToken(ctx, &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "alice"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.HasPrefix(e.ConnectionString(), "Endpoint=http://127.0.0.1:"))
	fmt.Println(strings.HasPrefix(tok.URL, "ws://127.0.0.1:"))
	// Output:
	// true
	// true
}
