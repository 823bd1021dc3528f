package main

import (
	"context"
	"fmt"
	"io"
	"time"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
)

// listenStopTimeout bounds closing the connection after Ctrl+C.
const listenStopTimeout = 5 * time.Second

// listenFlags are the flags of the listen command.
type listenFlags struct {
	cs, hub, group, user string
	asJSON               bool
}

// runListen connects as a client and prints every message that arrives,
// one line each, until ctx is done (Ctrl+C). Connection events (a drop, the
// recovery, a new connection) go to stderr as they happen.
func runListen(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("listen", stderr, "-hub <hub> [-group g] [-user id] [-json]",
		"Connects to the hub as a client and prints every message it receives, one line each, until Ctrl+C; connection events go to standard error.",
		"webpubsub listen -hub chat -group lobby -user alice")
	var f listenFlags
	fs.StringVar(&f.cs, "connection-string", "", "connection string (default: $"+envConnectionString+")")
	fs.StringVar(&f.hub, "hub", "", "hub name (required)")
	fs.StringVar(&f.group, "group", "", "also receive the messages of this group (joined on connect)")
	fs.StringVar(&f.user, "user", "", "connect as this user id (receives messages sent to the user)")
	fs.BoolVar(&f.asJSON, "json", false, "print each message as a JSON object (type, group, fromUserId, dataType, data; binary data in base64)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if msg := f.check(fs.Args()); msg != "" {
		return usageError(stderr, fs, "%s", msg)
	}
	conn := connectionString(f.cs)
	if conn == "" {
		return usageError(stderr, fs, "no connection string: set %s or use -connection-string", envConnectionString)
	}
	url, err := f.clientURL(ctx, conn)
	if err != nil {
		return fail(stderr, "listen", err)
	}
	p := &listenPrinter{stdout: stdout, stderr: stderr, asJSON: f.asJSON, hub: f.hub, who: describe(f.user, f.group)}
	c, err := client.New(url, p.options())
	if err != nil {
		return fail(stderr, "listen", err)
	}
	p.client = c
	if err := c.Start(ctx); err != nil {
		if ctx.Err() != nil {
			return exitInterrupted
		}
		return fail(stderr, "listen", err)
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), listenStopTimeout)
	defer cancel()
	if err := c.Stop(stopCtx); err != nil {
		return fail(stderr, "listen", err)
	}
	p.note("stopped")
	return exitOK
}

// check returns what is wrong with the flags, or "".
func (f *listenFlags) check(rest []string) string {
	if len(rest) > 0 {
		return fmt.Sprintf("unexpected arguments %q", rest)
	}
	if f.hub == "" {
		return "-hub is required"
	}
	var groups []string
	if f.group != "" {
		groups = append(groups, f.group)
	}
	if err := checkNames(f.hub, groups...); err != nil {
		return err.Error()
	}
	return ""
}

// clientURL returns a client access URL for the flags, once the endpoint
// accepts connections.
func (f *listenFlags) clientURL(ctx context.Context, conn string) (string, error) {
	svc, parsed, err := newServiceClient(conn, f.hub)
	if err != nil {
		return "", err
	}
	opts := &webpubsub.ServiceClientGetClientAccessTokenOptions{UserID: f.user, ExpiresAfter: 24 * time.Hour}
	if f.group != "" {
		opts.Groups = []string{f.group}
	}
	tok, err := svc.GetClientAccessToken(ctx, opts)
	if err != nil {
		return "", err
	}
	if err := checkReachable(ctx, parsed.Endpoint); err != nil {
		return "", err
	}
	return tok.URL, nil
}
