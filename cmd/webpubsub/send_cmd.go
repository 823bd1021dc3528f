package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
	"unicode/utf8"

	webpubsub "github.com/webpubsub-go/webpubsub"
)

// maxMessage is the largest message send reads from stdin or a file.
const maxMessage = 1 << 20

// exitInterrupted is the exit code after Ctrl+C (128 + SIGINT), as shells use.
const exitInterrupted = 130

// recipientsCheckTimeout bounds the check, after a send to a group, user or
// connection, whether anyone was there.
const recipientsCheckTimeout = 2 * time.Second

const sendHelp = `Sends a message to every connection of the hub, or to one group, user or
connection. The message is the arguments after the flags, joined by spaces;
with no arguments it is read from -file or standard input (up to 1 MiB; end
it with Ctrl+D on a terminal). It is text unless -json or -binary says
otherwise. Flags go before the message; use -- before a message that starts
with "-".`

// sendFlags are the flags of the send command.
type sendFlags struct {
	cs, hub, group, user, connection, file string
	asJSON, binary                         bool
}

// runSend sends a message to every connection of a hub, or to a group, a
// user or a connection.
func runSend(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("send", stderr, "-hub <hub> [-group g | -user id | -connection id] [-json | -binary] [-file f] [message text...]",
		sendHelp, `webpubsub send -hub chat -group lobby -json '{"text": "hello"}'`)
	var f sendFlags
	fs.StringVar(&f.cs, "connection-string", "", "connection string (default: $"+envConnectionString+")")
	fs.StringVar(&f.hub, "hub", "", "hub name (required)")
	fs.StringVar(&f.group, "group", "", "send to this group")
	fs.StringVar(&f.user, "user", "", "send to this user")
	fs.StringVar(&f.connection, "connection", "", "send to this connection")
	fs.BoolVar(&f.asJSON, "json", false, "the message is JSON (application/json); it is checked before sending")
	fs.BoolVar(&f.binary, "binary", false, "the message is binary (application/octet-stream), sent byte for byte, e.g. from -file or standard input")
	fs.StringVar(&f.file, "file", "", "read the message from this `file` (\"-\" for standard input) instead of the arguments")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if msg := f.check(args, fs); msg != "" {
		return usageError(stderr, fs, "%s", msg)
	}
	conn := connectionString(f.cs)
	if conn == "" {
		return usageError(stderr, fs, "no connection string: set %s or use -connection-string", envConnectionString)
	}
	svc, parsed, err := newServiceClient(conn, f.hub)
	if err != nil {
		return fail(stderr, "send", err)
	}
	msg, err := f.message(ctx, fs.Args(), stdin, stderr)
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "webpubsub send: cancelled, nothing was sent")
		return exitInterrupted
	}
	if errors.Is(err, errNoMessage) {
		return usageError(stderr, fs, "%v", err)
	}
	if err == nil {
		err = checkReachable(ctx, parsed.Endpoint)
	}
	if err != nil {
		return fail(stderr, "send", err)
	}
	to, err := f.send(ctx, svc, msg)
	if err != nil {
		return fail(stderr, "send", err)
	}
	// 202 Accepted: the service took the message; delivery is asynchronous.
	fmt.Fprintf(stdout, "accepted by the service for %s\n", to)
	if note := f.recipientsNote(ctx, svc); note != "" {
		fmt.Fprintf(stderr, "webpubsub send: note: %s\n", note)
	}
	return exitOK
}

// check returns what is wrong with the flags, or "".
func (f *sendFlags) check(args []string, fs *flag.FlagSet) string {
	if fl := flagAfterText(args, fs.Args()); fl != "" {
		return fmt.Sprintf("%s comes after the message text: put flags before the text (webpubsub send -hub chat -group lobby hello), or use -- if the text starts with \"-\"", fl)
	}
	if f.hub == "" {
		return "-hub is required"
	}
	targets := 0
	for _, v := range []string{f.group, f.user, f.connection} {
		if v != "" {
			targets++
		}
	}
	var groups []string
	if f.group != "" {
		groups = append(groups, f.group)
	}
	switch err := checkNames(f.hub, groups...); {
	case err != nil:
		return err.Error()
	case targets > 1:
		return "use at most one of -group, -user and -connection"
	case f.asJSON && f.binary:
		return "use -json or -binary, not both"
	case f.file != "" && fs.NArg() > 0:
		return "give the message as arguments or with -file, not both"
	}
	return ""
}

