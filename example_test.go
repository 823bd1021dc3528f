package webpubsub_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/webpubsub-go/webpubsub"
)

// fakeService stands in for Web PubSub in the examples: it accepts every
// request, prints what it received, and lists two members of any group.
func fakeService() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Printf("service got %s %s\n", r.Method, r.URL.Path)
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/connections"):
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"value": []map[string]string{
				{"connectionId": "c1", "userId": "alice"}, {"connectionId": "c2"}}})
		case r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/users/"):
			w.WriteHeader(http.StatusNotFound)
		case strings.HasSuffix(r.URL.Path, "/:send"):
			w.WriteHeader(http.StatusAccepted)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
}

func ExampleNewServiceClientFromConnectionString() {
	srv := fakeService()
	defer srv.Close()

	client, err := webpubsub.NewServiceClientFromConnectionString(
		"Endpoint="+srv.URL+";AccessKey=<access-key>;Version=1.0;", "chat", nil)
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.SendToAll(context.Background(), webpubsub.TextMessage("Hello, everyone"), nil)
	fmt.Println("sent:", err == nil)
	// Output:
	// service got POST /api/hubs/chat/:send
	// sent: true
}

func ExampleServiceClient_SendToAll() {
	srv := fakeService()
	defer srv.Close()
	client, err := webpubsub.NewServiceClientWithKey(srv.URL, azcore.NewKeyCredential("<access-key>"), "chat", nil)
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	// JSON to every connection except c1, kept for 30 s for slow clients.
	_, err = client.SendToAll(ctx, webpubsub.JSONMessage(map[string]string{"text": "hi"}), &webpubsub.ServiceClientSendToAllOptions{
		Excluded:          []string{"c1"},
		MessageTTLSeconds: 30,
	})
	fmt.Println(err)
	// Bytes to one user's connections that are in group "vip".
	_, err = client.SendToUser(ctx, "alice", webpubsub.BinaryMessage([]byte{1, 2, 3}), &webpubsub.ServiceClientSendToUserOptions{
		Filter: webpubsub.MustFilter("{0} in groups", "vip"),
	})
	fmt.Println(err)
	// Output:
	// service got POST /api/hubs/chat/:send
	// <nil>
	// service got POST /api/hubs/chat/users/alice/:send
	// <nil>
}

func ExampleServiceClient_NewGroupClient() {
	srv := fakeService()
	defer srv.Close()
	client, err := webpubsub.NewServiceClientWithKey(srv.URL, azcore.NewKeyCredential("<access-key>"), "chat", nil)
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	room := client.NewGroupClient("room 1")
	if _, err := room.AddConnection(ctx, "c1", nil); err != nil {
		log.Fatal(err)
	}
	if _, err := room.SendToAll(ctx, webpubsub.TextMessage("welcome"), nil); err != nil {
		log.Fatal(err)
	}
	pager := room.NewListConnectionsPager(&webpubsub.GroupClientListConnectionsOptions{MaxPageSize: 100})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			log.Fatal(err)
		}
		for _, m := range page.Value {
			fmt.Printf("member %s (user %q)\n", m.ConnectionID, m.UserID)
		}
	}
	// Output:
	// service got PUT /api/hubs/chat/groups/room 1/connections/c1
	// service got POST /api/hubs/chat/groups/room 1/:send
	// service got GET /api/hubs/chat/groups/room 1/connections
	// member c1 (user "alice")
	// member c2 (user "")
}

func ExampleServiceClient_UserExists() {
	srv := fakeService()
	defer srv.Close()
	client, err := webpubsub.NewServiceClientWithKey(srv.URL, azcore.NewKeyCredential("<access-key>"), "chat", nil)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.UserExists(context.Background(), "bob", nil)
	fmt.Println(resp.Exists, err)
	// Output:
	// service got HEAD /api/hubs/chat/users/bob
	// false <nil>
}

func ExampleServiceClient_GrantPermission() {
	srv := fakeService()
	defer srv.Close()
	client, err := webpubsub.NewServiceClientWithKey(srv.URL, azcore.NewKeyCredential("<access-key>"), "chat", nil)
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.GrantPermission(context.Background(), webpubsub.PermissionSendToGroup, "c1",
		&webpubsub.ServiceClientGrantPermissionOptions{TargetName: "room1"})
	fmt.Println(err)
	// Output:
	// service got PUT /api/hubs/chat/permissions/sendToGroup/connections/c1
	// <nil>
}

