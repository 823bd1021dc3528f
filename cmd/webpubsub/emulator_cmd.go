package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"

	"github.com/webpubsub-go/webpubsub/emulator"
)

// emulatorFlags are the flags of the emulator command.
type emulatorFlags struct {
	addr, key, config  string
	randomKey, verbose bool
	upstreams          upstreamList
	hostNames          listFlag
}

// runEmulator serves a local emulator until ctx is done. The connection
// string is the first line of stdout; stderr says which key it uses and
// prints a sign-in link for the live trace page (a new one each time Enter
// is pressed on a terminal).
func runEmulator(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("emulator", stderr, "[-addr 127.0.0.1:8080] [-key <base64> | -random-key] [-config <file>] [-upstream <url-template>]... [-v]",
		"Runs a local Web PubSub service (REST API, client endpoint, live trace page) until Ctrl+C and prints its connection string.",
		"webpubsub emulator -addr 8080 -upstream 'http://127.0.0.1:8081/api/webpubsub/hubs/{hub}'")
	var f emulatorFlags
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address, or just a port (8080 means 127.0.0.1:8080); an address beyond this machine needs -key or -random-key")
	fs.StringVar(&f.key, "key", "", "access key, base64 (default: the well-known development key "+emulator.DevAccessKey+", which Microsoft's emulator uses too)")
	fs.BoolVar(&f.randomKey, "random-key", false, "use a new random access key (connection strings from an earlier run stop working)")
	fs.BoolVar(&f.verbose, "v", false, "also log every REST call, connection, recovery, disconnection and upstream call to stderr (warnings are always logged)")
	fs.StringVar(&f.config, "config", "", "hub settings `file` (JSON: event handlers and anonymousConnectPolicy per hub, in the service's or the official emulator's appsettings.json shape); saving it reloads the settings")
	fs.Var(&f.upstreams, "upstream", "event handler URL `template` receiving every event of every hub, e.g. 'http://127.0.0.1:8081/api/webpubsub/hubs/{hub}' (repeatable)")
	fs.Var(&f.hostNames, "hostname", "another `name` (host or host:port) clients and back ends reach the emulator by, e.g. a Docker Compose service name; tokens for it are accepted (repeatable)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	opts, msg := f.options()
	if msg == "" && fs.NArg() > 0 {
		msg = fmt.Sprintf("unexpected arguments %q", fs.Args())
	}
	if msg != "" {
		return usageError(stderr, fs, "%s", msg)
	}
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelDebug
	}
	opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	e, err := emulator.New(opts)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fail(stderr, "emulator", fmt.Errorf("%w: another program (perhaps another emulator) uses %s; stop it, or let the system pick a free port with -addr 127.0.0.1:0", err, opts.Addr))
	}
	if err != nil {
		return fail(stderr, "emulator", err)
	}
	fmt.Fprintln(stdout, e.ConnectionString())
	announce(e, stderr)
	if isTerminal(stdin) {
		go newLinksOnEnter(ctx, e, stdin, stderr)
	}
	<-ctx.Done()
	if err := e.Close(); err != nil {
		return fail(stderr, "emulator", err)
	}
	fmt.Fprintln(stderr, "webpubsub emulator: stopped")
	return exitOK
}

// options checks the flags and returns the emulator's options, or what is
// wrong with the flags.
func (f *emulatorFlags) options() (*emulator.Options, string) {
	addr := listenAddr(f.addr)
	key := f.key
	switch {
	case key != "" && f.randomKey:
		return nil, "use -key or -random-key, not both"
	case key != "":
		if _, err := base64.StdEncoding.DecodeString(key); err != nil {
			return nil, "-key must be a base64 string (like the access keys of the service)"
		}
	case f.randomKey:
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		key = base64.StdEncoding.EncodeToString(b)
	case beyondLoopback(addr):
		return nil, fmt.Sprintf("-addr %s listens beyond this machine, and the default key is public (the well-known development key): "+
			"give a key with -key <base64> or -random-key, or listen on 127.0.0.1 (e.g. -addr 127.0.0.1:8080)", f.addr)
	}
	return &emulator.Options{Addr: addr, AccessKey: key, SettingsFile: f.config, Upstream: f.upstreams.handlers(), HostNames: f.hostNames}, ""
}

// listenAddr turns a bare port ("8081") into a loopback address.
func listenAddr(addr string) string {
	if addr != "" && strings.Trim(addr, "0123456789") == "" {
		return "127.0.0.1:" + addr
	}
	return addr
}

// beyondLoopback reports whether addr names all interfaces (":8080",
// "0.0.0.0:8080", "[::]:8080") or an IP address that is not a loopback one.
// Host names are left to the emulator, which checks the address it listens
// on.
func beyondLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false // the emulator reports the malformed address
	}
	if host == "" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && !ip.IsLoopback()
}

// announce says where the emulator serves, which key it uses, and how to
// open the live trace page signed in.
func announce(e *emulator.Emulator, stderr io.Writer) {
	fmt.Fprintf(stderr, "webpubsub emulator: serving on %s; press Ctrl+C to stop\n", e.URL())
	if e.AccessKey() == emulator.DevAccessKey {
		fmt.Fprintln(stderr, "webpubsub emulator: the access key is the well-known development key (the default of Microsoft's emulator too), "+
			"so the connection string above stays the same across restarts; it is public: use -random-key or -key for anything beyond this machine")
	}
	if e.Trace() != nil {
		fmt.Fprintf(stderr, "webpubsub emulator: live trace, signed in: %s\n", e.Trace().SignInURL(e.URL()))
		fmt.Fprintln(stderr, "webpubsub emulator: (the link works once, within 10 minutes; press Enter here for a new one, or sign in at "+e.URL()+"/ with the connection string)")
	}
}

// newLinksOnEnter prints a new sign-in link each time a line is read from
// stdin (a terminal), until ctx is done or stdin ends. A read still blocked
// then ends with the process.
func newLinksOnEnter(ctx context.Context, e *emulator.Emulator, stdin io.Reader, stderr io.Writer) {
	sc := bufio.NewScanner(stdin)
	for sc.Scan() && ctx.Err() == nil && e.Trace() != nil {
		fmt.Fprintf(stderr, "webpubsub emulator: live trace, signed in: %s\n", e.Trace().SignInURL(e.URL()))
	}
}
