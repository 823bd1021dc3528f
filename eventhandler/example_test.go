package eventhandler_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/webpubsub-go/webpubsub/eventhandler"
)

// A chat upstream: connections are accepted under the name in their query,
// join the lobby, and user events are answered with the number of events the
// connection sent so far (kept in the connection state).
func Example() {
	const key = "access-key"
	h, err := eventhandler.New("chat", &eventhandler.Options{
		AccessKeys: []string{key},
		OnConnect: func(_ context.Context, req *eventhandler.ConnectRequest, resp *eventhandler.ConnectResponse) error {
			name := req.Query.Get("name")
			if name == "" {
				return eventhandler.Fail(http.StatusUnauthorized, "a name is required")
			}
			resp.UserID = name
			resp.Groups = []string{"lobby"}
			return nil
		},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			n, _ := req.Context.State["sent"].(float64)
			resp.SetText(fmt.Sprintf("%s sent %d events", req.Context.UserID, int(n)+1))
			return resp.SetState("sent", n+1)
		},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// What the service sends for a connect event: the signature is the
	// HMAC-SHA256 of the connection id keyed with the access key.
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte("conn-1"))
	req, _ := http.NewRequest(http.MethodPost, srv.URL+h.Path(), strings.NewReader(`{"query":{"name":["ann"]}}`))
	req.Header.Set("ce-type", "azure.webpubsub.sys.connect")
	req.Header.Set("ce-hub", "chat")
	req.Header.Set("ce-connectionId", "conn-1")
	req.Header.Set("ce-signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 {"userId":"ann","groups":["lobby"]}
}