func ExampleServiceClient_GetClientAccessToken() {
	client, err := webpubsub.NewServiceClientFromConnectionString(
		"Endpoint=https://contoso.webpubsub.azure.com;AccessKey=<access-key>;Version=1.0;", "chat", nil)
	if err != nil {
		log.Fatal(err)
	}
	// Signed locally with the access key; no request is made.
	tok, err := client.GetClientAccessToken(context.Background(), &webpubsub.ServiceClientGetClientAccessTokenOptions{
		UserID: "alice",
		Roles:  []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.room1"},
		Groups: []string{"room1"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.BaseURL)
	fmt.Println(strings.HasPrefix(tok.URL, tok.BaseURL+"?access_token="))
	fmt.Println(time.Until(tok.ExpiresOn).Round(time.Minute)) // the default lifetime
	// Output:
	// wss://contoso.webpubsub.azure.com/client/hubs/chat
	// true
	// 1h0m0s
}

func ExampleFilter() {
	fmt.Println(webpubsub.Filter("userId eq {0} and {1} in groups", "O'Neil", "room 1"))
	fmt.Println(webpubsub.Filter("length(userId) gt {0} or {1}", 3, false))
	// Inside quotes a value is only escaped, as with the JS SDK's odata tag.
	fmt.Println(webpubsub.Filter("startswith(userId, '{0}-')", "vic's"))
	// A missing argument is an error, not a filter that matches no one.
	fmt.Println(webpubsub.Filter("userId eq {0}"))
	// Output:
	// userId eq 'O''Neil' and 'room 1' in groups <nil>
	// length(userId) gt 3 or false <nil>
	// startswith(userId, 'vic''s-') <nil>
	//  webpubsub: filter placeholder {0} has no argument (0 given)
}

func ExampleMustFilter() {
	// For formats that are constants of the program.
	fmt.Println(webpubsub.MustFilter("{0} in groups", "vip"))
	// Output:
	// 'vip' in groups
}

func ExampleParseConnectionString() {
	cs, err := webpubsub.ParseConnectionString("Endpoint=http://localhost;Port=8080;AccessKey=<access-key>;Version=1.0;")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cs.Endpoint)
	fmt.Println(cs) // the key is redacted
	// Output:
	// http://localhost:8080
	// Endpoint=http://localhost:8080;AccessKey=REDACTED;Version=1.0;
}

func Example_errors() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-ms-error-code", "Info.Connection.NotExisted")
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	client, err := webpubsub.NewServiceClientWithKey(srv.URL, azcore.NewKeyCredential("<access-key>"), "chat", nil)
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.GrantPermission(context.Background(), webpubsub.PermissionJoinLeaveGroup, "gone", nil)
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		fmt.Println(re.StatusCode, re.ErrorCode)
	}
	// Output:
	// 404 Info.Connection.NotExisted
}

func ExampleNewServiceClient() {
	// Any azcore.TokenCredential works, e.g. azidentity.NewDefaultAzureCredential.
	var cred azcore.TokenCredential = staticToken("<entra-id-token>")
	client, err := webpubsub.NewServiceClient("https://contoso.webpubsub.azure.com", cred, "chat", nil)
	if err != nil {
		log.Fatal(err)
	}
	// With Entra ID the service issues client tokens (POST :generateToken).
	_, _ = client.GetClientAccessToken(context.Background(), &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: "alice"})
}

// staticToken is a stand-in credential for the example.
type staticToken string

func (s staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(s), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func ExampleGroupClient_NewListConnectionsPager() {
	// A service that lists one member per page.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("continuationToken") == "" {
			_, _ = io.WriteString(w, `{"value":[{"connectionId":"c1","userId":"alice"}],`+
				`"nextLink":"/api/hubs/chat/groups/room1/connections?maxpagesize=1&continuationToken=after-c1"}`)
			return
		}
		_, _ = io.WriteString(w, `{"value":[{"connectionId":"c2","userId":"bob"}]}`)
	}))
	defer srv.Close()
	client, err := webpubsub.NewServiceClientWithKey(srv.URL, azcore.NewKeyCredential("<access-key>"), "chat", nil)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// Read one page, then stop (a request handler that shows one page at a time).
	pager := client.NewGroupClient("room1").NewListConnectionsPager(&webpubsub.GroupClientListConnectionsOptions{MaxPageSize: 1})
	page, err := pager.NextPage(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Value[0].ConnectionID, "next:", page.ContinuationToken)

	// Later, resume from the token with a new pager.
	pager = client.NewGroupClient("room1").NewListConnectionsPager(&webpubsub.GroupClientListConnectionsOptions{
		MaxPageSize: 1, ContinuationToken: page.ContinuationToken})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			log.Fatal(err)
		}
		for _, m := range page.Value {
			fmt.Println(m.ConnectionID, m.UserID)
		}
	}
	// Output:
	// c1 next: after-c1
	// c2 bob
}

func ExampleServiceClient_AddConnectionsToGroups() {
	srv := fakeService()
	defer srv.Close()
	client, err := webpubsub.NewServiceClientWithKey(srv.URL, azcore.NewKeyCredential("<access-key>"), "chat", nil)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	// The connections of users whose id starts with "staff-".
	_, err = client.AddConnectionsToGroups(ctx, []string{"staff"}, webpubsub.MustFilter("startswith(userId, '{0}')", "staff-"), nil)
	fmt.Println(err)
	// An empty filter would mean every connection of the hub: it must be asked for.
	_, err = client.AddConnectionsToGroups(ctx, []string{"everyone"}, "", nil)
	fmt.Println(err != nil)
	_, err = client.AddConnectionsToGroups(ctx, []string{"everyone"}, "",
		&webpubsub.ServiceClientAddConnectionsToGroupsOptions{AllConnections: true})
	fmt.Println(err)
	// Output:
	// service got POST /api/hubs/chat/:addToGroups
	// <nil>
	// true
	// service got POST /api/hubs/chat/:addToGroups
	// <nil>
}
