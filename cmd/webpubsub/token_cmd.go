package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	webpubsub "github.com/webpubsub-go/webpubsub"
)

// runToken prints a client access URL.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("token", stderr, "-hub <hub> [-user id] [-role r]... [-group g]... [-expires 1h]",
		"Prints a client access URL (ws://...?access_token=...) for the hub, signed with the connection string's key; nothing is sent.",
		"webpubsub token -hub chat -user alice -role webpubsub.joinLeaveGroup -group lobby -expires 2h")
	cs := fs.String("connection-string", "", "connection string (default: $"+envConnectionString+")")
	hub := fs.String("hub", "", "hub name (required)")
	user := fs.String("user", "", "user id of the client")
	expires := durationFlag(time.Hour)
	fs.Var(&expires, "expires", "token lifetime, a duration such as 90m or 2h")
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
	if err := checkNames(*hub, groups...); err != nil {
		return usageError(stderr, fs, "%v", err)
	}
	if expires <= 0 {
		return usageError(stderr, fs, "-expires must be positive: use a duration such as 90m or 2h")
	}
	warnUnknownRoles(stderr, roles)
	conn := connectionString(*cs)
	if conn == "" {
		return usageError(stderr, fs, "no connection string: set %s or use -connection-string", envConnectionString)
	}
	svc, _, err := newServiceClient(conn, *hub)
	if err != nil {
		return fail(stderr, "token", err)
	}
	tok, err := svc.GetClientAccessToken(ctx, &webpubsub.ServiceClientGetClientAccessTokenOptions{
		UserID:       *user,
		Roles:        roles,
		Groups:       groups,
		ExpiresAfter: time.Duration(expires),
	})
	if err != nil {
		return fail(stderr, "token", err)
	}
	fmt.Fprintln(stdout, tok.URL)
	return exitOK
}

// warnUnknownRoles warns about roles the service does not know.
func warnUnknownRoles(stderr io.Writer, roles []string) {
	for _, r := range roles {
		if !knownRole(r) {
			fmt.Fprintf(stderr, "webpubsub token: warning: %q is not a known role; roles are %s or %s, each optionally followed by .<group> (e.g. %s.lobby); the service ignores other roles\n",
				r, roleJoinLeaveGroup, roleSendToGroup, roleSendToGroup)
		}
	}
}

// The client roles of the service.
const (
	roleJoinLeaveGroup = "webpubsub.joinLeaveGroup"
	roleSendToGroup    = "webpubsub.sendToGroup"
)

// knownRole reports whether r is a role the service knows: one of the two
// client roles, alone or scoped to a group ("webpubsub.sendToGroup.lobby").
// Role names are case-sensitive.
func knownRole(r string) bool {
	for _, base := range []string{roleJoinLeaveGroup, roleSendToGroup} {
		if r == base || (strings.HasPrefix(r, base+".") && len(r) > len(base)+1) {
			return true
		}
	}
	return false
}
