package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	webpubsub "github.com/webpubsub-go/webpubsub"
)

// maxStdinMessage is the largest message send reads from stdin.
const maxStdinMessage = 1 << 20

// exitInterrupted is the exit code after Ctrl+C (128 + SIGINT), as shells use.
const exitInterrupted = 130

// runSend sends a text message to every connection of a hub, or to a group,
// a user or a connection. The text is the arguments after the flags joined
// by spaces, or stdin when there are none.
func runSend(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("send", stderr)
	cs := fs.String("connection-string", "", "connection string (default: $"+envConnectionString+")")
	hub := fs.String("hub", "", "hub name (required)")
	group := fs.String("group", "", "send to this group")
	user := fs.String("user", "", "send to this user")
	connection := fs.String("connection", "", "send to this connection")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: webpubsub send -hub <hub> [-group g | -user id | -connection id] [flags] [message text...]

Sends a text message to every connection of the hub, or to one group, user or
connection. The message is the arguments after the flags, joined by spaces;
with no arguments it is read from standard input (up to 1 MiB; end it with
Ctrl+D on a terminal). Flags go before the message; use -- before a message
that starts with "-".

flags:
`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *hub == "" {
		return usageError(stderr, fs, "-hub is required")
	}
	if f := flagAfterText(args, fs.Args()); f != "" {
		return usageError(stderr, fs, "%s comes after the message text: put flags before the text (webpubsub send -hub chat -group lobby hello), or use -- if the text starts with \"-\"", f)
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
	svc, parsed, err := newServiceClient(conn, *hub)
	if err != nil {
		return fail(stderr, "send", err)
	}
	text := strings.Join(fs.Args(), " ")
	if fs.NArg() == 0 {
		if isTerminal(stdin) {
			fmt.Fprintln(stderr, "webpubsub send: type the message, then Ctrl+D (Ctrl+C cancels)")
		}
		text, err = readStdin(ctx, stdin)
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "webpubsub send: cancelled, nothing was sent")
			return exitInterrupted
		}
		if err != nil {
			return fail(stderr, "send", err)
		}
	}
	if text == "" {
		return usageError(stderr, fs, "no message: give it as arguments after the flags or on standard input")
	}
	if err := checkReachable(ctx, parsed.Endpoint); err != nil {
		return fail(stderr, "send", err)
	}
	msg := webpubsub.TextMessage(text)
	to := "every connection of hub " + *hub
	switch {
	case *group != "":
		to = "group " + *group
		_, err = svc.NewGroupClient(*group).SendToAll(ctx, msg, nil)
	case *user != "":
		to = "user " + *user
		_, err = svc.SendToUser(ctx, *user, msg, nil)
	case *connection != "":
		to = "connection " + *connection
		_, err = svc.SendToConnection(ctx, *connection, msg, nil)
	default:
		_, err = svc.SendToAll(ctx, msg, nil)
	}
	if err != nil {
		return fail(stderr, "send", err)
	}
	// 202 Accepted: the service took the message; delivery is asynchronous.
	fmt.Fprintf(stdout, "accepted by the service for %s\n", to)
	return exitOK
}

// flagAfterText returns the first argument after the message text that
// looks like a flag ("-group"), or "". The flag package stops at the first
// non-flag argument, so "send -hub h hello -group g" would otherwise send
// "hello -group g" to the whole hub. After "--" everything is text.
func flagAfterText(args, rest []string) string {
	for i, a := range args {
		if a == "--" && len(args)-i-1 == len(rest) {
			return ""
		}
	}
	for _, a := range rest {
		if len(a) > 1 && a[0] == '-' {
			return a
		}
	}
	return ""
}

// readStdin reads the message from r (at most maxStdinMessage bytes); it
// returns context.Canceled as soon as ctx is done, even while a terminal
// read is blocked.
func readStdin(ctx context.Context, r io.Reader) (string, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(io.LimitReader(r, maxStdinMessage+1))
		done <- result{b, err}
	}()
	select {
	case <-ctx.Done():
		// The reading goroutine ends with the process (or when r ends).
		return "", context.Canceled
	case res := <-done:
		if res.err != nil {
			return "", fmt.Errorf("reading standard input: %w", res.err)
		}
		if len(res.b) > maxStdinMessage {
			return "", errors.New("the message on standard input is larger than 1 MiB")
		}
		return strings.TrimSuffix(string(res.b), "\n"), nil
	}
}

// isTerminal reports whether r is a terminal (a character device).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
