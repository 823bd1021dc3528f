package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/webpubsub-go/webpubsub/internal/names"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// envConnectionString names the environment variable with the connection string.
const envConnectionString = "WEBPUBSUB_CONNECTION_STRING"

const usage = `usage: webpubsub <command> [flags]

commands:
  emulator   run a local Web PubSub service and print its connection string
  demo       see the emulator at work: group messages across a forced drop, and an event handler
  listen     connect as a client and print every message that arrives
  token      print a client access URL
  send       send a text, JSON or binary message to all, a group, a user or a connection

token, send and listen talk to the service (or emulator) whose connection
string is in $WEBPUBSUB_CONNECTION_STRING or -connection-string; they never
start an emulator. demo starts an in-process emulator when neither is set.

Run "webpubsub <command> -h" for a command's usage, an example and its flags.
`

// run executes the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "emulator":
		return runEmulator(ctx, rest, stdin, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "listen":
		return runListen(ctx, rest, stdout, stderr)
	case "token":
		return runToken(ctx, rest, stdout, stderr)
	case "send":
		return runSend(ctx, rest, stdin, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "webpubsub: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// newFlagSet returns a flag set for a subcommand that reports errors to
// stderr and whose -h prints the usage line, what the command does, an
// example and the flags.
func newFlagSet(name string, stderr io.Writer, synopsis, sentence, example string) *flag.FlagSet {
	fs := flag.NewFlagSet("webpubsub "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: webpubsub %s %s\n\n%s\n\nexample:\n  %s\n\nflags:\n", name, synopsis, sentence, example)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; it returns the exit code to use when parsing
// failed or help was asked for, and ok false then.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK, false
	}
	if err != nil {
		return exitUsage, false
	}
	return 0, true
}

// usageError prints a usage problem and where to find the usage, and
// returns exitUsage.
func usageError(stderr io.Writer, fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(stderr, "%s: %s\n(run \"%s -h\" for its usage and an example)\n", fs.Name(), fmt.Sprintf(format, args...), fs.Name())
	return exitUsage
}

// fail prints an error and returns exitError.
func fail(stderr io.Writer, name string, err error) int {
	fmt.Fprintf(stderr, "webpubsub %s: %s\n", name, errorText(err))
	return exitError
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// durationFlag is a time.Duration flag whose error says what to write.
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(v string) error {
	x, err := time.ParseDuration(v)
	if err != nil {
		return errors.New("use a duration such as 90m or 2h (a number needs a unit: s, m or h)")
	}
	*d = durationFlag(x)
	return nil
}

// connectionString returns the flag value or else the environment
// variable, without the quotes a copy and paste from a shell or a .env file
// may bring along.
func connectionString(flagValue string) string {
	s := flagValue
	if s == "" {
		s = os.Getenv(envConnectionString)
	}
	s = strings.TrimSpace(s)
	for _, q := range []string{`"`, `'`} {
		if len(s) >= 2 && strings.HasPrefix(s, q) && strings.HasSuffix(s, q) {
			s = strings.TrimSpace(s[1 : len(s)-1])
		}
	}
	return s
}

// checkNames validates a hub and groups with the service's rules (the
// rules of internal/names, which the SDK and the emulator use too).
func checkNames(hub string, groups ...string) error {
	if err := names.ValidateHub(hub); err != nil {
		return err
	}
	for _, g := range groups {
		if err := names.ValidateGroup(g); err != nil {
			return err
		}
	}
	return nil
}
