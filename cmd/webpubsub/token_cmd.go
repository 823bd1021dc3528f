package main

import (
	"context"
	"fmt"
	"io"
	"time"

	webpubsub "github.com/webpubsub-go/webpubsub"
)

// runToken prints a client access URL.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("token", stderr)
	cs := fs.String("connection-string", "", "connection string (default: $"+envConnectionString+")")
	hub := fs.String("hub", "", "hub name (required)")
	user := fs.String("user", "", "user id of the client")
	expires := fs.Duration("expires", time.Hour, "token lifetime")
	var roles, groups listFlag
	fs.Var(&roles, "role", "role of the client, e.g. webpubsub.joinLeaveGroup (repeatable)")
	fs.Var(&groups, "group", "group the client joins on connect (repeatable)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "unexpected arguments %q", fs.Args())
	}
	if *hub == "" {
		return usageError(stderr, fs, "-hub is required")
	}
	if *expires <= 0 {
		return usageError(stderr, fs, "-expires must be positive")
	}
	conn := connectionString(*cs)
	if conn == "" {
		return usageError(stderr, fs, "no connection string: set %s or use -connection-string", envConnectionString)
	}
	svc, err := webpubsub.NewServiceClientFromConnectionString(conn, *hub, nil)
	if err != nil {
		return fail(stderr, "token", err)
	}
	tok, err := svc.GetClientAccessToken(ctx, &webpubsub.ServiceClientGetClientAccessTokenOptions{
		UserID:       *user,
		Roles:        roles,
		Groups:       groups,
		ExpiresAfter: *expires,
	})
	if err != nil {
		return fail(stderr, "token", err)
	}
	fmt.Fprintln(stdout, tok.URL)
	return exitOK
}
