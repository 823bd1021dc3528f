package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"syscall"

	"github.com/webpubsub-go/webpubsub/emulator"
)

// runEmulator serves a local emulator until ctx is done. The connection
// string is the first line of stdout.
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("emulator", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	key := fs.String("key", "", "access key (default: a random key)")
	verbose := fs.Bool("v", false, "also log every REST call, connection, recovery, disconnection and upstream call to stderr (warnings are always logged)")
	config := fs.String("config", "", "hub settings `file` (JSON: event handlers and anonymousConnectPolicy per hub, in the service's or the official emulator's appsettings.json shape); saving it reloads the settings")
	var upstreams upstreamList
	fs.Var(&upstreams, "upstream", "event handler URL `template` receiving every event of every hub, e.g. 'http://127.0.0.1:8081/api/webpubsub/hubs/{hub}' (repeatable)")
	var hostNames listFlag
	fs.Var(&hostNames, "hostname", "another `name` (host or host:port) clients and back ends reach the emulator by, e.g. a Docker Compose service name; tokens for it are accepted (repeatable)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "unexpected arguments %q", fs.Args())
	}
	if *key != "" {
		if _, err := base64.StdEncoding.DecodeString(*key); err != nil {
			return usageError(stderr, fs, "-key must be a base64 string (like the access keys of the service)")
		}
	}
	opts := emulator.Options{Addr: *addr, AccessKey: *key, SettingsFile: *config, Upstream: upstreams.handlers(), HostNames: hostNames}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	e, err := emulator.New(&opts)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fail(stderr, "emulator", fmt.Errorf("%w: another program (perhaps another emulator) uses %s; stop it, or let the system pick a free port with -addr 127.0.0.1:0", err, *addr))
	}
	if err != nil {
		return fail(stderr, "emulator", err)
	}
	fmt.Fprintln(stdout, e.ConnectionString())
	fmt.Fprintf(stderr, "webpubsub emulator: serving on %s; press Ctrl+C to stop\n", e.URL())
	fmt.Fprintf(stderr, "webpubsub emulator: live trace at %s/ (sign in with the connection string above)\n", e.URL())
	<-ctx.Done()
	if err := e.Close(); err != nil {
		return fail(stderr, "emulator", err)
	}
	fmt.Fprintln(stderr, "webpubsub emulator: stopped")
	return exitOK
}
