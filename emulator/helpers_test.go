package emulator_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/webpubsub-go/webpubsub/emulator"
	"github.com/webpubsub-go/webpubsub/emulatortest"
	"github.com/webpubsub-go/webpubsub/internal/auth"
	"github.com/webpubsub-go/webpubsub/internal/protocol"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(envDialer); spec != "" {
		os.Exit(runDialer(spec)) // benchmark helper process, see bench_test.go
	}
	// Upstream validation retries wait 1, 3 and 5 s in the service; these
	// tests exercise failing upstreams and need not wait that long.
	emulator.SetUpstreamRetryDelays([]time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond})
	goleak.VerifyTestMain(m)
}

const apiVersion = "api-version=2024-12-01"

// start runs an emulator for the test with emulatortest, which closes it
// when the test ends.
func start(t testing.TB, opts emulator.Options) *emulator.Emulator {
	t.Helper()
	return emulatortest.New(t, &opts).Emulator
}

// restToken signs a REST token for url with the emulator's key.
func restToken(t testing.TB, key, aud string, exp time.Time) string {
	t.Helper()
	tok, err := auth.Sign(key, &auth.Claims{Audience: aud, ExpiresAt: exp.Unix()})
	require.NoError(t, err)
	return tok
}

// response is a REST response with its body read.
type response struct {
	status int
	header http.Header
	body   string
}

// call sends a REST request signed for its exact URL; pathQuery is the path
// with the query (api-version is added). ct "" sends no Content-Type.
func call(t testing.TB, e *emulator.Emulator, method, pathQuery, ct string, body []byte) response {
	t.Helper()
	u := e.URL() + withAPIVersion(pathQuery)
	return callRaw(t, method, u, ct, body, "Bearer "+restToken(t, e.AccessKey(), u, time.Now().Add(time.Hour)))
}

// withAPIVersion appends the api-version query parameter.
func withAPIVersion(pathQuery string) string {
	if strings.Contains(pathQuery, "?") {
		return pathQuery + "&" + apiVersion
	}
	return pathQuery + "?" + apiVersion
}

// callRaw sends a request with the given Authorization header ("" = none).
func callRaw(t testing.TB, method, u, ct string, body []byte, authorization string) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	require.NoError(t, err)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// clientToken signs a client access token for hub.
func clientToken(t testing.TB, e *emulator.Emulator, hub string, c auth.Claims) string {
	t.Helper()
	if c.Audience == "" {
		c.Audience = e.URL() + "/client/hubs/" + hub
	}
	if c.ExpiresAt == 0 {
		c.ExpiresAt = time.Now().Add(time.Hour).Unix()
	}
	tok, err := auth.Sign(e.AccessKey(), &c)
	require.NoError(t, err)
	return tok
}

// clientURL returns the WebSocket URL of hub with an access token for c.
func clientURL(t testing.TB, e *emulator.Emulator, hub string, c auth.Claims) string {
	t.Helper()
	return wsBase(e) + "/client/hubs/" + hub + "?access_token=" + url.QueryEscape(clientToken(t, e, hub, c))
}

func wsBase(e *emulator.Emulator) string { return "ws" + strings.TrimPrefix(e.URL(), "http") }

// wsClient is a raw WebSocket client of the emulator.
type wsClient struct {
	t  testing.TB
	ws *websocket.Conn
	// codec is the subprotocol's codec; nil (simple WebSocket) decodes JSON.
	codec protocol.Codec
}

// dial connects to u with subprotocol ("" = simple WebSocket).
func dial(t testing.TB, u, subprotocol string) *wsClient {
	t.Helper()
	ws, resp, err := dialRaw(u, subprotocol)
	require.NoError(t, err)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &wsClient{t: t, ws: ws, codec: protocol.CodecFor(ws.Subprotocol())}
}

func dialRaw(u, subprotocol string) (*websocket.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts := &websocket.DialOptions{}
	if subprotocol != "" {
		opts.Subprotocols = []string{subprotocol}
	}
	ws, resp, err := websocket.Dial(ctx, u, opts)
	if ws != nil {
		ws.SetReadLimit(4 << 20)
	}
	return ws, resp, err
}

// read returns the next frame.
func (c *wsClient) read() (websocket.MessageType, []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	typ, data, err := c.ws.Read(ctx)
	require.NoError(c.t, err)
	return typ, data
}

// next returns the next message decoded.
func (c *wsClient) next() protocol.Message {
	c.t.Helper()
	typ, data := c.read()
	if c.codec == nil || !c.codec.Binary() {
		m, err := protocol.Decode(data)
		require.NoError(c.t, err, "frame %s", data)
		return m
	}
	require.Equal(c.t, websocket.MessageBinary, typ, "protobuf frames are binary")
	m, err := c.codec.DecodeDownstream(data)
	require.NoError(c.t, err, "frame %x", data)
	return m
}

// connected reads the connected message.
func (c *wsClient) connected() protocol.ConnectedMessage {
	c.t.Helper()
	m := c.next()
	cm, ok := m.(protocol.ConnectedMessage)
	require.True(c.t, ok, "want connected message, got %#v", m)
	require.NotEmpty(c.t, cm.ConnectionID)
	return cm
}

// send writes m.
func (c *wsClient) send(m protocol.Message) {
	c.t.Helper()
	if c.codec != nil && c.codec.Binary() {
		b, err := c.codec.Encode(m)
		require.NoError(c.t, err)
		c.sendRaw(websocket.MessageBinary, b)
		return
	}
	b, err := protocol.Encode(m)
	require.NoError(c.t, err)
	c.sendRaw(websocket.MessageText, b)
}

func (c *wsClient) sendRaw(typ websocket.MessageType, b []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(c.t, c.ws.Write(ctx, typ, b))
}

// ack reads the next message and requires it to be an ack for id.
func (c *wsClient) ack(id uint64) protocol.AckMessage {
	c.t.Helper()
	m := c.next()
	a, ok := m.(protocol.AckMessage)
	require.True(c.t, ok, "want ack, got %#v", m)
	require.Equal(c.t, id, a.AckID)
	return a
}

// serverText reads the next message and requires a text message from the server.
func (c *wsClient) serverText() string {
	c.t.Helper()
	m := c.next()
	s, ok := m.(protocol.ServerDataMessage)
	require.True(c.t, ok, "want server message, got %#v", m)
	require.Equal(c.t, protocol.DataTypeText, s.Data.Type)
	return string(s.Data.Data)
}

// groupText reads the next message and requires a text message of group
// without a sender: what a REST send to the group delivers.
func (c *wsClient) groupText(group string) string {
	c.t.Helper()
	m := c.next()
	g, ok := m.(protocol.GroupDataMessage)
	require.True(c.t, ok, "want a message of group %q, got %#v", group, m)
	require.Equal(c.t, group, g.Group)
	require.Empty(c.t, g.FromUserID, "a REST send has no sender")
	require.Equal(c.t, protocol.DataTypeText, g.Data.Type)
	return string(g.Data.Data)
}

// closeErr reads until the connection ends and returns the error.
func (c *wsClient) closeErr() error {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := c.ws.Read(ctx); err != nil {
			return err
		}
	}
}

func ackID(n uint64) *uint64 { return &n }

// connectJSON dials hub with the JSON subprotocol and returns the client and
// its connection id.
func connectJSON(t testing.TB, e *emulator.Emulator, hub string, c auth.Claims) (*wsClient, string) {
	t.Helper()
	cl := dial(t, clientURL(t, e, hub, c), protocol.JSON)
	return cl, cl.connected().ConnectionID
}
