package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	webpubsub "github.com/webpubsub-go/webpubsub"
)

// maxStdinMessage is the largest message send reads from stdin.
const maxStdinMessage = 1 << 20

// runSend sends a text message to every connection of a hub, or to a group,
// a user or a connection. The text is the arguments joined by spaces, or
// stdin when there are none.
func runSend(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("send", stderr)
	cs := fs.String("connection-string", "", "connection string (default: $"+envConnectionString+")")
	hub := fs.String("hub", "", "hub name (required)")
	group := fs.String("group", "", "send to this group")
	user := fs.String("user", "", "send to this user")
	connection := fs.String("connection", "", "send to this connection")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *hub == "" {
		return usageError(stderr, fs, "-hub is required")
	}
	targets := 0
	for _, v := range []string{*group, *user, *connection} {
		if v != "" {
			targets++
		}
	}
	if targets > 1 {
		return usageError(stderr, fs, "use at most one of -group, -user and -connection")
	}
	conn := connectionString(*cs)
	if conn == "" {
		return usageError(stderr, fs, "no connection string: set %s or use -connection-string", envConnectionString)
	}
	text := strings.Join(fs.Args(), " ")
	if fs.NArg() == 0 {
		b, err := io.ReadAll(io.LimitReader(stdin, maxStdinMessage+1))
		if err != nil {
			return fail(stderr, "send", fmt.Errorf("reading stdin: %w", err))
		}
		if len(b) > maxStdinMessage {
			return fail(stderr, "send", fmt.Errorf("the message on stdin is larger than 1 MiB"))
		}
		text = strings.TrimSuffix(string(b), "\n")
	}
	if text == "" {
		return usageError(stderr, fs, "no message: give it as arguments or on stdin")
	}
	svc, err := webpubsub.NewServiceClientFromConnectionString(conn, *hub, nil)
	if err != nil {
		return fail(stderr, "send", err)
	}
	msg := webpubsub.TextMessage(text)
	switch {
	case *group != "":
		_, err = svc.Group(*group).SendToAll(ctx, msg, nil)
	case *user != "":
		_, err = svc.SendToUser(ctx, *user, msg, nil)
	case *connection != "":
		_, err = svc.SendToConnection(ctx, *connection, msg, nil)
	default:
		_, err = svc.SendToAll(ctx, msg, nil)
	}
	if err != nil {
		return fail(stderr, "send", err)
	}
	fmt.Fprintln(stdout, "sent")
	return exitOK
}
