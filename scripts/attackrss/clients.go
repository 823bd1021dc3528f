package main

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// upstream is a local event handler: it validates as the service expects
// (abuse protection), accepts connects and answers every user event at
// once, except "slow", which it holds until release.
type upstream struct {
	url     string
	srv     *http.Server
	mu      sync.Mutex
	waiting chan struct{}
}

func startUpstream() (*upstream, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	u := &upstream{url: "http://" + ln.Addr().String(), waiting: make(chan struct{})}
	u.srv = &http.Server{Handler: http.HandlerFunc(u.serve), MaxHeaderBytes: 2 << 20}
	go func() { _ = u.srv.Serve(ln) }()
	return u, nil
}

func (u *upstream) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		w.Header().Set("WebHook-Allowed-Origin", "*")
		return
	}
	drain(r.Body)
	if r.Header.Get("ce-eventName") == "slow" {
		u.mu.Lock()
		ch := u.waiting
		u.mu.Unlock()
		select {
		case <-ch:
		case <-r.Context().Done():
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// release lets the held calls go.
func (u *upstream) release() {
	u.mu.Lock()
	defer u.mu.Unlock()
	select {
	case <-u.waiting:
	default:
		close(u.waiting)
	}
}

func (u *upstream) close() {
	u.release()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = u.srv.Shutdown(ctx)
}

// client is a WebSocket client of the PubSub subprotocols.
type client struct{ ws *websocket.Conn }

// dial connects to hub with a token for claims, speaking subprotocol.
func (e *emulatorProc) dial(hub, subprotocol string, claims auth.Claims) (*client, error) {
	claims.Audience = e.endpoint + "/client/hubs/" + hub
	claims.ExpiresAt = time.Now().Add(time.Hour).Unix()
	tok, err := auth.Sign(e.key, &claims)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(e.endpoint, "http") + "/client/hubs/" + hub + "?access_token=" + url.QueryEscape(tok)
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: []string{subprotocol}})
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(8 << 20)
	return &client{ws: ws}, nil
}

// send writes m.
func (c *client) send(m protocol.Message) error {
	b, err := protocol.Encode(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageText, b)
}

// discard reads and drops frames until the connection ends, calling seen
// (if set) with each decoded one.
func (c *client) discard(seen func(protocol.Message)) {
	for {
		_, b, err := c.ws.Read(context.Background())
		if err != nil {
			return
		}
		if seen != nil {
			if m, err := protocol.Decode(b); err == nil {
				seen(m)
			}
		}
	}
}

func (c *client) close() { _ = c.ws.CloseNow() }

// text is a text payload of n bytes.
func text(n int) protocol.Payload {
	return protocol.Payload{Type: protocol.DataTypeText, Data: []byte(strings.Repeat("x", n))}
}
