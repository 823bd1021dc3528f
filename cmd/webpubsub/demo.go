package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	webpubsub "github.com/webpubsub-go/webpubsub"
	"github.com/webpubsub-go/webpubsub/client"
	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulator/trace"
	"github.com/webpubsub-go/webpubsub/eventhandler"
)

// demoTimeout bounds the whole demo.
const demoTimeout = 30 * time.Second

// demoGroup is the group of the numbered messages.
const demoGroup = "demo-group"

// demoEvent is the user event the in-process event handler answers.
const demoEvent = "greet"

// demoEnv is what the demo runs against.
type demoEnv struct {
	connectionString string
	// emu is the in-process emulator, or nil against another service; the
	// forced drop and the event handler need it.
	emu *emulator.Emulator
}

// runDemo shows the service at work: a stream of numbered group messages
// with a forced drop of the receiver's connection in the middle, which the
// client recovers without losing or repeating a message, and a user event
// answered by an in-process event handler. Without
// WEBPUBSUB_CONNECTION_STRING it runs against an in-process emulator.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("demo", stderr, "[-hub demo] [-messages 100]",
		"Shows the service at work: numbered group messages across a forced drop that the client recovers, and a user event answered by an event handler; "+
			"without a connection string it starts an in-process emulator.",
		"webpubsub demo -messages 1000")
	cs := fs.String("connection-string", "", "connection string (default: $"+envConnectionString+", else an in-process emulator)")
	hub := fs.String("hub", "demo", "hub name")
	count := fs.Int("messages", 100, "how many numbered messages to stream (the drop comes halfway)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "unexpected arguments %q", fs.Args())
	}
	if *count < 2 || *count > 10000 {
		return usageError(stderr, fs, "-messages must be between 2 and 10000")
	}
	ctx, cancel := context.WithTimeout(ctx, demoTimeout)
	defer cancel()
	start := time.Now()
	env := demoEnv{connectionString: connectionString(*cs)}
	if env.connectionString == "" {
		e, stop, err := startDemoEmulator(*hub)
		if err != nil {
			return fail(stderr, "demo", err)
		}
		defer stop()
		env.emu, env.connectionString = e, e.ConnectionString()
		fmt.Fprintf(stdout, "started an in-process emulator at %s with an in-process event handler for %q events\n", e.URL(), demoEvent)
	}
	if err := demo(ctx, env, *hub, *count, stdout); err != nil {
		return fail(stderr, "demo", err)
	}
	fmt.Fprintf(stdout, "done in %.2fs\n", time.Since(start).Seconds())
	return exitOK
}

// startDemoEmulator starts an event handler that answers demoEvent and an
// emulator that calls it.
func startDemoEmulator(hub string) (*emulator.Emulator, func(), error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, nil, err
	}
	key := base64.StdEncoding.EncodeToString(b)
	h, err := eventhandler.New(hub, &eventhandler.Options{
		AccessKeys: []string{key},
		OnUserEvent: func(_ context.Context, req *eventhandler.UserEventRequest, resp *eventhandler.UserEventResponse) error {
			resp.SetText(fmt.Sprintf("Hello %s, the event handler got %q", req.Context.UserID, req.Data))
			return nil
		},
	})
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	h.Register(mux)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("starting the event handler: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.Serve(ln) }()
	e, err := emulator.New(&emulator.Options{AccessKey: key, Upstream: []emulator.UpstreamHandler{{
		Hub:              hub,
		URLTemplate:      "http://" + ln.Addr().String() + "/api/webpubsub/hubs/{hub}",
		UserEventPattern: demoEvent,
	}}})
	if err != nil {
		srv.Close()
		<-served
		return nil, nil, err
	}
	return e, func() {
		_ = e.Close()
		_ = srv.Close()
		<-served
	}, nil
}

// inbox collects what the receiving client got.
type inbox struct {
	mu      sync.Mutex
	numbers []int
	server  []string
	more    chan struct{}
}

func newInbox() *inbox { return &inbox{more: make(chan struct{}, 1)} }

func (b *inbox) update(f func()) {
	b.mu.Lock()
	f()
	b.mu.Unlock()
	select {
	case b.more <- struct{}{}:
	default:
	}
}

// wait blocks until cond (called with b.mu held) is true.
func (b *inbox) wait(ctx context.Context, what string, cond func() bool) error {
	for {
		b.mu.Lock()
		ok := cond()
		b.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-b.more:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		}
	}
}

