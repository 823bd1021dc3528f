package main

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

const (
	// hubName is the Web PubSub hub of the sample. A hub isolates one
	// application's connections, groups and event handler settings.
	hubName = "sample_chat"
	// chatGroup is the group everyone chats in. The page joins it itself;
	// its access token only allows joining and sending to this group.
	chatGroup = "chat"
	// eventHandlerPath is where the service posts upstream events. Configure
	// the hub's event handler URL template as
	// https://<this server>/eventhandler/{event} with the system events
	// "connected" and "disconnected".
	eventHandlerPath = "/eventhandler/"
	// maxUserNameLen bounds the length of a user name, in characters.
	maxUserNameLen = 32
)

// clientRoles are the permissions each chat user gets: join (and leave) the
// chat group and send to it. Nothing else, so a page cannot join other groups.
var clientRoles = []string{
	"webpubsub.joinLeaveGroup." + chatGroup,
	"webpubsub.sendToGroup." + chatGroup,
}

//go:embed static
var staticFiles embed.FS

// negotiateResponse is the body of GET /negotiate.
type negotiateResponse struct {
	// URL is the client access URL: the hub's WebSocket endpoint with an
	// access token for the user.
	URL string `json:"url"`
}

// chatServer is the sample's application server.
type chatServer struct {
	service *webpubsub.ServiceClient
	log     *slog.Logger
}

// newServer returns the sample's HTTP handler for the Web PubSub resource of
// connectionString:
//
//	GET  /                    the chat page (static/)
//	GET  /negotiate?user=NAME {"url": "<client access URL for NAME>"}
//	POST /eventhandler/EVENT  upstream events from the service
//
// logger may be nil.
func newServer(connectionString string, logger *slog.Logger) (http.Handler, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cs, err := webpubsub.ParseConnectionString(connectionString)
	if err != nil {
		return nil, err
	}
	service, err := webpubsub.NewServiceClientFromConnectionString(connectionString, hubName, nil)
	if err != nil {
		return nil, err
	}
	s := &chatServer{service: service, log: logger}

	events, err := eventhandler.New(hubName, &eventhandler.Options{
		Path: eventHandlerPath,
		// Every event must be signed with the resource's access key, and
		// only the resource's endpoint may call the handler.
		ConnectionString: connectionString,
		AllowedEndpoints: []string{cs.Endpoint},
		OnConnected:      s.onConnected,
		OnDisconnected:   s.onDisconnected,
	})
	if err != nil {
		return nil, err
	}

	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /negotiate", s.negotiate)
	// The service validates the handler with OPTIONS (abuse protection), then
	// POSTs each event to /eventhandler/<event>.
	events.Register(mux)
	return mux, nil
}

// negotiate issues a client access URL for the user named in the query.
//
// This sample trusts any name. A real application would take the user id from
// its own sign-in session instead, since the token is what the service trusts.
func (s *chatServer) negotiate(w http.ResponseWriter, r *http.Request) {
	user, err := userName(r.URL.Query().Get("user"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	tok, err := s.service.GetClientAccessToken(r.Context(), &webpubsub.ServiceClientGetClientAccessTokenOptions{
		UserID: user,
		Roles:  clientRoles,
	})
	if err != nil {
		s.log.Error("negotiate: cannot issue a client access token", "user", user, "err", err)
		http.Error(w, "cannot issue a client access token", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store") // the URL carries a bearer token
	_ = json.NewEncoder(w).Encode(negotiateResponse{URL: tok.URL})
}

// userName checks a user name from the page: 1 to maxUserNameLen characters
// of printable text, surrounding spaces removed.
func userName(raw string) (string, error) {
	name := strings.TrimSpace(raw)
	switch {
	case name == "":
		return "", fmt.Errorf("the user query parameter is required")
	case !utf8.ValidString(name):
		return "", fmt.Errorf("the user name is not valid UTF-8")
	case utf8.RuneCountInString(name) > maxUserNameLen:
		return "", fmt.Errorf("the user name is longer than %d characters", maxUserNameLen)
	case strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return "", fmt.Errorf("the user name contains a control or unprintable character")
	}
	return name, nil
}

// onConnected announces a new user to the chat group. The service sends the
// event after the connection is established, without waiting for it, so
// everyone already in the group sees the notice; whether the new user sees it
// too depends on whether their page joined the group first.
func (s *chatServer) onConnected(ctx context.Context, req *eventhandler.ConnectedRequest) {
	s.announce(ctx, req.Context.UserID+" joined the chat")
}

// onDisconnected tells the chat group that a user left.
func (s *chatServer) onDisconnected(ctx context.Context, req *eventhandler.DisconnectedRequest) {
	s.announce(ctx, req.Context.UserID+" left the chat")
}

// announce sends a notice to everyone in the chat group through the REST API.
// It arrives as a message of the group without a sender (no fromUserId),
// which the page shows as a notice.
func (s *chatServer) announce(ctx context.Context, text string) {
	if _, err := s.service.NewGroupClient(chatGroup).SendToAll(ctx, webpubsub.TextMessage(text), nil); err != nil {
		s.log.Error("cannot announce to the chat group", "text", text, "err", err)
	}
}
