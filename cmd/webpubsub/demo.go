package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
)

// demoTimeout bounds the whole demo.
const demoTimeout = 30 * time.Second

// demoGroup is the group both demo clients join.
const demoGroup = "demo-group"

// inbox collects what one demo client received.
type inbox struct {
	name string
	mu   sync.Mutex
	msgs []string
	more chan struct{}
}

func newInbox(name string) *inbox { return &inbox{name: name, more: make(chan struct{}, 1)} }

func (b *inbox) add(s string) {
	b.mu.Lock()
	b.msgs = append(b.msgs, s)
	b.mu.Unlock()
	select {
	case b.more <- struct{}{}:
	default:
	}
}

// wait blocks until the inbox holds n messages.
func (b *inbox) wait(ctx context.Context, n int) error {
	for {
		b.mu.Lock()
		have := len(b.msgs)
		b.mu.Unlock()
		if have >= n {
			return nil
		}
		select {
		case <-b.more:
		case <-ctx.Done():
			return fmt.Errorf("%s received %d of %d messages: %w", b.name, have, n, ctx.Err())
		}
	}
}

func (b *inbox) snapshot() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.msgs...)
}

// runDemo connects two clients, joins them to a group, broadcasts from the
// server and to the group, and prints what each client received. Without
// WEBPUBSUB_CONNECTION_STRING it runs against an in-process emulator.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("demo", stderr)
	cs := fs.String("connection-string", "", "connection string (default: $"+envConnectionString+", else an in-process emulator)")
	hub := fs.String("hub", "demo", "hub name")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "unexpected arguments %q", fs.Args())
	}
	ctx, cancel := context.WithTimeout(ctx, demoTimeout)
	defer cancel()
	conn := connectionString(*cs)
	if conn == "" {
		e, err := emulator.New(emulator.Options{})
		if err != nil {
			return fail(stderr, "demo", err)
		}
		defer e.Close()
		conn = e.ConnectionString()
		fmt.Fprintf(stdout, "started an in-process emulator at %s\n", e.URL())
	}
	if err := demo(ctx, conn, *hub, stdout); err != nil {
		return fail(stderr, "demo", err)
	}
	return exitOK
}

// demo runs the demo against the service of connectionString.
func demo(ctx context.Context, connectionString, hub string, stdout io.Writer) (err error) {
	svc, err := webpubsub.NewServiceClientFromConnectionString(connectionString, hub, nil)
	if err != nil {
		return err
	}
	names := []string{"alice", "bob"}
	inboxes := make([]*inbox, len(names))
	clients := make([]*client.Client, len(names))
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, c := range clients {
			if c != nil {
				err = errors.Join(err, c.Stop(stopCtx))
			}
		}
	}()
	for i, name := range names {
		box := newInbox(name)
		inboxes[i] = box
		tok, err := svc.GetClientAccessToken(ctx, &webpubsub.ServiceClientGetClientAccessTokenOptions{
			UserID: name,
			Roles:  []string{"webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"},
		})
		if err != nil {
			return fmt.Errorf("getting a client access token: %w", err)
		}
		c, err := client.New(tok.URL, &client.Options{
			OnServerMessage: func(m client.ServerMessage) { box.add(fmt.Sprintf("server message: %s", m.Data)) },
			OnGroupMessage: func(m client.GroupMessage) {
				box.add(fmt.Sprintf("group message in %s from %s: %s", m.Group, m.FromUserID, m.Data))
			},
		})
		if err != nil {
			return err
		}
		if err := c.Start(ctx); err != nil {
			return fmt.Errorf("connecting %s: %w", name, err)
		}
		clients[i] = c
		if _, err := c.JoinGroup(ctx, demoGroup, nil); err != nil {
			return fmt.Errorf("%s joining %s: %w", name, demoGroup, err)
		}
		fmt.Fprintf(stdout, "%s connected (connection %s) and joined %s\n", name, c.ConnectionID(), demoGroup)
	}
	want := 0
	step := func(what string, f func() error) error {
		if err := f(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		want++
		for _, b := range inboxes {
			if err := b.wait(ctx, want); err != nil {
				return err
			}
		}
		return nil
	}
	if err := step("broadcasting", func() error {
		_, err := svc.SendToAll(ctx, webpubsub.TextMessage("Hello everyone, from the server"), nil)
		return err
	}); err != nil {
		return err
	}
	if err := step("sending to the group", func() error {
		_, err := svc.Group(demoGroup).SendToAll(ctx, webpubsub.TextMessage("Hello "+demoGroup+", from the server"), nil)
		return err
	}); err != nil {
		return err
	}
	if err := step("publishing from alice", func() error {
		_, err := clients[0].SendToGroup(ctx, demoGroup, client.Text("Hi all, alice here"), nil)
		return err
	}); err != nil {
		return err
	}
	for _, b := range inboxes {
		for _, m := range b.snapshot() {
			fmt.Fprintf(stdout, "%s received %s\n", b.name, m)
		}
	}
	return nil
}
