package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
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
  send       send a text message to all, a group, a user or a connection

Run "webpubsub <command> -h" for the flags of a command.
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
		return runEmulator(ctx, rest, stdout, stderr)
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

// newFlagSet returns a flag set for a subcommand that reports errors to stderr.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("webpubsub "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
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

// usageError prints a usage problem and returns exitUsage.
func usageError(stderr io.Writer, fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
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

// connectionString returns the flag value or else the environment variable.
func connectionString(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return os.Getenv(envConnectionString)
}
