package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
)

// listenStopTimeout bounds closing the connection after Ctrl+C.
const listenStopTimeout = 5 * time.Second

// listenLine is one received message in -json output.
type listenLine struct {
	// Type is "group" or "server".
	Type       string `json:"type"`
	Group      string `json:"group,omitempty"`
	FromUserID string `json:"fromUserId,omitempty"`
	// DataType is "text", "json", "binary" or "protobuf".
	DataType string `json:"dataType"`
	// Data is the text, the JSON value, or base64 for binary data.
	Data any `json:"data"`
}

// runListen connects as a client and prints every message that arrives,
// one line each, until ctx is done (Ctrl+C).
func runListen(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("listen", stderr)
	cs := fs.String("connection-string", "", "connection string (default: $"+envConnectionString+")")
	hub := fs.String("hub", "", "hub name (required)")
	group := fs.String("group", "", "also receive the messages of this group (joined on connect)")
	user := fs.String("user", "", "connect as this user id (receives messages sent to the user)")
	asJSON := fs.Bool("json", false, "print each message as a JSON object (type, group, fromUserId, dataType, data; binary data in base64)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: webpubsub listen -hub <hub> [-group g] [-user id] [-json]

Connects to the hub as a client and prints every message it receives, one
line each, until Ctrl+C. Connection events go to standard error.

flags:
`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "unexpected arguments %q", fs.Args())
	}
	if *hub == "" {
		return usageError(stderr, fs, "-hub is required")
	}
	conn := connectionString(*cs)
	if conn == "" {
		return usageError(stderr, fs, "no connection string: set %s or use -connection-string", envConnectionString)
	}
	svc, parsed, err := newServiceClient(conn, *hub)
	if err != nil {
		return fail(stderr, "listen", err)
	}
	opts := &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: *user, ExpiresAfter: 24 * time.Hour}
	if *group != "" {
		opts.Groups = []string{*group}
	}
	tok, err := svc.GetClientAccessToken(ctx, opts)
	if err != nil {
		return fail(stderr, "listen", err)
	}
	if err := checkReachable(ctx, parsed.Endpoint); err != nil {
		return fail(stderr, "listen", err)
	}

	var mu sync.Mutex // one line at a time
	print := func(l listenLine) {
		mu.Lock()
		defer mu.Unlock()
		if *asJSON {
			b, err := json.Marshal(l)
			if err == nil {
				fmt.Fprintf(stdout, "%s\n", b)
			}
			return
		}
		from := "server"
		if l.Type == "group" {
			from = "group " + l.Group
			if l.FromUserID != "" {
				from += " from " + l.FromUserID
			}
		}
		data, _ := l.Data.(string)
		if raw, ok := l.Data.(json.RawMessage); ok {
			data = string(raw)
		}
		if l.DataType == "binary" || l.DataType == "protobuf" {
			data = "(" + l.DataType + ", base64) " + data
		}
		// One line per message: newlines inside the text are escaped.
		data = strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(data)
		fmt.Fprintf(stdout, "%s: %s\n", from, data)
	}
	note := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stderr, "webpubsub listen: "+format+"\n", args...)
	}
	c, err := client.New(tok.URL, &client.Options{
		OnConnected: func(_ context.Context, e client.ConnectedEvent) {
			note("connected to hub %s as connection %s%s; press Ctrl+C to stop", *hub, e.ConnectionID, describe(*user, *group))
		},
		OnDisconnected: func(_ context.Context, e client.DisconnectedEvent) {
			if e.Err != nil {
				note("disconnected (%s); reconnecting", errorText(e.Err))
			}
		},
		OnServerMessage: func(_ context.Context, m client.ServerMessage) {
			print(listenLine{Type: "server", DataType: string(m.DataType), Data: dataValue(string(m.DataType), m.Data)})
		},
		OnGroupMessage: func(_ context.Context, m client.GroupMessage) {
			print(listenLine{Type: "group", Group: m.Group, FromUserID: m.FromUserID, DataType: string(m.DataType), Data: dataValue(string(m.DataType), m.Data)})
		},
	})
	if err != nil {
		return fail(stderr, "listen", err)
	}
	if err := c.Start(ctx); err != nil {
		if ctx.Err() != nil {
			return exitInterrupted
		}
		return fail(stderr, "listen", fmt.Errorf("connecting: %w", err))
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), listenStopTimeout)
	defer cancel()
	if err := c.Stop(stopCtx); err != nil {
		return fail(stderr, "listen", err)
	}
	note("stopped")
	return exitOK
}

// describe says who the listener is for the connected line.
func describe(user, group string) string {
	var parts []string
	if user != "" {
		parts = append(parts, "user "+user)
	}
	if group != "" {
		parts = append(parts, "in group "+group)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// dataValue returns data as -json prints it: text as a string, JSON as
// itself, anything else in base64.
func dataValue(dataType string, data []byte) any {
	switch dataType {
	case "text":
		return string(data)
	case "json":
		if json.Valid(data) {
			return json.RawMessage(data)
		}
		return string(data)
	default:
		return base64.StdEncoding.EncodeToString(data)
	}
}