// errNoMessage is returned when there is nothing to send.
var errNoMessage = errors.New("no message: give it as arguments after the flags, with -file, or on standard input")

// message reads the message and checks it against its type.
func (f *sendFlags) message(ctx context.Context, args []string, stdin io.Reader, stderr io.Writer) (webpubsub.Message, error) {
	var data []byte
	switch {
	case len(args) > 0:
		data = []byte(joinArgs(args))
	case f.file != "" && f.file != "-":
		b, err := readFile(f.file)
		if err != nil {
			return webpubsub.Message{}, err
		}
		data = b
	default:
		if isTerminal(stdin) {
			fmt.Fprintln(stderr, "webpubsub send: type the message, then Ctrl+D (Ctrl+C cancels)")
		}
		b, err := readStdin(ctx, stdin)
		if err != nil {
			return webpubsub.Message{}, err
		}
		if !f.binary && len(b) > 0 && b[len(b)-1] == '\n' {
			b = b[:len(b)-1] // the newline that ends a typed or echoed line
		}
		data = b
	}
	if len(data) == 0 {
		return webpubsub.Message{}, errNoMessage
	}
	switch {
	case f.binary:
		return webpubsub.BinaryMessage(data), nil
	case f.asJSON:
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			return webpubsub.Message{}, fmt.Errorf("the message is not valid JSON (%v): check quotes and brackets, or drop -json to send it as text", err)
		}
		return webpubsub.RawJSONMessage(data), nil
	case !utf8.Valid(data):
		return webpubsub.Message{}, errors.New("the message is not UTF-8 text: use -binary to send bytes")
	}
	return webpubsub.TextMessage(string(data)), nil
}

// send sends msg to the target of the flags and says who it went to.
func (f *sendFlags) send(ctx context.Context, svc *webpubsub.ServiceClient, msg webpubsub.Message) (string, error) {
	var err error
	switch {
	case f.group != "":
		_, err = svc.NewGroupClient(f.group).SendToAll(ctx, msg, nil)
		return "group " + f.group, err
	case f.user != "":
		_, err = svc.SendToUser(ctx, f.user, msg, nil)
		return "user " + f.user, err
	case f.connection != "":
		_, err = svc.SendToConnection(ctx, f.connection, msg, nil)
		return "connection " + f.connection, err
	}
	_, err = svc.SendToAll(ctx, msg, nil)
	return "every connection of hub " + f.hub, err
}

// recipientsNote asks the service (GroupExists, UserExists,
// ConnectionExists: the same REST API on the service and the emulator)
// whether the group, user or connection sent to has a connection right now,
// and returns a note when it has none. The service accepts a send to nobody
// all the same; so does send (exit code 0). A check that fails says nothing.
func (f *sendFlags) recipientsNote(ctx context.Context, svc *webpubsub.ServiceClient) string {
	ctx, cancel := context.WithTimeout(ctx, recipientsCheckTimeout)
	defer cancel()
	var (
		exists bool
		err    error
		what   string
	)
	switch {
	case f.group != "":
		var r webpubsub.ServiceClientGroupExistsResponse
		r, err = svc.GroupExists(ctx, f.group, nil)
		exists, what = r.Exists, "group "+f.group+" has no connection"
	case f.user != "":
		var r webpubsub.ServiceClientUserExistsResponse
		r, err = svc.UserExists(ctx, f.user, nil)
		exists, what = r.Exists, "user "+f.user+" has no connection"
	case f.connection != "":
		var r webpubsub.ServiceClientConnectionExistsResponse
		r, err = svc.ConnectionExists(ctx, f.connection, nil)
		exists, what = r.Exists, "connection "+f.connection+" does not exist"
	default:
		return ""
	}
	if err != nil || exists {
		return ""
	}
	return what + " right now (0 recipients), so nobody received the message; the service accepts it all the same. " +
		"Check the name, or watch who is connected on the emulator's live trace page"
}

// readFile reads a message file of at most maxMessage bytes.
func readFile(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the message: %w", err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxMessage+1))
	if err != nil {
		return nil, fmt.Errorf("reading the message from %s: %w", path, err)
	}
	if len(b) > maxMessage {
		return nil, fmt.Errorf("%s is larger than 1 MiB", path)
	}
	return b, nil
}
