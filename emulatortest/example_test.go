package emulatortest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator/fault"
	"github.com/webpubsub-go/webpubsub/emulatortest"
)

// next returns the next value of ch, or "timed out" after 10 seconds.
func next(ch <-chan string) string {
	select {
	case s := <-ch:
		return s
	case <-time.After(10 * time.Second):
		return "timed out"
	}
}

// A back end sends with the service SDK; a Go client receives. In a test,
// emulatortest.New(t, nil) does what Start and Close do here.
func ExampleStart() {
	srv, err := emulatortest.Start(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	received := make(chan string, 1)
	srv.NewClient("chat", &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "alice"}, &client.Options{
		OnServerMessage: func(_ context.Context, m client.ServerMessage) { received <- string(m.Data) },
	})

	svc := srv.ServiceClient("chat", nil) // or your code, given srv.ConnectionString()
	if _, err := svc.SendToUser(context.Background(), "alice", webpubsub.TextMessage("hello, alice"), nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println(next(received))
	// Output: hello, alice
}

// FailREST scripts the service's answers: here the next two sendToAll calls
// are throttled (429). A client without retries sees the error; one with
// retries (the SDK's default policy, with short delays here) gets through.
func Example_failREST() {
	srv, err := emulatortest.Start(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	msg := webpubsub.TextMessage("hello")

	if err := srv.FailREST("sendToAll", 2, fault.Answer{Status: http.StatusTooManyRequests}); err != nil {
		log.Fatal(err)
	}
	noRetry := srv.ServiceClient("chat", &webpubsub.ClientOptions{ClientOptions: azcore.ClientOptions{
		Retry: policy.RetryOptions{MaxRetries: -1},
	}})
	_, err = noRetry.SendToAll(ctx, msg, nil)
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		fmt.Println("without retries:", re.StatusCode, re.ErrorCode)
	}

	withRetry := srv.ServiceClient("chat", &webpubsub.ClientOptions{ClientOptions: azcore.ClientOptions{
		Retry: policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond, MaxRetryDelay: 10 * time.Millisecond},
	}})
	_, err = withRetry.SendToAll(ctx, msg, nil) // 429 once more, then sent
	fmt.Println("with retries:", err)
	// Output:
	// without retries: 429 Error.TooManyRequests
	// with retries: <nil>
}

// DropConnection cuts a client's connection as a network failure would. A
// reliable client (the default protocol) recovers it, and what the service
// sent meanwhile is delivered: no message is lost and the connection keeps
// its id.
func Example_dropConnection() {
	srv, err := emulatortest.Start(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	received := make(chan string, 1)
	c := srv.NewClient("chat", &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "alice"}, &client.Options{
		OnServerMessage: func(_ context.Context, m client.ServerMessage) { received <- string(m.Data) },
	})
	id := c.ConnectionID()

	fmt.Println("dropped:", srv.DropConnection("chat", id))
	svc := srv.ServiceClient("chat", nil)
	if _, err := svc.SendToUser(context.Background(), "alice", webpubsub.TextMessage("sent during the outage"), nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println("received:", next(received))
	fmt.Println("same connection:", c.ConnectionID() == id)
	// Output:
	// dropped: true
	// received: sent during the outage
	// same connection: true
}