// demoRun is one run of the demo.
type demoRun struct {
	ctx     context.Context
	env     demoEnv
	hub     string
	count   int
	out     io.Writer
	svc     *webpubsub.ServiceClient
	clients []*client.Client
	box     *inbox
}

// demo runs the demo against env.
func demo(ctx context.Context, env demoEnv, hub string, count int, stdout io.Writer) (err error) {
	svc, parsed, err := newServiceClient(env.connectionString, hub)
	if err != nil {
		return err
	}
	if err := checkReachable(ctx, parsed.Endpoint); err != nil {
		return err
	}
	d := &demoRun{ctx: ctx, env: env, hub: hub, count: count, out: stdout, svc: svc, box: newInbox()}
	defer func() { err = errors.Join(err, d.stopClients()) }()
	alice, bob, err := d.connectBoth()
	if err != nil {
		return err
	}
	// Watch the emulator's trace for the recovery, reading it as it comes
	// so that its bounded queue does not overflow.
	var recovered chan recovery
	if env.emu != nil && env.emu.Trace() != nil {
		sub, _ := env.emu.Trace().Subscribe(0)
		defer sub.Close()
		recovered = make(chan recovery, 1)
		go func() { recovered <- watchRecovery(ctx, sub, alice.ConnectionID()) }()
	}
	dropped, err := d.stream(bob, alice)
	if err != nil {
		return err
	}
	if err := d.report(recovered, dropped, alice); err != nil {
		return err
	}
	return d.userEvent(alice)
}

// connect connects user with opts and keeps the client for stopClients.
func (d *demoRun) connect(user string, opts *client.Options) (*client.Client, error) {
	tok, err := d.svc.GetClientAccessToken(d.ctx, &webpubsub.ServiceClientGetClientAccessTokenOptions{
		UserID: user,
		Roles:  []string{roleJoinLeaveGroup, roleSendToGroup},
	})
	if err != nil {
		return nil, fmt.Errorf("getting a client access token: %w", err)
	}
	c, err := client.New(tok.URL, opts)
	if err != nil {
		return nil, err
	}
	if err := c.Start(d.ctx); err != nil {
		return nil, fmt.Errorf("connecting %s: %s", user, errorText(err))
	}
	d.clients = append(d.clients, c)
	return c, nil
}

// stopClients stops every client the demo connected.
func (d *demoRun) stopClients() error {
	stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var err error
	for _, c := range d.clients {
		err = errors.Join(err, c.Stop(stopCtx))
	}
	return err
}

// connectBoth connects alice, who joins the group and collects what she
// receives, and bob, who sends.
func (d *demoRun) connectBoth() (alice, bob *client.Client, err error) {
	box := d.box
	alice, err = d.connect("alice", &client.Options{
		OnGroupMessage: func(_ context.Context, m client.GroupMessage) {
			n, err := strconv.Atoi(strings.TrimPrefix(string(m.Data), "message "))
			if err == nil {
				box.update(func() { box.numbers = append(box.numbers, n) })
			}
		},
		OnServerMessage: func(_ context.Context, m client.ServerMessage) {
			box.update(func() { box.server = append(box.server, string(m.Data)) })
		},
	})
	if err != nil {
		return nil, nil, err
	}
	if _, err := alice.JoinGroup(d.ctx, demoGroup, nil); err != nil {
		return nil, nil, fmt.Errorf("alice joining %s: %w", demoGroup, err)
	}
	fmt.Fprintf(d.out, "alice connected (connection %s, reliable JSON subprotocol) and joined %s\n", alice.ConnectionID(), demoGroup)
	if bob, err = d.connect("bob", nil); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(d.out, "bob connected (connection %s) and sends %d numbered messages to %s\n", bob.ConnectionID(), d.count, demoGroup)
	return alice, bob, nil
}

// stream has bob send the numbered messages, dropping alice's connection
// halfway (in-process emulator only), and returns when it was dropped.
func (d *demoRun) stream(bob, alice *client.Client) (dropped time.Time, err error) {
	dropAt := d.count / 2
	for i := 1; i <= d.count; i++ {
		if _, err := bob.SendToGroup(d.ctx, demoGroup, client.Text("message "+strconv.Itoa(i)), nil); err != nil {
			return dropped, fmt.Errorf("bob sending message %d: %w", i, err)
		}
		if i != dropAt {
			continue
		}
		if d.env.emu == nil {
			fmt.Fprintln(d.out, "(no forced drop: it needs the in-process emulator; unset "+envConnectionString+" to see it)")
			continue
		}
		dropped = time.Now()
		if !d.env.emu.DropConnection(d.hub, alice.ConnectionID()) {
			return dropped, errors.New("alice's connection could not be dropped")
		}
		fmt.Fprintf(d.out, "after message %d the emulator cut alice's network connection; bob keeps sending\n", i)
	}
	return dropped, nil
}

