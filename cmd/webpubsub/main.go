// Command webpubsub is the command-line tool of the Azure Web PubSub Go
// toolkit:
//
//	webpubsub emulator [-addr 127.0.0.1:8080] [-key <base64> | -random-key] [-config file] [-upstream <url-template>]... [-v]
//	webpubsub demo [-hub demo] [-messages 100]
//	webpubsub listen -hub <hub> [-group g] [-user id] [-json]
//	webpubsub token -hub <hub> [-user id] [-role r]... [-group g]... [-expires 1h]
//	webpubsub send -hub <hub> [-group g | -user id | -connection id] [-json | -binary] [-file f] [text...]
//
// emulator serves a local emulator with the well-known development key
// unless -key or -random-key says otherwise, and prints its connection
// string and a one-time sign-in link for its live trace page. token, send
// and listen use the connection string in the environment variable
// WEBPUBSUB_CONNECTION_STRING (or -connection-string) and never start an
// emulator; demo starts an in-process emulator when neither is set.
// "webpubsub <command> -h" prints a command's usage, an example and its
// flags.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
