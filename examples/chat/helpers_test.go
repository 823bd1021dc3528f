package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

// startChat starts the sample as main does, on loopback: an emulator whose
// upstream events go to the chat server, and the chat server itself. It
// returns the server's base URL and the emulator; everything stops when the
// test ends.
func startChat(t *testing.T) (string, *emulator.Emulator) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	emu, err := startEmulator("http://" + srv.Listener.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, emu.Close()) })

	handler, err := newServer(emu.ConnectionString(), nil)
	require.NoError(t, err)
	srv.Config.Handler = handler
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL, emu
}

// httpClient returns a client whose idle connections are closed when the
// test ends.
func httpClient(t *testing.T) *http.Client {
	c := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// negotiate asks the chat server at base for user's client access URL.
func negotiate(t *testing.T, c *http.Client, base, user string) string {
	t.Helper()
	resp, err := c.Get(base + "/negotiate?user=" + url.QueryEscape(user))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "negotiate: %s", body)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	var got negotiateResponse
	require.NoError(t, json.Unmarshal(body, &got))
	require.NotEmpty(t, got.URL)
	return got.URL
}

// chatClient is a JSON-subprotocol client, like the page, for tests.
type chatClient struct {
	t  *testing.T
	ws *websocket.Conn
}

// dialChat connects to a client access URL with the JSON subprotocol.
func dialChat(t *testing.T, accessURL string) *chatClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, accessURL, &websocket.DialOptions{Subprotocols: []string{protocol.JSON}})
	require.NoError(t, err)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	require.Equal(t, protocol.JSON, ws.Subprotocol())
	t.Cleanup(func() { _ = ws.CloseNow() })
	return &chatClient{t: t, ws: ws}
}

// send writes one protocol message.
func (c *chatClient) send(m protocol.Message) {
	c.t.Helper()
	b, err := protocol.Encode(m)
	require.NoError(c.t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(c.t, c.ws.Write(ctx, websocket.MessageText, b))
}

// next reads the next protocol message, failing the test after 10 s.
func (c *chatClient) next() protocol.Message {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	typ, b, err := c.ws.Read(ctx)
	require.NoError(c.t, err)
	require.Equal(c.t, websocket.MessageText, typ)
	m, err := protocol.Decode(b)
	require.NoError(c.t, err, "message %s", b)
	return m
}

// expect reads messages until every one of want has arrived, in any order,
// and returns the others it read on the way. Notices about other users can
// arrive at any point, and an ack may come before or after the message it
// acknowledges, so order is not checked.
func (c *chatClient) expect(want ...protocol.Message) []protocol.Message {
	c.t.Helper()
	var others []protocol.Message
	missing := append([]protocol.Message(nil), want...)
	for len(missing) > 0 {
		m := c.next()
		found := false
		for i, w := range missing {
			if equalMessage(m, w) {
				missing = append(missing[:i], missing[i+1:]...)
				found = true
				break
			}
		}
		if !found {
			others = append(others, m)
			require.Less(c.t, len(others), 20, "still waiting for %+v; got %+v", missing, others)
		}
	}
	return others
}

// equalMessage compares decoded messages by their JSON encoding.
func equalMessage(a, b protocol.Message) bool {
	ea, errA := protocol.Encode(a)
	eb, errB := protocol.Encode(b)
	return errA == nil && errB == nil && string(ea) == string(eb)
}

// ackID returns a pointer to id, for message ackId fields.
func ackID(id uint64) *uint64 { return &id }

// text is a text payload.
func text(s string) protocol.Payload {
	return protocol.Payload{Type: protocol.DataTypeText, Data: []byte(s)}
}

// expectAck reads messages until the ack of id arrives and returns it.
func (c *chatClient) expectAck(id uint64) protocol.AckMessage {
	c.t.Helper()
	for range 20 {
		if ack, ok := c.next().(protocol.AckMessage); ok && ack.AckID == id {
			return ack
		}
	}
	require.FailNow(c.t, "no ack", "ack %d did not arrive within 20 messages", id)
	return protocol.AckMessage{}
}
