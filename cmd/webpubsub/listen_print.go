package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/webpubsub-go/webpubsub/client"
)

// recoveryConfirmTimeout bounds the wait, after the service accepted a
// recovery handshake, for the client to confirm the recovery.
const recoveryConfirmTimeout = 5 * time.Second

// listenLine is one received message in -json output.
type listenLine struct {
	// Type is "group" or "server".
	Type       string `json:"type"`
	Group      string `json:"group,omitempty"`
	FromUserID string `json:"fromUserId,omitempty"`
	// DataType is "text", "json", "binary" or "protobuf".
	DataType string `json:"dataType"`
	// Data is the text, the JSON value, or base64 for binary data.
	Data any `json:"data"`
}

// listenPrinter prints messages to stdout and connection events to stderr,
// one line at a time.
type listenPrinter struct {
	stdout, stderr io.Writer
	asJSON         bool
	hub, who       string

	client *client.Client // set before Start

	mu          sync.Mutex
	connected   bool   // a connection was established before
	recovering  string // the connection being recovered, or ""
	lastFailure string // the last handshake failure reported
}

// options are the client's options: its events print through p.
func (p *listenPrinter) options() *client.Options {
	return &client.Options{
		HTTPClient: &http.Client{Transport: handshakes{p: p, next: http.DefaultTransport}},
		OnConnected: func(_ context.Context, e client.ConnectedEvent) {
			p.mu.Lock()
			again := p.connected
			p.connected, p.recovering, p.lastFailure = true, "", ""
			p.mu.Unlock()
			if again {
				p.note("connected again to hub %s as a new connection %s%s (messages sent while it was away were missed)", p.hub, e.ConnectionID, p.who)
				return
			}
			p.note("connected to hub %s as connection %s%s; press Ctrl+C to stop", p.hub, e.ConnectionID, p.who)
		},
		OnDisconnected: func(_ context.Context, e client.DisconnectedEvent) {
			if e.Err == nil {
				return // Stop
			}
			cause := lostText(e.Err)
			if e.Message != "" {
				cause = oneLine(e.Message) + " (" + cause + ")"
			}
			p.event("", "connection %s lost: %s; opening a new one", e.ConnectionID, cause)
		},
		OnStopped: func(_ context.Context, e client.StoppedEvent) {
			if e.Err != nil {
				p.note("gave up: %s", errorText(e.Err))
			}
		},
		OnServerMessage: func(_ context.Context, m client.ServerMessage) {
			p.message(listenLine{Type: "server", DataType: string(m.DataType), Data: dataValue(string(m.DataType), m.Data)})
		},
		OnGroupMessage: func(_ context.Context, m client.GroupMessage) {
			p.message(listenLine{Type: "group", Group: m.Group, FromUserID: m.FromUserID, DataType: string(m.DataType), Data: dataValue(string(m.DataType), m.Data)})
		},
	}
}

// handshakes watches the client's WebSocket handshakes (it is the
// transport of the client's HTTPClient), so that listen says at once that a
// connection dropped and is being recovered, how the attempts fail, and
// when it is back: the client reports a lost connection only once
// recovering it failed, up to 30 s later. It never prints a URL, which
// carries tokens.
type handshakes struct {
	p    *listenPrinter
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (h handshakes) RoundTrip(r *http.Request) (*http.Response, error) {
	id := r.URL.Query().Get("awps_connection_id") // set on recovery handshakes only
	if id != "" {
		h.p.event(id, "connection %s dropped; recovering it (the service keeps it for a while, 30 s on the emulator)", id)
	}
	resp, err := h.next.RoundTrip(r)
	h.p.mu.Lock()
	started := h.p.connected
	h.p.mu.Unlock()
	if !started {
		return resp, err // the first connection: Start reports its failure
	}
	what := "reconnecting"
	if id != "" {
		what = "recovering"
	}
	switch {
	case err != nil:
		h.p.failure(what, shortCause(err))
	case resp.StatusCode == http.StatusSwitchingProtocols && id != "":
		// Accepted, yet the service may still refuse the recovery (close
		// code 1008): the client's state says whether it succeeded.
		go h.p.confirmRecovery(id)
	case resp.StatusCode != http.StatusSwitchingProtocols:
		h.p.failure(what, fmt.Sprintf("the service answered HTTP %d", resp.StatusCode))
	}
	return resp, err
}

// confirmRecovery waits (at most recoveryConfirmTimeout) until the client
// leaves the recovering state and says that the connection is back, if it
// recovered.
func (p *listenPrinter) confirmRecovery(id string) {
	deadline := time.Now().Add(recoveryConfirmTimeout)
	for time.Now().Before(deadline) {
		switch p.client.State() {
		case client.StateRecovering:
			time.Sleep(10 * time.Millisecond)
			continue
		case client.StateConnected:
			if p.client.ConnectionID() == id {
				p.event("", "recovered connection %s; nothing was lost", id)
			}
		}
		return
	}
}

// event prints a connection event and sets the connection being recovered
// (recovering) and the last failure (cleared).
func (p *listenPrinter) event(recovering, format string, args ...any) {
	p.mu.Lock()
	if recovering != "" && p.recovering == recovering {
		p.mu.Unlock()
		return // one note per drop, not per attempt
	}
	p.recovering, p.lastFailure = recovering, ""
	p.mu.Unlock()
	p.note(format, args...)
}

// failure prints why a handshake failed, once per distinct cause.
func (p *listenPrinter) failure(what, cause string) {
	p.mu.Lock()
	if p.lastFailure == what+cause {
		p.mu.Unlock()
		return
	}
	p.lastFailure = what + cause
	p.mu.Unlock()
	p.note("%s failed: %s; trying again", what, cause)
}

// note prints a connection event.
func (p *listenPrinter) note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.stderr, "webpubsub listen: "+format+"\n", args...)
}

// message prints a received message.
func (p *listenPrinter) message(l listenLine) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.asJSON {
		if b, err := json.Marshal(l); err == nil {
			fmt.Fprintf(p.stdout, "%s\n", b)
		}
		return
	}
	from := "server"
	if l.Type == "group" {
		from = "group " + l.Group
		if l.FromUserID != "" {
			from += " from " + l.FromUserID
		}
	}
	data, _ := l.Data.(string)
	if raw, ok := l.Data.(json.RawMessage); ok {
		data = string(raw)
	}
	if l.DataType == "binary" || l.DataType == "protobuf" {
		data = "(" + l.DataType + ", base64) " + data
	}
	// One line per message: newlines inside the text are escaped.
	data = strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(data)
	fmt.Fprintf(p.stdout, "%s: %s\n", from, data)
}

// describe says who the listener is for the connected line.
func describe(user, group string) string {
	var parts []string
	if user != "" {
		parts = append(parts, "user "+user)
	}
	if group != "" {
		parts = append(parts, "in group "+group)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// dataValue returns data as -json prints it: text as a string, JSON as
// itself, anything else in base64.
func dataValue(dataType string, data []byte) any {
	switch dataType {
	case "text":
		return string(data)
	case "json":
		if json.Valid(data) {
			return json.RawMessage(data)
		}
		return string(data)
	default:
		return base64.StdEncoding.EncodeToString(data)
	}
}
