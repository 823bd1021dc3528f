// Command webpubsub is the command-line tool of the Azure Web PubSub Go
// toolkit:
//
//	webpubsub emulator [-addr 127.0.0.1:8080] [-key <base64>] [-upstream <url-template>]...
//	webpubsub demo [-hub demo]
//	webpubsub listen -hub <hub> [-group g] [-user id] [-json]
//	webpubsub token -hub <hub> [-user id] [-role r]... [-group g]... [-expires 1h]
//	webpubsub send -hub <hub> [-group g | -user id | -connection id] [text...]
//
// token, send, listen and demo use the connection string in the environment variable
// WEBPUBSUB_CONNECTION_STRING (or -connection-string); demo starts an
// in-process emulator when it is not set.
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