// report waits for every message and the recovery, and says what alice got.
func (d *demoRun) report(recovered chan recovery, dropped time.Time, alice *client.Client) error {
	box, count := d.box, d.count
	if err := box.wait(d.ctx, "all messages", func() bool { return len(box.numbers) >= count && !hasGap(box.numbers, count) }); err != nil {
		return err
	}
	if recovered != nil {
		r := <-recovered
		if r.err != nil {
			return r.err
		}
		fmt.Fprintf(d.out, "alice's client recovered connection %s in %s (same connection, nothing to rejoin)\n", alice.ConnectionID(), r.at.Sub(dropped).Round(10*time.Microsecond))
	}
	box.mu.Lock()
	received, lost, repeated, ordered := tally(box.numbers, count)
	box.mu.Unlock()
	fmt.Fprintf(d.out, "alice received %d of %d messages: %d lost, %d repeated, in order: %v\n", received, count, lost, repeated, ordered)
	if lost != 0 || repeated != 0 || !ordered {
		return fmt.Errorf("messages were lost (%d) or repeated (%d) or out of order", lost, repeated)
	}
	return nil
}

// userEvent has alice send the user event the in-process event handler
// answers.
func (d *demoRun) userEvent(alice *client.Client) error {
	if d.env.emu == nil {
		fmt.Fprintf(d.out, "(no user event: it needs an event handler for %q events configured on the service)\n", demoEvent)
		return nil
	}
	if _, err := alice.SendEvent(d.ctx, demoEvent, client.Text("hi"), nil); err != nil {
		return fmt.Errorf("alice sending the %s event: %w", demoEvent, err)
	}
	box := d.box
	if err := box.wait(d.ctx, "the event handler's answer", func() bool { return len(box.server) > 0 }); err != nil {
		return err
	}
	box.mu.Lock()
	answer := box.server[0]
	box.mu.Unlock()
	fmt.Fprintf(d.out, "alice sent the user event %q; the event handler answered: %s\n", demoEvent, answer)
	return nil
}

// hasGap reports whether numbers lacks one of 1..count. Called with the
// inbox lock held.
func hasGap(numbers []int, count int) bool {
	seen := make(map[int]bool, len(numbers))
	for _, n := range numbers {
		seen[n] = true
	}
	for i := 1; i <= count; i++ {
		if !seen[i] {
			return true
		}
	}
	return false
}

// tally counts the distinct messages of 1..count received, the missing and
// repeated ones, and whether they arrived in order.
func tally(numbers []int, count int) (received, lost, repeated int, ordered bool) {
	seen := make(map[int]bool, len(numbers))
	ordered = true
	for i, n := range numbers {
		if seen[n] {
			repeated++
		}
		seen[n] = true
		if i > 0 && n <= numbers[i-1] {
			ordered = false
		}
	}
	for i := 1; i <= count; i++ {
		if seen[i] {
			received++
		} else {
			lost++
		}
	}
	return received, lost, repeated, ordered
}

// recovery is when a connection was recovered, or why it was not.
type recovery struct {
	at  time.Time
	err error
}

// watchRecovery waits for the trace to show connection id recovered.
func watchRecovery(ctx context.Context, sub *trace.Subscription, id string) recovery {
	for {
		select {
		case u := <-sub.Updates():
			if u.Event.Kind == trace.KindRecovered && u.Event.ConnectionID == id {
				return recovery{at: u.Event.Time}
			}
			if u.Event.Kind == trace.KindDisconnected && u.Event.ConnectionID == id {
				return recovery{err: fmt.Errorf("alice's connection was not recovered: %s", u.Event.Reason)}
			}
		case <-sub.Done():
			return recovery{err: errors.New("the emulator stopped before alice's connection was recovered")}
		case <-ctx.Done():
			return recovery{err: fmt.Errorf("waiting for alice's recovery: %w", ctx.Err())}
		}
	}
}
